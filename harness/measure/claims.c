// SPDX-License-Identifier: MIT
/*
 * nsbench claims: the comparison table people choose a network mode from,
 * each row checked on this kernel with a fresh lab, and the evidence shown:
 * the error ECS semantics produce, the hop list, the measured ratios.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/common/notice.h"
#include "harness/lab/build.h"
#include "harness/lab/lab.h"
#include "harness/lab/mode.h"
#include "harness/lab/path.h"
#include "harness/measure/claims.h"
#include "harness/measure/claims_decide.h"
#include "harness/measure/claims_doc.h"
#include "harness/measure/claims_perf.h"
#include "harness/measure/claims_row.h"
#include "harness/measure/hotpath.h"
#include "harness/reports/summary.h"
#include "netns/nftables.h"
#include "netns/probe.h"
#include "netns/rt.h"
#include "netns/testhooks.h"

#define PROBE_MS 1000

static int reach(struct lab *lab, const struct lab_task *t)
{
	return probe_tcp(t->ns, mode_server_bind(lab, t), t->container_port, t->client_ns,
			 t->ep_addr, t->ep_port, PROBE_MS);
}

static void c_awsvpc_address(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201, 5201};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_AWSVPC, 2, ports, 0, false);
	int a, b;

	if (!lab)
		return;
	a = reach(lab, &lab->tasks[0]);
	b = reach(lab, &lab->tasks[1]);
	if (!a && !b && strcmp(lab->tasks[0].addr, lab->tasks[1].addr))
		claim_say(r, CLAIM_HOLDS,
			  "t1 %s:%u and t2 %s:%u, each its own VPC address, reached "
			  "directly from the VPC namespace",
			  lab->tasks[0].addr, lab->tasks[0].ep_port, lab->tasks[1].addr,
			  lab->tasks[1].ep_port);
	else
		claim_say(r, CLAIM_FAILS, "t1 %s: %s; t2 %s: %s", lab->tasks[0].addr,
			  a ? strerror(-a) : "reached", lab->tasks[1].addr,
			  b ? strerror(-b) : "reached");
	claim_lab_end(lab);
}

static void c_awsvpc_same_port(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {8080, 8080};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_AWSVPC, 2, ports, 0, false);

	if (!lab)
		return;
	if (!reach(lab, &lab->tasks[0]) && !reach(lab, &lab->tasks[1]))
		claim_say(r, CLAIM_HOLDS,
			  "two tasks with containerPort 8080 on one instance, both "
			  "serving (%s:8080, %s:8080)",
			  lab->tasks[0].addr, lab->tasks[1].addr);
	else
		claim_say(r, CLAIM_FAILS, "two tasks on containerPort 8080 did not both serve");
	claim_lab_end(lab);
}

/*
 * ENIS of the instance place ENIS - 1 awsvpc tasks, and refuse the next. With
 * TRUNKING the tasks are VLAN branches of one trunk ENI: a kernel without
 * 802.1Q cannot build them, and the claim cannot be checked there (checking
 * only the cap would say nothing about trunking).
 */
static void eni_limit(struct claims_ctx *c, struct claim_result *r, unsigned int enis,
		      const char *what, bool trunking)
{
	struct lab_config cfg;
	uint16_t ports[16];
	struct lab *lab;
	int ret;

	for (unsigned int i = 0; i < 16; i++)
		ports[i] = 5201;
	claims_lab_config(&c->opts, &cfg);
	cfg.max_enis = enis;
	cfg.trunking = trunking;
	lab = claim_lab_new_cfg(r, &cfg, MODE_AWSVPC, enis - 1, ports);
	if (!lab)
		return;
	ret = lab_add_task(lab, MODE_AWSVPC, 5201);
	if (ret == -ENOSPC && lab->ntasks == enis - 1)
		claim_say(r, CLAIM_HOLDS, "%s: %u ENIs, %u tasks placed; task %u refused: \"%s\"",
			  what, enis, enis - 1, enis, lab->err);
	else
		claim_say(r, CLAIM_FAILS, "%s: with %u ENIs a task beyond %u was %s", what, enis,
			  enis - 1, ret ? lab->err : "placed");
	claim_lab_end(lab);
}

static void c_eni_limit(struct claims_ctx *c, struct claim_result *r)
{
	eni_limit(c, r, 3, "c5.large", false);
}

static void c_eni_trunking(struct claims_ctx *c, struct claim_result *r)
{
	eni_limit(c, r, 10, "with ENI trunking (tasks on VLAN branches of one trunk ENI)", true);
}

