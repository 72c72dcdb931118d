// SPDX-License-Identifier: MIT
/*
 * Where the packets really went. Counters are sampled in every namespace of
 * the lab right before and right after a counted UDP_RR run: small messages,
 * so that GSO super-packets do not hide the hop count, and UDP, so that one
 * transaction is exactly one packet each way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lab/instance.h"
#include "harness/lab/mode.h"
#include "harness/measure/hotpath.h"
#include "netns/counters.h"
#include "netns/netns.h"
#include "netns/nftables.h"
#include "netns/rt.h"
#include "netns/sysctl.h"

#define HP_MAX_NS 8
#define HP_MAX_IF 32

struct hp_ns {
	const char *name;
	char role[16];
	struct counters_sock *cs;
	struct rt_link_info links[HP_MAX_IF];
	size_t nlinks;
	struct if_counters before[HP_MAX_IF], after[HP_MAX_IF];
	size_t nbefore, nafter;
	struct snmp_counters snmp_before, snmp_after;
};

struct hp {
	struct lab *lab;
	bool ipv6; /* the IP/UDP counters of /proc/net/snmp6 */
	struct hp_ns ns[HP_MAX_NS];
	unsigned int nns;
	json_t *nft_before, *nft_after;
	long long ct_before, ct_after;
	int err;
};

static long long conntrack_count(const char *ns)
{
	char buf[32];

	if (sysctl_read(ns, "net.netfilter.nf_conntrack_count", buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

static void sample(struct hp *h, bool after)
{
	for (unsigned int i = 0; i < h->nns; i++) {
		struct hp_ns *n = &h->ns[i];
		int ret = counters_read(n->cs, after ? n->after : n->before, HP_MAX_IF,
					after ? &n->nafter : &n->nbefore);

		if (ret && !h->err)
			h->err = ret;
		if (h->ipv6)
			snmp6_read(n->name, after ? &n->snmp_after : &n->snmp_before);
		else
			snmp_read(n->name, after ? &n->snmp_after : &n->snmp_before);
	}
	if (lab_instance_iptables(&h->lab->cfg))
		instance_counters(h->lab, after ? &h->nft_after : &h->nft_before);
	else if (h->lab->pm)
		portmap_counters(h->lab->pm, after ? &h->nft_after : &h->nft_before);
	*(after ? &h->ct_after : &h->ct_before) = conntrack_count(h->lab->ns_inst);
}

static void before_cb(void *arg)
{
	sample(arg, false);
}

static void after_cb(void *arg)
{
	sample(arg, true);
}

static const char *ifname_of(const struct hp_ns *n, int ifindex)
{
	for (size_t i = 0; i < n->nlinks; i++)
		if (n->links[i].ifindex == ifindex)
			return n->links[i].name;
	return NULL;
}

static const struct if_counters *find(const struct if_counters *v, size_t n, int ifindex)
{
	for (size_t i = 0; i < n && i < HP_MAX_IF; i++)
		if (v[i].ifindex == ifindex)
			return &v[i];
	return NULL;
}

/*
 * The route's interfaces as "role:ifname", each once, where first met (lo is
 * left and entered; a trunk carries a task-to-task exchange out and back in).
 */
static json_t *route_labels(const struct lab_route *r)
{
	json_t *hops = json_array(), *h;
	char label[48];
	size_t k;

	for (unsigned int i = 0; i < r->n; i++) {
		bool seen = false;

		hop_label(&r->hop[i].iface, label, sizeof(label));
		json_array_foreach(hops, k, h)
			seen = seen || !strcmp(json_string_value(h), label);
		if (!seen)
			json_array_append_new(hops, json_string(label));
	}
	return hops;
}

json_t *hotpath_expected(const struct lab *lab, const struct lab_task *task, enum lab_path p)
{
	struct lab_route r;

	if (mode_route(lab, task, path_peer(lab, task, p), p, &r))
		return json_array();
	return route_labels(&r);
}

/*
 * Where a measured hop goes in the list: its place on the expected route;
 * then interfaces the route does not cross, in the lab's order from the VPC
 * in; anything else last.
 */
static int rank_of(json_t *expected, const struct lab_iface *all, unsigned int nall,
		   const char *hop)
{
	char label[48];
	size_t i;
	json_t *v;

	json_array_foreach(expected, i, v)
		if (!strcmp(json_string_value(v), hop))
			return (int)i;
	for (unsigned int k = 0; k < nall; k++) {
		hop_label(&all[k], label, sizeof(label));
		if (!strcmp(label, hop))
			return 100 + (int)k;
	}
	return 1000;
}

static uint64_t nft_packets(json_t *rules, const char *chain, const char *comment)
{
	size_t i;
	json_t *r;
	uint64_t sum = 0;

	json_array_foreach(rules, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "chain")), chain) &&
		    !strcmp(json_string_value(json_object_get(r, "comment")), comment))
			sum += (uint64_t)json_integer_value(json_object_get(r, "packets"));
	return sum;
}

