// SPDX-License-Identifier: MIT
/*
 * nsbench claims: the comparison table people choose a network mode from,
 * each row checked on this kernel with a fresh lab, and the evidence shown:
 * the error ECS semantics produce, the hop list, the measured ratios.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "counters.h"
#include "hotpath.h"
#include "lab.h"
#include "log.h"
#include "netns.h"
#include "path.h"
#include "portmap.h"
#include "probe.h"
#include "rt.h"
#include "summary.h"
#include "sysctl.h"

#define PROBE_MS 1000
#define PERF_REPS 7
/* "Fastest" allows this much: measurement noise on a shared machine. */
#define FASTEST_TOLERANCE 0.05

struct claim_result {
	enum claim_verdict verdict;
	char evidence[512];
};

/* Performance, measured once for every claim that needs it, side by side. */
enum perf_mode { PM_HOST, PM_BRIDGE, PM_AWSVPC, PM_AWSVPC_SG, PM_COUNT };

struct perf {
	bool done;
	int err;
	char why[600];
	double thr[PM_COUNT][PERF_REPS], p50[PM_COUNT][PERF_REPS];
	int n[PM_COUNT];
};

struct ctx {
	struct perf perf;
};

static void say(struct claim_result *r, enum claim_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct claim_result *r, enum claim_verdict v, const char *fmt, ...)
{
	va_list ap;

	r->verdict = v;
	va_start(ap, fmt);
	vsnprintf(r->evidence, sizeof(r->evidence), fmt, ap);
	va_end(ap);
}

/* A fresh lab; NULL with the reason in R (cannot check) when the kernel refuses. */
static struct lab *new_lab(struct claim_result *r, enum lab_mode m, unsigned int n,
			   const uint16_t *ports, unsigned int max_enis, bool sg)
{
	struct lab *lab = calloc(1, sizeof(*lab));
	struct lab_config cfg;

	if (!lab) {
		say(r, CLAIM_UNCHECKABLE, "out of memory");
		return NULL;
	}
	lab_config_default(&cfg);
	cfg.max_enis = max_enis;
	cfg.security_group = sg;
	if (lab_init(lab, &cfg, "claims")) {
		say(r, CLAIM_UNCHECKABLE, "cannot plan a lab");
		free(lab);
		return NULL;
	}
	for (unsigned int i = 0; i < n; i++)
		if (lab_plan_task(lab, m, ports[i])) {
			say(r, CLAIM_UNCHECKABLE, "planning: %s", lab->err);
			free(lab);
			return NULL;
		}
	if (lab_up(lab)) {
		say(r, CLAIM_UNCHECKABLE, "mode %s unavailable here: %s", lab_mode_name(m),
		    lab->err);
		lab_free(lab);
		free(lab);
		return NULL;
	}
	return lab;
}

static void end_lab(struct lab *lab)
{
	if (!lab)
		return;
	lab_down(lab, LAB_TEARDOWN_GROUP);
	lab_free(lab);
	free(lab);
}

static int reach(struct lab *lab, const struct lab_task *t)
{
	return probe_tcp(t->ns, t->mode == MODE_HOST ? lab->inst_addr : "0.0.0.0",
			 t->container_port, t->client_ns, t->ep_addr, t->ep_port, PROBE_MS);
}

static void c_awsvpc_address(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201, 5201};
	struct lab *lab = new_lab(r, MODE_AWSVPC, 2, ports, 0, false);
	int a, b;

	(void)c;
	if (!lab)
		return;
	a = reach(lab, &lab->tasks[0]);
	b = reach(lab, &lab->tasks[1]);
	if (!a && !b && strcmp(lab->tasks[0].addr, lab->tasks[1].addr))
		say(r, CLAIM_HOLDS,
		    "t1 %s:%u and t2 %s:%u, each its own VPC address, reached "
		    "directly from the VPC namespace",
		    lab->tasks[0].addr, lab->tasks[0].ep_port, lab->tasks[1].addr,
		    lab->tasks[1].ep_port);
	else
		say(r, CLAIM_FAILS, "t1 %s: %s; t2 %s: %s", lab->tasks[0].addr,
		    a ? strerror(-a) : "reached", lab->tasks[1].addr, b ? strerror(-b) : "reached");
	end_lab(lab);
}