/* The hot path of task 1, ingress; NULL (the lab removed, R saying why) on failure. */
static json_t *probe_t1(struct lab *lab, struct claim_result *r)
{
	struct bench_opts bo;
	json_t *hp = NULL;
	char why[512];

	bench_opts_default(&bo);
	bench_cpus_resolve(&bo.cpus);
	if (hotpath_probe(lab, &lab->tasks[0], PATH_INGRESS, &bo, &hp, why, sizeof(why))) {
		claim_say(r, CLAIM_FAILS, "%s", why);
		claim_lab_end(lab);
		return NULL;
	}
	return hp;
}

/* Traffic to t1 only: t1's interface counts it, t2's does not (flow-log analogue). */
static void c_flows(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201, 5201};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_AWSVPC, 2, ports, 0, false);
	json_t *hp;
	double t1, t2;

	if (!lab || !(hp = probe_t1(lab, r)))
		return;
	t1 = json_number_value(
		json_object_get(json_object_get(hp, "packets_per_transaction"), "t1:eth0"));
	t2 = 0;
	{
		json_t *i;
		size_t k;

		json_array_foreach(json_object_get(hp, "interfaces"), k, i)
			if (!strcmp(json_string_value(json_object_get(i, "hop")), "t2:eth0"))
				t2 = (double)(json_integer_value(json_object_get(i, "rx_packets")) +
					      json_integer_value(json_object_get(i, "tx_packets")));
	}
	if (t1 >= 1.9 && t2 < 10)
		claim_say(r, CLAIM_HOLDS,
			  "%lld transactions to t1: t1:eth0 counted %.2f packets each, "
			  "t2:eth0 %.0f packets in all",
			  (long long)json_integer_value(json_object_get(hp, "transactions")), t1,
			  t2);
	else
		claim_say(r, CLAIM_FAILS, "t1:eth0 %.2f packets/transaction, t2:eth0 %.0f packets",
			  t1, t2);
	json_decref(hp);
	claim_lab_end(lab);
}

static void c_static_port(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {8080};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_BRIDGE, 1, ports, 0, false);
	int ret;

	if (!lab)
		return;
	ret = lab_add_task(lab, MODE_BRIDGE, 8080);
	if (ret == -EADDRINUSE)
		claim_say(r, CLAIM_HOLDS, "a second task on hostPort 8080 refused: \"%s\"",
			  lab->err);
	else
		claim_say(r, CLAIM_FAILS, "a second task with static hostPort 8080 was %s",
			  ret ? lab->err : "placed on the same instance");
	claim_lab_end(lab);
}

static void c_dynamic_ports(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {80, 80, 80};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_BRIDGE_DYNAMIC, 3, ports, 0, false);
	uint16_t lo = LAB_DYNAMIC_LO, hi = LAB_DYNAMIC_HI;
	bool ok = true;

	if (!lab)
		return;
	(void)ports_local_range(lab->ns_inst, &lo, &hi); /* else ECS's fallback, as the lab */
	for (unsigned int i = 0; i < 3; i++) {
		const struct lab_task *t = &lab->tasks[i];

		ok &= t->host_port >= lo && t->host_port <= hi && !reach(lab, t);
		for (unsigned int k = 0; k < i; k++)
			ok &= lab->tasks[k].host_port != t->host_port;
	}
	claim_say(
		r, ok ? CLAIM_HOLDS : CLAIM_FAILS,
		"3 tasks with containerPort 80 got hostPorts %u, %u, %u from the instance's range "
		"%u-%u%s",
		lab->tasks[0].host_port, lab->tasks[1].host_port, lab->tasks[2].host_port, lo, hi,
		ok ? ", each reachable" : "");
	claim_lab_end(lab);
}

static void c_bridge_hop(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_BRIDGE, 1, ports, 0, false);
	json_t *hp;
	char *hops;

	if (!lab || !(hp = probe_t1(lab, r)))
		return;
	hops = json_dumps(json_object_get(hp, "hops"), JSON_COMPACT);
	if (json_is_true(json_object_get(hp, "ok")))
		claim_say(r, CLAIM_HOLDS,
			  "hops %s (host mode: vpc0, sw-eth0, eth0); the forward rule counted "
			  "every packet, the instance routed them",
			  hops);
	else
		claim_say(r, CLAIM_FAILS, "%s", json_string_value(json_object_get(hp, "problem")));
	free(hops);
	json_decref(hp);
	claim_lab_end(lab);
}