static json_t *nft_delta(json_t *before, json_t *after, double n)
{
	json_t *out = json_array(), *r;
	size_t i;

	json_array_foreach(after, i, r) {
		const char *chain = json_string_value(json_object_get(r, "chain"));
		const char *comment = json_string_value(json_object_get(r, "comment"));
		json_int_t a = json_integer_value(json_object_get(r, "packets"));
		json_int_t b = (json_int_t)nft_packets(before, chain, comment);

		json_array_append_new(out,
				      json_pack("{s:s, s:s, s:I, s:f}", "chain", chain, "comment",
						comment, "packets", a - b,
						"packets_per_transaction", (double)(a - b) / n));
	}
	return out;
}

static void snmp_delta(json_t *obj, const struct hp_ns *n)
{
	const struct snmp_counters *b = &n->snmp_before, *a = &n->snmp_after;

	json_object_set_new(
		obj, n->role,
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "ip_in_receives",
			  (json_int_t)(a->ip_in_receives - b->ip_in_receives), "ip_forw_datagrams",
			  (json_int_t)(a->ip_forw_datagrams - b->ip_forw_datagrams),
			  "ip_out_requests", (json_int_t)(a->ip_out_requests - b->ip_out_requests),
			  "udp_in_datagrams",
			  (json_int_t)(a->udp_in_datagrams - b->udp_in_datagrams),
			  "udp_out_datagrams",
			  (json_int_t)(a->udp_out_datagrams - b->udp_out_datagrams),
			  "udp_rcvbuf_errors",
			  (json_int_t)(a->udp_rcvbuf_errors - b->udp_rcvbuf_errors)));
}

struct hop {
	char name[48];
	int rank;
	double per_trans;
	uint64_t rx, tx, dropped;
};

static int hop_cmp(const void *a, const void *b)
{
	const struct hop *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->name, y->name);
}

/* Mode-specific evidence beyond the hop list. */
static void check_evidence(const struct lab_task *task, enum lab_path p, json_t *doc, double n,
			   char *why, size_t len)
{
	json_t *snmp = json_object_get(doc, "snmp");
	double inst_in = (double)json_integer_value(
		json_object_get(json_object_get(snmp, "inst"), "ip_in_receives"));

	bool v6 = !strcmp(json_string_value(json_object_get(doc, "family")) ?: "", "ipv6");

	/*
	 * A bridge task's hostPort over IPv6 is Docker's "::" docker-proxy: no NAT
	 * rule sees it (the proxy's own connection leaves from the instance), and
	 * the instance's IP layer receives every packet (the proxy's socket).
	 */
	if (mode_bridged(task->mode) && v6) {
		if (inst_in < n)
			snprintf(why, len,
				 "the instance's IPv6 layer received %.0f packets for %.0f "
				 "transactions: docker-proxy on \"::\" should take every one",
				 inst_in, n);
	} else if (mode_bridged(task->mode)) {
		const char *rule = p == PATH_EGRESS ? "from-bridge" : "ingress-dnat";
		json_t *r;
		size_t i;
		double pkts = 0;

		/* Docker's FORWARD rules under an instance profile, the lab's own under bare. */
		json_array_foreach(json_object_get(doc, "nft"), i, r)
			if (p != PATH_EGRESS &&
			    !strcmp(json_string_value(json_object_get(r, "comment")), "to-bridge"))
				rule = "to-bridge";

		json_array_foreach(json_object_get(doc, "nft"), i, r)
			if (!strcmp(json_string_value(json_object_get(r, "comment")), rule))
				pkts += (double)json_integer_value(json_object_get(r, "packets"));
		if (pkts < n)
			snprintf(why, len,
				 "the port mapping's forward rule \"%s\" counted %.0f "
				 "packets for %.0f transactions: traffic bypassed the NAT",
				 rule, pkts, n);
		else if (inst_in < n)
			snprintf(why, len,
				 "the instance's IP layer received %.0f packets for %.0f "
				 "transactions: it should route every one",
				 inst_in, n);
	} else if (mode_own_eni(task->mode) && inst_in > n / 10) {
		snprintf(why, len,
			 "the instance's IP layer received %.0f packets for %.0f "
			 "transactions: the macvlan should take them before it",
			 inst_in, n);
	}
}