static void c_awsvpc_same_port(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {8080, 8080};
	struct lab *lab = new_lab(r, MODE_AWSVPC, 2, ports, 0, false);

	(void)c;
	if (!lab)
		return;
	if (!reach(lab, &lab->tasks[0]) && !reach(lab, &lab->tasks[1]))
		say(r, CLAIM_HOLDS,
		    "two tasks with containerPort 8080 on one instance, both "
		    "serving (%s:8080, %s:8080)",
		    lab->tasks[0].addr, lab->tasks[1].addr);
	else
		say(r, CLAIM_FAILS, "two tasks on containerPort 8080 did not both serve");
	end_lab(lab);
}

static void eni_limit(struct claim_result *r, unsigned int enis, const char *what)
{
	uint16_t ports[16];
	struct lab *lab;
	int ret;

	for (unsigned int i = 0; i < 16; i++)
		ports[i] = 5201;
	lab = new_lab(r, MODE_AWSVPC, enis - 1, ports, enis, false);
	if (!lab)
		return;
	ret = lab_add_task(lab, MODE_AWSVPC, 5201);
	if (ret == -ENOSPC && lab->ntasks == enis - 1)
		say(r, CLAIM_HOLDS, "%s: %u ENIs, %u tasks placed; task %u refused: \"%s\"", what,
		    enis, enis - 1, enis, lab->err);
	else
		say(r, CLAIM_FAILS, "%s: with %u ENIs a task beyond %u was %s", what, enis,
		    enis - 1, ret ? lab->err : "placed");
	end_lab(lab);
}

static void c_eni_limit(struct ctx *c, struct claim_result *r)
{
	(void)c;
	eni_limit(r, 3, "c5.large");
}

static void c_eni_trunking(struct ctx *c, struct claim_result *r)
{
	(void)c;
	eni_limit(r, 10, "with ENI trunking");
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
		say(r, CLAIM_FAILS, "%s", why);
		end_lab(lab);
		return NULL;
	}
	return hp;
}

/* Traffic to t1 only: t1's interface counts it, t2's does not (flow-log analogue). */
static void c_flows(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201, 5201};
	struct lab *lab = new_lab(r, MODE_AWSVPC, 2, ports, 0, false);
	json_t *hp;
	double t1, t2;

	(void)c;
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
		say(r, CLAIM_HOLDS,
		    "%lld transactions to t1: t1:eth0 counted %.2f packets each, "
		    "t2:eth0 %.0f packets in all",
		    (long long)json_integer_value(json_object_get(hp, "transactions")), t1, t2);
	else
		say(r, CLAIM_FAILS, "t1:eth0 %.2f packets/transaction, t2:eth0 %.0f packets", t1,
		    t2);
	json_decref(hp);
	end_lab(lab);
}

static void c_static_port(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {8080};
	struct lab *lab = new_lab(r, MODE_BRIDGE, 1, ports, 0, false);
	int ret;

	(void)c;
	if (!lab)
		return;
	ret = lab_add_task(lab, MODE_BRIDGE, 8080);
	if (ret == -EADDRINUSE)
		say(r, CLAIM_HOLDS, "a second task on hostPort 8080 refused: \"%s\"", lab->err);
	else
		say(r, CLAIM_FAILS, "a second task with static hostPort 8080 was %s",
		    ret ? lab->err : "placed on the same instance");
	end_lab(lab);
}