static void c_bridge_not_addressable(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_BRIDGE, 1, ports, 0, false);
	struct rt *rt = NULL;
	int route = 0, conn;

	if (!lab)
		return;
	if (!rt_open(&rt, lab->ns_vpc))
		route = rt_route_get(rt, lab->tasks[0].addr);
	rt_close(rt);
	conn = probe_tcp(lab->tasks[0].ns, "0.0.0.0", 5201, lab->ns_vpc, lab->tasks[0].addr, 5201,
			 300);
	if (conn)
		claim_say(r, CLAIM_HOLDS,
			  "from the VPC, %s:5201 (the task's own IP): %s; route "
			  "lookup: %s; only %s:%u reaches it",
			  lab->tasks[0].addr, strerror(-conn), route ? strerror(-route) : "found",
			  lab->tasks[0].ep_addr, lab->tasks[0].ep_port);
	else
		claim_say(r, CLAIM_FAILS, "the VPC reached the task at its own IP %s",
			  lab->tasks[0].addr);
	claim_lab_end(lab);
}

static void c_host_port(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_HOST, 1, ports, 0, false);
	int ret, reached;

	if (!lab)
		return;
	reached = reach(lab, &lab->tasks[0]);
	ret = lab_add_task(lab, MODE_HOST, 5201);
	if (!reached && lab->tasks[0].ep_port == lab->tasks[0].container_port && ret == -EADDRINUSE)
		claim_say(r, CLAIM_HOLDS,
			  "served on the instance's own %s:5201, no remapping; a second "
			  "task: \"%s\"",
			  lab->inst_addr, lab->err);
	else
		claim_say(r, CLAIM_FAILS, "endpoint %s:%u, second task %s", lab->tasks[0].ep_addr,
			  lab->tasks[0].ep_port, ret ? lab->err : "placed on the same port");
	claim_lab_end(lab);
}

static void c_none_loopback(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_NONE, 1, ports, 0, false);
	struct rt_link_info li[8];
	struct lab_route route = {.n = 0};
	struct rt *rt = NULL;
	size_t n = 0;
	int lo;

	if (!lab)
		return;
	if (!rt_open(&rt, lab->tasks[0].ns))
		rt_links(rt, li, 8, &n);
	rt_close(rt);
	lo = reach(lab, &lab->tasks[0]);
	/* The only interface must be the one the loopback route crosses. */
	mode_route(lab, &lab->tasks[0], NULL, PATH_LOOPBACK, &route);
	if (n == 1 && route.n && !strcmp(li[0].name, route.hop[0].iface.name) && !lo)
		claim_say(r, CLAIM_HOLDS,
			  "the task's only interface is lo; 127.0.0.1:5201 answers inside");
	else
		claim_say(r, CLAIM_FAILS, "%zu interfaces in the task (first: %s); loopback %s", n,
			  n ? li[0].name : "-", lo ? strerror(-lo) : "works");
	claim_lab_end(lab);
}

static void c_none_isolated(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_NONE, 1, ports, 0, false);
	struct rt *rt = NULL;
	int in_vpc, in_inst, out = -EIO, route = 0;

	if (!lab)
		return;
	in_vpc = probe_tcp(lab->tasks[0].ns, "0.0.0.0", 5201, lab->ns_vpc, "127.0.0.1", 5201, 300);
	in_inst = probe_tcp(lab->tasks[0].ns, "0.0.0.0", 5201, lab->ns_inst, lab->inst_addr, 5201,
			    300);
	out = probe_tcp(lab->ns_vpc, lab->vpc_addr, 5202, lab->tasks[0].ns, lab->vpc_addr, 5202,
			300);
	if (!rt_open(&rt, lab->tasks[0].ns))
		route = rt_route_get(rt, lab->vpc_addr);
	rt_close(rt);
	if (in_vpc && in_inst && out && route == -ENETUNREACH)
		claim_say(r, CLAIM_HOLDS,
			  "the task's server, from the VPC (127.0.0.1 there is the VPC's "
			  "own lo): %s; from the instance: %s; task -> VPC %s: %s",
			  strerror(-in_vpc), strerror(-in_inst), lab->vpc_addr, strerror(-out));
	else
		claim_say(r, CLAIM_FAILS, "VPC -> task %s, instance -> task %s, task -> VPC %s",
			  in_vpc ? "refused" : "reached", in_inst ? "refused" : "reached",
			  out ? "refused" : "reached");
	claim_lab_end(lab);
}