int hotpath_verdict(json_t *doc, json_t *expected, const struct lab_task *task, enum lab_path p)
{
	json_t *measured = json_object_get(doc, "hops");
	double n = (double)json_integer_value(json_object_get(doc, "transactions"));
	char bad[320] = "";

	if (!json_equal(measured, expected)) {
		char *m = json_dumps(measured, JSON_COMPACT),
		     *e = json_dumps(expected, JSON_COMPACT);

		snprintf(bad, sizeof(bad), "measured hops %s differ from the expected %s", m, e);
		free(m);
		free(e);
	} else {
		/* The NAT's and the IP layer's own counters: for the VPC's paths. */
		if (p == PATH_INGRESS || p == PATH_EGRESS)
			check_evidence(task, p, doc, n, bad, sizeof(bad));
	}
	json_object_set_new(doc, "ok", json_boolean(!bad[0]));
	json_object_del(doc, "problem");
	if (bad[0])
		json_object_set_new(doc, "problem", json_string(bad));
	return bad[0] ? -EPROTO : 0;
}

int hotpath_probe(struct lab *lab, struct lab_task *task, enum lab_path p,
		  const struct bench_opts *bo, json_t **out, char *why, size_t len)
{
	return hotpath_probe_family(lab, task, p, FAMILY_IPV4, bo, out, why, len);
}