static void c_dynamic_ports(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {80, 80, 80};
	struct lab *lab = new_lab(r, MODE_BRIDGE_DYNAMIC, 3, ports, 0, false);
	uint16_t lo = LAB_DYNAMIC_LO, hi = LAB_DYNAMIC_HI;
	char buf[64];
	bool ok = true;

	(void)c;
	if (!lab)
		return;
	if (!sysctl_read(lab->ns_inst, "net.ipv4.ip_local_port_range", buf, sizeof(buf)))
		port_range_parse(buf, &lo, &hi);
	for (unsigned int i = 0; i < 3; i++) {
		const struct lab_task *t = &lab->tasks[i];

		ok &= t->host_port >= lo && t->host_port <= hi && !reach(lab, t);
		for (unsigned int k = 0; k < i; k++)
			ok &= lab->tasks[k].host_port != t->host_port;
	}
	say(r, ok ? CLAIM_HOLDS : CLAIM_FAILS,
	    "3 tasks with containerPort 80 got hostPorts %u, %u, %u from the instance's range "
	    "%u-%u%s",
	    lab->tasks[0].host_port, lab->tasks[1].host_port, lab->tasks[2].host_port, lo, hi,
	    ok ? ", each reachable" : "");
	end_lab(lab);
}

static void c_bridge_hop(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = new_lab(r, MODE_BRIDGE, 1, ports, 0, false);
	json_t *hp;
	char *hops;

	(void)c;
	if (!lab || !(hp = probe_t1(lab, r)))
		return;
	hops = json_dumps(json_object_get(hp, "hops"), JSON_COMPACT);
	if (json_is_true(json_object_get(hp, "ok")))
		say(r, CLAIM_HOLDS,
		    "hops %s (host mode: vpc0, eth0); the forward rule counted "
		    "every packet, the instance routed them",
		    hops);
	else
		say(r, CLAIM_FAILS, "%s", json_string_value(json_object_get(hp, "problem")));
	free(hops);
	json_decref(hp);
	end_lab(lab);
}

static void c_bridge_not_addressable(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = new_lab(r, MODE_BRIDGE, 1, ports, 0, false);
	struct rt *rt = NULL;
	int route = 0, conn;

	(void)c;
	if (!lab)
		return;
	if (!rt_open(&rt, lab->ns_vpc))
		route = rt_route_get(rt, lab->tasks[0].addr);
	rt_close(rt);
	conn = probe_tcp(lab->tasks[0].ns, "0.0.0.0", 5201, lab->ns_vpc, lab->tasks[0].addr, 5201,
			 300);
	if (conn)
		say(r, CLAIM_HOLDS,
		    "from the VPC, %s:5201 (the task's own IP): %s; route "
		    "lookup: %s; only %s:%u reaches it",
		    lab->tasks[0].addr, strerror(-conn), route ? strerror(-route) : "found",
		    lab->tasks[0].ep_addr, lab->tasks[0].ep_port);
	else
		say(r, CLAIM_FAILS, "the VPC reached the task at its own IP %s",
		    lab->tasks[0].addr);
	end_lab(lab);
}

static void c_host_port(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = new_lab(r, MODE_HOST, 1, ports, 0, false);
	int ret, reached;

	(void)c;
	if (!lab)
		return;
	reached = reach(lab, &lab->tasks[0]);
	ret = lab_add_task(lab, MODE_HOST, 5201);
	if (!reached && lab->tasks[0].ep_port == lab->tasks[0].container_port && ret == -EADDRINUSE)
		say(r, CLAIM_HOLDS,
		    "served on the instance's own %s:5201, no remapping; a second "
		    "task: \"%s\"",
		    lab->inst_addr, lab->err);
	else
		say(r, CLAIM_FAILS, "endpoint %s:%u, second task %s", lab->tasks[0].ep_addr,
		    lab->tasks[0].ep_port, ret ? lab->err : "placed on the same port");
	end_lab(lab);
}