static void c_security_group(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = claim_lab_new(&c->opts, r, MODE_AWSVPC, 1, ports, 0, true);
	json_t *rules = NULL, *rule;
	long long dropped = 0;
	int ok_port, other;
	size_t i;

	if (!lab)
		return;
	ok_port = reach(lab, &lab->tasks[0]);
	other = probe_tcp(lab->tasks[0].ns, "0.0.0.0", 5202, lab->ns_vpc, lab->tasks[0].addr, 5202,
			  300);
	if (lab->pm && !portmap_sg_counters(lab->pm, &rules))
		json_array_foreach(rules, i, rule)
			if (strstr(json_string_value(json_object_get(rule, "comment")), "deny tcp"))
				dropped += json_integer_value(json_object_get(rule, "packets"));
	json_decref(rules);
	if (!ok_port && other && dropped > 0) {
		char cost[128] = "";

		r->figures = json_pack("{s:I}", "dropped_syns", (json_int_t)dropped);
		if (c->perf.done && !c->perf.err && c->perf.n > 0) {
			struct summary a, b;

			summary_of(c->perf.p50[PM_AWSVPC_SG], (size_t)c->perf.n, &a);
			summary_of(c->perf.p50[PM_AWSVPC], (size_t)c->perf.n, &b);
			snprintf(cost, sizeof(cost),
				 "; cost: TCP_RR p50 %.2f us with, %.2f us "
				 "without (%.3fx)",
				 a.median, b.median, a.median / b.median);
			json_object_set_new(r->figures, "tcp_rr_p50_us",
					    json_pack("{s:i, s:f, s:f, s:f}", "rounds", c->perf.n,
						      "with", a.median, "without", b.median,
						      "ratio", a.median / b.median));
		}
		claim_say(r, CLAIM_HOLDS,
			  "port 5201 allowed and served; port 5202 refused (%s), the "
			  "filter on the task's ENI dropped %lld SYNs%s",
			  strerror(-other), dropped, cost);
	} else {
		claim_say(r, CLAIM_FAILS, "allowed port: %s; other port: %s; drops counted: %lld",
			  ok_port ? strerror(-ok_port) : "served", other ? "refused" : "served",
			  dropped);
	}
	claim_lab_end(lab);
}
static void c_bridge_slower(struct claims_ctx *c, struct claim_result *r)
{
	claims_perf_verdict(c, r, D_BRIDGE_SLOWER);
}

static void c_host_fastest(struct claims_ctx *c, struct claim_result *r)
{
	claims_perf_verdict(c, r, D_HOST_FASTEST);
}

static void c_awsvpc_vs_bridge(struct claims_ctx *c, struct claim_result *r)
{
	claims_perf_verdict(c, r, D_AWSVPC_VS_BRIDGE);
}