int hotpath_probe_family(struct lab *lab, struct lab_task *task, enum lab_path p,
			 enum bench_family f, const struct bench_opts *bo, json_t **out, char *why,
			 size_t len)
{
	const char *names[HP_MAX_NS];
	struct hp h = {.lab = lab, .ipv6 = f == FAMILY_IPV6, .ct_before = -1, .ct_after = -1};
	struct hop hops[HP_MAX_NS * HP_MAX_IF];
	struct bench_opts o = *bo;
	static struct lab_iface all[LAB_MAX_IFACES];
	const struct lab_task *peer = path_peer(lab, task, p);
	struct bench_target t;
	json_t *res = NULL, *doc = NULL, *expected, *measured, *per, *ifs, *snmp;
	unsigned int nns, nall;
	size_t nh = 0;
	bool tcp;
	double n;
	int ret;

	ret = path_target_family(lab, task, peer, p, f, &t, why, len);
	if (ret)
		return ret;
	nns = lab_namespaces(lab, names, HP_MAX_NS);
	for (unsigned int i = 0; i < nns; i++) {
		struct hp_ns *hn = &h.ns[h.nns];
		struct rt *rt = NULL;

		if (!netns_exists(names[i]))
			continue;
		hn->name = names[i];
		if (names[i] == lab->ns_vpc)
			snprintf(hn->role, sizeof(hn->role), "vpc");
		else if (names[i] == lab->ns_inst)
			snprintf(hn->role, sizeof(hn->role), "inst");
		else
			snprintf(hn->role, sizeof(hn->role), "%s", strrchr(names[i], '-') + 1);
		ret = counters_open(&hn->cs, names[i]);
		if (!ret)
			ret = rt_open(&rt, names[i]);
		if (!ret)
			ret = rt_links(rt, hn->links, HP_MAX_IF, &hn->nlinks);
		rt_close(rt);
		if (ret) {
			snprintf(why, len, "reading the links of %s: %s", names[i], strerror(-ret));
			goto out;
		}
		h.nns++;
	}

	/* Where UDP cannot pass (Docker's proxy), TCP_RR: a data segment each way, ACKs riding on
	 * them. */
	tcp = path_udp_broken(lab, task, p, NULL, 0);
	o.rr = bo->rr;
	o.rr.kind = tcp ? RR_TCP : RR_UDP;
	o.rr.count = HOTPATH_TRANSACTIONS;
	o.rr.req_size = o.rr.resp_size = 64;
	o.rr.timeout_ms = tcp ? 2000 : 100;
	o.rr.duration_s = 30;
	o.before_client = before_cb;
	o.after_client = after_cb;
	o.hook_arg = &h;
	ret = bench_run(tcp ? TEST_TCP_RR : TEST_UDP_RR, &o, &t, &res, why, len);
	if (ret)
		goto out;
	if (h.err) {
		ret = h.err;
		snprintf(why, len, "reading interface counters: %s", strerror(-ret));
		goto out;
	}
	n = json_number_value(json_object_get(json_object_get(res, "metrics"), "transactions"));
	if (n < 1) {
		ret = -EIO;
		snprintf(why, len, "the hot-path probe completed no transaction");
		goto out;
	}

	expected = hotpath_expected(lab, task, p);
	nall = mode_interfaces(lab, all, LAB_MAX_IFACES);
	for (unsigned int i = 0; i < h.nns; i++) {
		struct hp_ns *hn = &h.ns[i];

		for (size_t k = 0; k < hn->nafter && k < HP_MAX_IF; k++) {
			const struct if_counters *a = &hn->after[k];
			const struct if_counters *b = find(hn->before, hn->nbefore, a->ifindex);
			const char *ifn = ifname_of(hn, a->ifindex);
			struct hop *hp = &hops[nh];
			uint64_t moved;

			if (!b || !ifn)
				continue;
			hp->rx = a->rx_packets - b->rx_packets;
			hp->tx = a->tx_packets - b->tx_packets;
			hp->dropped =
				(a->rx_dropped - b->rx_dropped) + (a->tx_dropped - b->tx_dropped);
			moved = hp->rx + hp->tx;
			if (moved == 0)
				continue;
			snprintf(hp->name, sizeof(hp->name), "%s:%s", hn->role, ifn);
			hp->rank = rank_of(expected, all, nall, hp->name);
			hp->per_trans = (double)moved / n;
			nh++;
		}
	}
	qsort(hops, nh, sizeof(hops[0]), hop_cmp);

	measured = json_array();
	per = json_object();
	ifs = json_array();
	for (size_t i = 0; i < nh; i++) {
		/* Each hop sees the request and the response: about 2 per transaction. */
		if (hops[i].per_trans >= 1.0) {
			json_array_append_new(measured, json_string(hops[i].name));
			json_object_set_new(per, hops[i].name,
					    json_real(round(hops[i].per_trans * 1000) / 1000));
		}
		json_array_append_new(ifs, json_pack("{s:s, s:I, s:I, s:I}", "hop", hops[i].name,
						     "rx_packets", (json_int_t)hops[i].rx,
						     "tx_packets", (json_int_t)hops[i].tx,
						     "dropped", (json_int_t)hops[i].dropped));
	}
	snmp = json_object();
	for (unsigned int i = 0; i < h.nns; i++)
		snmp_delta(snmp, &h.ns[i]);
	doc = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o}", "mode",
			lab_mode_name(task->mode), "path", path_name(p), "probe",
			tcp ? "tcp_rr 64/64 B" : "udp_rr 64/64 B", "transactions", (json_int_t)n,
			"hops", measured, "expected_hops", expected, "packets_per_transaction", per,
			"interfaces", ifs, "snmp", snmp);
	if (h.nft_after)
		json_object_set_new(doc, "nft", nft_delta(h.nft_before, h.nft_after, n));
	if (h.ct_after >= 0)
		json_object_set_new(doc, "conntrack_entries", json_integer(h.ct_after));
	json_object_set_new(doc, "family", json_string(bench_family_name(f)));
	json_object_set(doc, "latency_us",
			json_object_get(json_object_get(res, "metrics"), "p50_us"));

	hotpath_verdict(doc, expected, task, p);
	*out = doc;
	doc = NULL;
	ret = 0;
out:
	for (unsigned int i = 0; i < h.nns; i++)
		counters_close(h.ns[i].cs);
	json_decref(h.nft_before);
	json_decref(h.nft_after);
	json_decref(res);
	json_decref(doc);
	return ret;
}