static void c_none_loopback(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = new_lab(r, MODE_NONE, 1, ports, 0, false);
	struct rt_link_info li[8];
	struct rt *rt = NULL;
	size_t n = 0;
	int lo;

	(void)c;
	if (!lab)
		return;
	if (!rt_open(&rt, lab->tasks[0].ns))
		rt_links(rt, li, 8, &n);
	rt_close(rt);
	lo = reach(lab, &lab->tasks[0]);
	if (n == 1 && !strcmp(li[0].name, "lo") && !lo)
		say(r, CLAIM_HOLDS,
		    "the task's only interface is lo; 127.0.0.1:5201 answers inside");
	else
		say(r, CLAIM_FAILS, "%zu interfaces in the task (first: %s); loopback %s", n,
		    n ? li[0].name : "-", lo ? strerror(-lo) : "works");
	end_lab(lab);
}

static void c_none_isolated(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = new_lab(r, MODE_NONE, 1, ports, 0, false);
	struct rt *rt = NULL;
	int in_vpc, in_inst, out = -EIO, route = 0;

	(void)c;
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
		say(r, CLAIM_HOLDS,
		    "the task's server, from the VPC (127.0.0.1 there is the VPC's "
		    "own lo): %s; from the instance: %s; task -> VPC %s: %s",
		    strerror(-in_vpc), strerror(-in_inst), lab->vpc_addr, strerror(-out));
	else
		say(r, CLAIM_FAILS, "VPC -> task %s, instance -> task %s, task -> VPC %s",
		    in_vpc ? "refused" : "reached", in_inst ? "refused" : "reached",
		    out ? "refused" : "reached");
	end_lab(lab);
}

static void c_security_group(struct ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab = new_lab(r, MODE_AWSVPC, 1, ports, 0, true);
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

		if (c->perf.done && !c->perf.err && c->perf.n[PM_AWSVPC_SG] &&
		    c->perf.n[PM_AWSVPC]) {
			struct summary a, b;

			summary_of(c->perf.p50[PM_AWSVPC_SG], (size_t)c->perf.n[PM_AWSVPC_SG], &a);
			summary_of(c->perf.p50[PM_AWSVPC], (size_t)c->perf.n[PM_AWSVPC], &b);
			snprintf(cost, sizeof(cost),
				 "; cost: TCP_RR p50 %.2f us with, %.2f us "
				 "without (%.3fx)",
				 a.median, b.median, a.median / b.median);
		}
		say(r, CLAIM_HOLDS,
		    "port 5201 allowed and served; port 5202 refused (%s), the "
		    "filter on the instance's eth0 dropped %lld SYNs%s",
		    strerror(-other), dropped, cost);
	} else {
		say(r, CLAIM_FAILS, "allowed port: %s; other port: %s; drops counted: %lld",
		    ok_port ? strerror(-ok_port) : "served", other ? "refused" : "served", dropped);
	}
	end_lab(lab);
}