static const struct claim {
	const char *id;
	enum lab_mode mode; /* the column of the comparison table */
	const char *text;
	void (*fn)(struct claims_ctx *c, struct claim_result *r);
	unsigned int needs; /* performance modes measured in rounds */
	int decision;	    /* which sequential decision, or -1 */
} claims[] = {
/* clang-format off */
#define C(id, mode, text, fn) {id, mode, text, fn, 0, -1}
#define P(id, mode, text, fn, d) {id, mode, text, fn, 0, d}
	/* clang-format on */
	C("awsvpc-own-address", MODE_AWSVPC,
	  "each task has its own address, reachable directly from the VPC", c_awsvpc_address),
	C("awsvpc-same-port", MODE_AWSVPC,
	  "two tasks of the same definition (same containerPort) run on one instance",
	  c_awsvpc_same_port),
	C("awsvpc-eni-limit", MODE_AWSVPC, "the ENI limit caps the task count", c_eni_limit),
	C("awsvpc-trunking", MODE_AWSVPC, "ENI trunking raises the cap", c_eni_trunking),
	C("awsvpc-flows", MODE_AWSVPC, "per-task flows are visible per interface (flow logs)",
	  c_flows),
	{"awsvpc-security-group", MODE_AWSVPC,
	 "a security group refuses a port it does not allow, outside the task", c_security_group,
	 NEED(PM_AWSVPC) | NEED(PM_AWSVPC_SG), -1},
	C("bridge-static-port", MODE_BRIDGE, "a static hostPort serves one task per instance",
	  c_static_port),
	C("bridge-dynamic-ports", MODE_BRIDGE,
	  "dynamic mapping places several tasks, hostPorts from the ephemeral range",
	  c_dynamic_ports),
	C("bridge-extra-hop", MODE_BRIDGE, "the path has an extra hop through the bridge and NAT",
	  c_bridge_hop),
	P("bridge-slower", MODE_BRIDGE, "throughput and latency are worse than host's",
	  c_bridge_slower, D_BRIDGE_SLOWER),
	C("bridge-not-addressable", MODE_BRIDGE,
	  "the task is not addressable from the VPC by its own IP", c_bridge_not_addressable),
	C("host-port", MODE_HOST, "no port remapping; a second task on the same port fails",
	  c_host_port),
	C("host-no-proxy", MODE_HOST, "needs no NAT and no userland proxy per port",
	  claim_no_proxy),
	P("host-fastest", MODE_HOST, "the fastest of the modes the VPC can reach", c_host_fastest,
	  D_HOST_FASTEST),
	C("none-loopback-only", MODE_NONE, "only loopback exists in the task", c_none_loopback),
	C("none-isolated", MODE_NONE, "nothing reaches it from the VPC and it reaches nothing",
	  c_none_isolated),
	P("awsvpc-vs-bridge", MODE_AWSVPC,
	  "performs better than bridge (the reason AWS recommends it)", c_awsvpc_vs_bridge,
	  D_AWSVPC_VS_BRIDGE),
	C("jumbo-frames", MODE_AWSVPC,
	  "jumbo frames reach awsvpc and host tasks but not bridge tasks", claim_jumbo),
	C("agent-endpoint", MODE_AWSVPC, "every task reaches its agent's endpoint at 169.254.170.2",
	  claim_agent_endpoint),
	C("ipv6", MODE_AWSVPC,
	  "awsvpc and host tasks are reachable over IPv6; a bridge task's own address is "
	  "not (Docker's default bridge), its hostPort is, through docker-proxy",
	  claim_ipv6),
#undef C
#undef P
};

#define NCLAIMS (sizeof(claims) / sizeof(claims[0]))

static bool selected(const char *only, const char *id)
{
	size_t n = strlen(id);
	const char *p = only;

	if (!only)
		return true;
	while ((p = strstr(p, id))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

json_t *claims_catalog(void)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < NCLAIMS; i++)
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "id", claims[i].id, "mode",
						      lab_mode_name(claims[i].mode), "claim",
						      claims[i].text));
	return rows;
}

json_t *claims_run(const struct claims_opts *o, const char *only, int *failed, int *inconclusive)
{
	static const char *const names[] = {"holds", "does not hold", "cannot check",
					    "inconclusive"};
	struct claims_ctx c;
	json_t *doc, *rows = json_array();
	unsigned int total = 0, k = 0;
	char what[256];

	memset(&c, 0, sizeof(c));
	c.opts = *o;
	doc = claims_doc_new(&c.opts, only);
	*failed = *inconclusive = 0;
	/* Only the modes that the selected performance claims need are measured. */
	for (size_t i = 0; i < NCLAIMS; i++) {
		if (!selected(only, claims[i].id))
			continue;
		total++;
		c.needs |= claims[i].needs;
		if (claims[i].decision >= 0) {
			c.wants[claims[i].decision] = true;
			c.needs |= claims_decide_needs(claims[i].decision);
			c.thr_needs |= claims_decide_needs(claims[i].decision);
		}
	}
	/* The performance rounds first, so that the security-group row can show its cost. */
	if (c.needs)
		claims_perf_measure(&c);
	for (size_t i = 0; i < NCLAIMS && !lab_stop; i++) {
		struct claim_result r = {CLAIM_UNCHECKABLE, "", NULL};

		if (!selected(only, claims[i].id))
			continue;
		/* On a terminal, what is being checked now (-v: a line each). */
		snprintf(what, sizeof(what), "claim %s: %s", claims[i].id, claims[i].text);
		notice_progress(k++, total, -1, what);
		claims[i].fn(&c, &r);
		*failed += r.verdict == CLAIM_FAILS;
		*inconclusive += r.verdict == CLAIM_INCONCLUSIVE;
		json_array_append_new(
			rows,
			json_pack("{s:s, s:s, s:s, s:s, s:s, s:o*}", "id", claims[i].id, "mode",
				  lab_mode_name(claims[i].mode), "claim", claims[i].text, "verdict",
				  names[r.verdict], "evidence", r.evidence, "figures", r.figures));
	}
	notice_progress_end();
	claims_doc_finish(doc, &c, rows);
	claims_decide_release(&c);
	return doc;
}