/* host, bridge and awsvpc (and awsvpc behind the filter), side by side, PERF_REPS times. */
static void ensure_perf(struct ctx *c)
{
	static const enum lab_mode modes[PM_COUNT] = {MODE_HOST, MODE_BRIDGE, MODE_AWSVPC,
						      MODE_AWSVPC};
	static const uint16_t ports[] = {5201};
	struct perf *p = &c->perf;
	struct lab *labs[PM_COUNT] = {0};
	struct claim_result r;

	if (p->done)
		return;
	p->done = true;
	for (int m = 0; m < PM_COUNT; m++) {
		labs[m] = new_lab(&r, modes[m], 1, ports, 0, m == PM_AWSVPC_SG);
		if (!labs[m]) {
			p->err = -EOPNOTSUPP;
			snprintf(p->why, sizeof(p->why), "%s", r.evidence);
			goto out;
		}
	}
	fprintf(stderr, "nsbench: measuring host, bridge and awsvpc side by side (%d rounds)\n",
		PERF_REPS);
	for (int rep = 0; rep < PERF_REPS && !lab_stop; rep++)
		for (int m = 0; m < PM_COUNT && !lab_stop; m++) {
			struct bench_opts bo;
			struct bench_target t;
			json_t *res = NULL;
			char why[512];
			int ret;

			bench_opts_default(&bo);
			bench_cpus_resolve(&bo.cpus);
			bo.stream.duration_s = 2;
			bo.stream.omit_s = 0;
			bo.rr.duration_s = 0.5;
			bo.rr.warmup_s = 0.1;
			ret = path_target(labs[m], &labs[m]->tasks[0], NULL, PATH_INGRESS, &t, why,
					  sizeof(why));
			if (!ret && m != PM_AWSVPC_SG)
				ret = bench_run(TEST_TCP_STREAM, &bo, &t, &res, why, sizeof(why));
			if (!ret && res)
				p->thr[m][p->n[m]] = json_number_value(json_object_get(
					json_object_get(res, "metrics"), "throughput_bps"));
			json_decref(res);
			res = NULL;
			if (!ret)
				ret = bench_run(TEST_TCP_RR, &bo, &t, &res, why, sizeof(why));
			if (ret) {
				p->err = ret;
				snprintf(p->why, sizeof(p->why), "%s", why);
				json_decref(res);
				goto out;
			}
			log_debug("round %d %s: %.3f Gbit/s, p50 %.2f us", rep,
				  lab_mode_name(modes[m]), p->thr[m][p->n[m]] / 1e9,
				  json_number_value(json_object_get(json_object_get(res, "metrics"),
								    "p50_us")));
			p->p50[m][p->n[m]++] = json_number_value(
				json_object_get(json_object_get(res, "metrics"), "p50_us"));
			json_decref(res);
		}
	if (lab_stop) {
		p->err = -EINTR;
		snprintf(p->why, sizeof(p->why), "interrupted");
	}
out:
	for (int m = 0; m < PM_COUNT; m++)
		end_lab(labs[m]);
}

static double med(const double *v, int n)
{
	struct summary s;

	return summary_of(v, (size_t)n, &s) ? NAN : s.median;
}

/*
 * A better than B, significantly: rounds paired (measured side by side, so the
 * machine's drift cancels), p < 0.05; throughput higher, latency lower.
 */
static bool beats(const double *a, const double *b, int n, bool higher)
{
	double p, ratio;

	if (paired_ratio_test(a, b, (size_t)n, &p, &ratio) || p >= 0.05)
		return false;
	return higher ? ratio > 1 : ratio < 1;
}

static bool perf_ready(struct ctx *c, struct claim_result *r)
{
	ensure_perf(c);
	if (c->perf.err) {
		say(r, CLAIM_UNCHECKABLE, "measurement failed: %s", c->perf.why);
		return false;
	}
	return true;
}

static void c_bridge_slower(struct ctx *c, struct claim_result *r)
{
	struct perf *p = &c->perf;
	double tr, lr;
	bool slower;

	if (!perf_ready(c, r))
		return;
	tr = med(p->thr[PM_BRIDGE], p->n[PM_BRIDGE]) / med(p->thr[PM_HOST], p->n[PM_HOST]);
	lr = med(p->p50[PM_BRIDGE], p->n[PM_BRIDGE]) / med(p->p50[PM_HOST], p->n[PM_HOST]);
	slower = beats(p->thr[PM_HOST], p->thr[PM_BRIDGE], p->n[PM_HOST], true) &&
		 beats(p->p50[PM_HOST], p->p50[PM_BRIDGE], p->n[PM_HOST], false);
	say(r, slower ? CLAIM_HOLDS : CLAIM_FAILS,
	    "bridge/host: throughput %.2fx, TCP_RR p50 %.2fx (median of %d rounds side by side%s)",
	    tr, lr, p->n[PM_HOST],
	    slower ? ", both significant (paired t-test)" : "; not significantly worse on both");
}

/* Beats host beyond the tolerance, significantly (paired): the claim's counter-evidence. */
static bool beats_host(const double *x, const double *host, int n, bool higher, double *ratio)
{
	double p;

	if (paired_ratio_test(x, host, (size_t)n, &p, ratio))
		return false;
	return p < 0.05 &&
	       (higher ? *ratio > 1 + FASTEST_TOLERANCE : *ratio < 1 - FASTEST_TOLERANCE);
}

static void c_host_fastest(struct ctx *c, struct claim_result *r)
{
	struct perf *p = &c->perf;
	double at, al, bt, bl;
	bool beaten;

	if (!perf_ready(c, r))
		return;
	/* Every ratio computed (they are the evidence), then any of them beating host. */
	beaten = beats_host(p->thr[PM_AWSVPC], p->thr[PM_HOST], p->n[PM_HOST], true, &at);
	beaten =
		beats_host(p->p50[PM_AWSVPC], p->p50[PM_HOST], p->n[PM_HOST], false, &al) || beaten;
	beaten = beats_host(p->thr[PM_BRIDGE], p->thr[PM_HOST], p->n[PM_HOST], true, &bt) || beaten;
	beaten =
		beats_host(p->p50[PM_BRIDGE], p->p50[PM_HOST], p->n[PM_HOST], false, &bl) || beaten;
	/* No mode the VPC can reach beats host by more than the noise, significantly. */
	say(r, beaten ? CLAIM_FAILS : CLAIM_HOLDS,
	    "ratio to host over %d rounds side by side, throughput / TCP_RR p50: awsvpc %.2fx / "
	    "%.2fx, bridge %.2fx / %.2fx (none mode is loopback, unreachable from the VPC; "
	    "beating host means by more than %.0f%%, significantly)",
	    p->n[PM_HOST], at, al, bt, bl, FASTEST_TOLERANCE * 100);
}

/* Better: significantly better on one of throughput and latency, significantly worse on neither. */
static void c_awsvpc_vs_bridge(struct ctx *c, struct claim_result *r)
{
	struct perf *p = &c->perf;
	int n = p->n[PM_AWSVPC];
	bool thr_better, lat_better, thr_worse, lat_worse, ok;

	if (!perf_ready(c, r))
		return;
	thr_better = beats(p->thr[PM_AWSVPC], p->thr[PM_BRIDGE], n, true);
	lat_better = beats(p->p50[PM_AWSVPC], p->p50[PM_BRIDGE], n, false);
	thr_worse = beats(p->thr[PM_BRIDGE], p->thr[PM_AWSVPC], n, true);
	lat_worse = beats(p->p50[PM_BRIDGE], p->p50[PM_AWSVPC], n, false);
	ok = (thr_better || lat_better) && !thr_worse && !lat_worse;
	say(r, ok ? CLAIM_HOLDS : CLAIM_FAILS,
	    "awsvpc/bridge over %d rounds side by side: throughput %.2fx (%s), TCP_RR p50 %.2fx "
	    "(%s)",
	    n, med(p->thr[PM_AWSVPC], n) / med(p->thr[PM_BRIDGE], p->n[PM_BRIDGE]),
	    thr_better	? "significantly better"
	    : thr_worse ? "significantly worse"
			: "no significant difference",
	    med(p->p50[PM_AWSVPC], n) / med(p->p50[PM_BRIDGE], p->n[PM_BRIDGE]),
	    lat_better	? "significantly better"
	    : lat_worse ? "significantly worse"
			: "no significant difference");
}

static const struct claim {
	const char *id, *mode, *text;
	void (*fn)(struct ctx *c, struct claim_result *r);
	bool perf;
} claims[] = {
#define C(id, mode, text, fn)                                                                      \
	{                                                                                          \
		id, mode, text, fn, false                                                          \
	}
#define P(id, mode, text, fn)                                                                      \
	{                                                                                          \
		id, mode, text, fn, true                                                           \
	}
	C("awsvpc-own-address", "awsvpc",
	  "each task has its own address, reachable directly from the VPC", c_awsvpc_address),
	C("awsvpc-same-port", "awsvpc",
	  "two tasks of the same definition (same containerPort) run on one instance",
	  c_awsvpc_same_port),
	C("awsvpc-eni-limit", "awsvpc", "the ENI limit caps the task count", c_eni_limit),
	C("awsvpc-trunking", "awsvpc", "ENI trunking raises the cap", c_eni_trunking),
	C("awsvpc-flows", "awsvpc", "per-task flows are visible per interface (flow logs)",
	  c_flows),
	P("awsvpc-security-group", "awsvpc",
	  "a security group refuses a port it does not allow, outside the task", c_security_group),
	C("bridge-static-port", "bridge", "a static hostPort serves one task per instance",
	  c_static_port),
	C("bridge-dynamic-ports", "bridge",
	  "dynamic mapping places several tasks, hostPorts from the ephemeral range",
	  c_dynamic_ports),
	C("bridge-extra-hop", "bridge", "the path has an extra hop through the bridge and NAT",
	  c_bridge_hop),
	P("bridge-slower", "bridge", "throughput and latency are worse than host's",
	  c_bridge_slower),
	C("bridge-not-addressable", "bridge",
	  "the task is not addressable from the VPC by its own IP", c_bridge_not_addressable),
	C("host-port", "host", "no port remapping; a second task on the same port fails",
	  c_host_port),
	P("host-fastest", "host", "the fastest of the modes the VPC can reach", c_host_fastest),
	C("none-loopback-only", "none", "only loopback exists in the task", c_none_loopback),
	C("none-isolated", "none", "nothing reaches it from the VPC and it reaches nothing",
	  c_none_isolated),
	P("awsvpc-vs-bridge", "awsvpc",
	  "performs better than bridge (the reason AWS recommends it)", c_awsvpc_vs_bridge),
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

int claims_check_ids(const char *only, char *why, size_t len)
{
	char buf[1024], *save = NULL, *tok;

	if (!only)
		return 0;
	snprintf(buf, sizeof(buf), "%s", only);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool known = false;

		for (size_t i = 0; i < NCLAIMS; i++)
			known |= !strcmp(tok, claims[i].id);
		if (!known) {
			snprintf(why, len, "unknown claim '%s' (nsbench claims --list)", tok);
			return -EINVAL;
		}
	}
	return 0;
}

void claims_list(FILE *f)
{
	for (size_t i = 0; i < NCLAIMS; i++)
		fprintf(f, "%-24s %-7s %s\n", claims[i].id, claims[i].mode, claims[i].text);
}

json_t *claims_run(const char *only, int *failed, char *why, size_t len)
{
	static const char *const names[] = {"holds", "does not hold", "cannot check"};
	struct ctx c;
	json_t *rows = json_array();

	memset(&c, 0, sizeof(c));
	*failed = 0;
	(void)why;
	(void)len;
	/* The performance rounds first, so that the security-group row can show its cost. */
	for (size_t i = 0; i < NCLAIMS; i++)
		if (claims[i].perf && selected(only, claims[i].id)) {
			ensure_perf(&c);
			break;
		}
	for (size_t i = 0; i < NCLAIMS && !lab_stop; i++) {
		struct claim_result r = {CLAIM_UNCHECKABLE, ""};

		if (!selected(only, claims[i].id))
			continue;
		log_info("claim %s", claims[i].id);
		claims[i].fn(&c, &r);
		if (r.verdict == CLAIM_FAILS)
			(*failed)++;
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id",
						      claims[i].id, "mode", claims[i].mode, "claim",
						      claims[i].text, "verdict", names[r.verdict],
						      "evidence", r.evidence));
	}
	return rows;
}

void claims_print(json_t *rows, int markdown, FILE *f)
{
	json_t *row;
	size_t i;

	if (markdown)
		fprintf(f, "| mode | claim | verdict | evidence |\n|---|---|---|---|\n");
	json_array_foreach(rows, i, row) {
		const char *mode = json_string_value(json_object_get(row, "mode"));
		const char *claim = json_string_value(json_object_get(row, "claim"));
		const char *verdict = json_string_value(json_object_get(row, "verdict"));
		const char *ev = json_string_value(json_object_get(row, "evidence"));

		if (markdown)
			fprintf(f, "| %s | %s | **%s** | %s |\n", mode, claim, verdict, ev);
		else
			fprintf(f, "%-7s %-70s %s\n        %s\n", mode, claim, verdict, ev);
	}
}
