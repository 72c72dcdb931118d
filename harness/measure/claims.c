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
#include <time.h>

#include "bench/noise.h"
#include "harness/common/notice.h"
#include "harness/lab/build.h"
#include "harness/lab/lab.h"
#include "harness/lab/mode.h"
#include "harness/lab/path.h"
#include "harness/measure/claims.h"
#include "harness/measure/hotpath.h"
#include "harness/reports/summary.h"
#include "harness/reports/verdict.h"
#include "netns/counters.h"
#include "netns/netns.h"
#include "netns/nftables.h"
#include "netns/probe.h"
#include "netns/rt.h"
#include "netns/testhooks.h"

#define PROBE_MS 1000
/* The budget of the performance claims' rounds (README: claims). */
#define PERF_MAX_ROUNDS 12
#define PERF_MAX_SECONDS 150
/* "Fastest" allows this much: measurement noise on a shared machine. */
#define FASTEST_TOLERANCE 0.05

struct claim_result {
	enum claim_verdict verdict;
	char evidence[512];
};

/* Performance, measured for the claims that need it, side by side, in rounds. */
enum perf_mode { PM_HOST, PM_BRIDGE, PM_AWSVPC, PM_AWSVPC_SG, PM_COUNT };

static const char *const pm_names[PM_COUNT] = {"host", "bridge", "awsvpc", "awsvpc+security group"};

struct perf {
	bool done;
	int err;
	char why[600];
	double thr[PM_COUNT][PERF_MAX_ROUNDS], p50[PM_COUNT][PERF_MAX_ROUNDS];
	int n;	      /* rounds measured in every needed mode */
	double alpha; /* the level of each look */
	double seconds, steal_max, outside_max;
	int noisy;
};

/* The performance claims decided by the sequential rule. */
enum decision { D_BRIDGE_SLOWER, D_HOST_FASTEST, D_AWSVPC_VS_BRIDGE, D_COUNT };

struct decided {
	bool set;
	enum claim_verdict verdict;
	char evidence[512];
};

struct ctx {
	struct perf perf;
	unsigned int needs;	/* NEED() of the perf modes the selected claims use */
	unsigned int thr_needs; /* those whose throughput a decision reads */
	bool wants[D_COUNT];
	struct decided decided[D_COUNT];
	int undecided;
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
	testhook_phase("claims:lab");
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
	bool ok = true;

	(void)c;
	if (!lab)
		return;
	(void)ports_local_range(lab->ns_inst, &lo, &hi); /* else ECS's fallback, as the lab */
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
	struct lab_route route = {.n = 0};
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
	/* The only interface must be the one the loopback route crosses. */
	mode_route(lab, &lab->tasks[0], NULL, PATH_LOOPBACK, &route);
	if (n == 1 && route.n && !strcmp(li[0].name, route.hop[0].iface.name) && !lo)
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

		if (c->perf.done && !c->perf.err && c->perf.n > 0) {
			struct summary a, b;

			summary_of(c->perf.p50[PM_AWSVPC_SG], (size_t)c->perf.n, &a);
			summary_of(c->perf.p50[PM_AWSVPC], (size_t)c->perf.n, &b);
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

/* The modes of each performance claim, measured side by side in rounds until decided. */
#define NEED(m) (1u << (m))

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* One mode's round: throughput (when a claim needs it) and TCP_RR p50. */
static int perf_round(struct perf *p, int m, struct lab *lab, bool thr)
{
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
	ret = path_target(lab, &lab->tasks[0], NULL, PATH_INGRESS, &t, why, sizeof(why));
	if (!ret && thr)
		ret = bench_run(TEST_TCP_STREAM, &bo, &t, &res, why, sizeof(why));
	if (!ret && res)
		p->thr[m][p->n] = json_number_value(
			json_object_get(json_object_get(res, "metrics"), "throughput_bps"));
	json_decref(res);
	res = NULL;
	if (!ret)
		ret = bench_run(TEST_TCP_RR, &bo, &t, &res, why, sizeof(why));
	if (ret) {
		p->err = ret;
		snprintf(p->why, sizeof(p->why), "%s", why);
		json_decref(res);
		return ret;
	}
	p->p50[m][p->n] =
		json_number_value(json_object_get(json_object_get(res, "metrics"), "p50_us"));
	json_decref(res);
	return 0;
}

static void perf_decide_all(struct ctx *c, bool final);

/*
 * The modes the selected claims need, side by side, round after round (each
 * round every mode once: the machine's drift cancels in the paired ratios),
 * until every performance claim is decided at a look of the sequential rule
 * or the budget (PERF_MAX_ROUNDS, PERF_MAX_SECONDS) ends.
 */
static void ensure_perf(struct ctx *c)
{
	static const enum lab_mode modes[PM_COUNT] = {MODE_HOST, MODE_BRIDGE, MODE_AWSVPC,
						      MODE_AWSVPC};
	static const uint16_t ports[] = {5201};
	struct perf *p = &c->perf;
	struct lab *labs[PM_COUNT] = {0};
	struct claim_result r;
	struct timespec t0;

	if (p->done)
		return;
	p->done = true;
	p->alpha = verdict_seq_alpha(VERDICT_ALPHA, PERF_MAX_ROUNDS);
	for (int m = 0; m < PM_COUNT; m++) {
		if (!(c->needs & NEED(m)))
			continue;
		labs[m] = new_lab(&r, modes[m], 1, ports, 0, m == PM_AWSVPC_SG);
		if (!labs[m]) {
			p->err = -EOPNOTSUPP;
			snprintf(p->why, sizeof(p->why), "%s", r.evidence);
			goto out;
		}
	}
	/* A known slowdown of host mode, for the test that a broken claim fails. */
	if (labs[PM_HOST] && testhook_break("host-shaped")) {
		struct rt *rt = NULL;
		int ret = rt_open(&rt, labs[PM_HOST]->ns_vpc);

		if (!ret)
			ret = rt_tbf_add(rt, mode_wire_ifname(), 1000000000ULL);
		rt_close(rt);
		if (ret) {
			p->err = ret;
			snprintf(p->why, sizeof(p->why), "shaping host mode's wire: %s",
				 strerror(-ret));
			goto out;
		}
	}
	notice(NOTICE_STATUS,
	       "measuring the modes the performance claims need, side by side, in rounds until "
	       "decided (at most %d rounds, %d s)",
	       PERF_MAX_ROUNDS, PERF_MAX_SECONDS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (p->n < PERF_MAX_ROUNDS && !lab_stop) {
		struct noise_mark mark;
		struct noise nz;
		bool have_mark = !noise_mark(&mark);

		testhook_phase("claims:perf-round");
		for (int m = 0; m < PM_COUNT && !lab_stop; m++) {
			if (!labs[m])
				continue;
			if (perf_round(p, m, labs[m], c->thr_needs & NEED(m)))
				goto out;
		}
		if (lab_stop)
			break;
		if (have_mark && !noise_since(&mark, &nz)) {
			p->steal_max = nz.steal_pct > p->steal_max ? nz.steal_pct : p->steal_max;
			p->outside_max =
				nz.outside_pct > p->outside_max ? nz.outside_pct : p->outside_max;
			p->noisy += nz.noisy;
		}
		for (int m = 0; m < PM_COUNT; m++)
			if (labs[m])
				notice(NOTICE_DEBUG, "round %d: %s: %.3f Gbit/s, TCP_RR p50 %.2f us", p->n + 1,
					  pm_names[m], p->thr[m][p->n] / 1e9, p->p50[m][p->n]);
		p->n++;
		p->seconds = elapsed_s(&t0);
		if (p->seconds >= PERF_MAX_SECONDS)
			break;
		if (verdict_seq_is_look((unsigned int)p->n, PERF_MAX_ROUNDS)) {
			perf_decide_all(c, false);
			if (c->undecided == 0)
				break;
		}
	}
	if (lab_stop) {
		p->err = -EINTR;
		snprintf(p->why, sizeof(p->why), "interrupted");
	}
out:
	for (int m = 0; m < PM_COUNT; m++)
		end_lab(labs[m]);
}

static bool perf_ready(struct ctx *c, struct claim_result *r)
{
	ensure_perf(c);
	if (c->perf.err) {
		say(r, CLAIM_UNCHECKABLE, "measurement failed: %s", c->perf.why);
		return false;
	}
	if (c->perf.n < 2) {
		say(r, CLAIM_UNCHECKABLE, "fewer than 2 rounds measured");
		return false;
	}
	return true;
}

/* X/Y over the rounds, paired, with its interval at the level of this look. */
struct ratio {
	double est, lo, hi;
	bool ok;
};

static struct ratio ratio_of(const struct perf *p, const double *x, const double *y, double alpha)
{
	struct ratio q = {NAN, NAN, NAN, false};
	struct effect e;

	if (effect_paired(y, x, (size_t)p->n, &e))
		return q;
	q.est = effect_ratio(&e);
	effect_interval(&e, alpha, &q.lo, &q.hi);
	q.ok = true;
	return q;
}

static const char *side_text(enum verdict_side s)
{
	return s == SIDE_FOR ? "for" : s == SIDE_AGAINST ? "against" : "undecided";
}

/* The rounds, the level and the noise they were measured under: part of every row's evidence. */
static void perf_context(const struct perf *p, double alpha, char *buf, size_t len)
{
	snprintf(buf, len,
		 "%d rounds side by side in %.0f s; %.1f%% intervals (%.2f%% per comparison: the "
		 "sequential looks and the claim's parts share 5%%); noise: steal up to %.1f%%, "
		 "other processes up to %.1f%% of the CPUs, %d round(s) noisy",
		 p->n, p->seconds, (1 - alpha) * 100, alpha * 100, p->steal_max, p->outside_max,
		 p->noisy);
}

static enum claim_verdict combine_all(const enum verdict_side *s, int n)
{
	int for_ = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] == SIDE_AGAINST)
			return CLAIM_FAILS;
		for_ += s[i] == SIDE_FOR;
	}
	return for_ == n ? CLAIM_HOLDS : CLAIM_INCONCLUSIVE;
}

/* Bridge worse than host on both: throughput ratio below 1, p50 ratio above 1. */
static enum claim_verdict d_bridge_slower(const struct perf *p, double alpha, char *ev, size_t len)
{
	double a = alpha / 2;
	struct ratio t = ratio_of(p, p->thr[PM_BRIDGE], p->thr[PM_HOST], a);
	struct ratio l = ratio_of(p, p->p50[PM_BRIDGE], p->p50[PM_HOST], a);
	enum verdict_side s[2];
	char ctx[300];

	if (!t.ok || !l.ok) {
		snprintf(ev, len, "no ratio: a measurement of 0");
		return CLAIM_UNCHECKABLE;
	}
	/* The claim says there is a difference: none beyond the margin is evidence against. */
	s[0] = verdict_side(t.lo, t.hi, 1, false, true, VERDICT_MARGIN_PCT);
	s[1] = verdict_side(l.lo, l.hi, 1, true, true, VERDICT_MARGIN_PCT);
	perf_context(p, a, ctx, sizeof(ctx));
	snprintf(ev, len,
		 "bridge/host: throughput %.2fx [%.2f, %.2f] (%s), TCP_RR p50 %.2fx [%.2f, %.2f] "
		 "(%s); %s",
		 t.est, t.lo, t.hi, side_text(s[0]), l.est, l.lo, l.hi, side_text(s[1]), ctx);
	return combine_all(s, 2);
}

/* No mode the VPC reaches beats host by more than the tolerance: every interval says so. */
static enum claim_verdict d_host_fastest(const struct perf *p, double alpha, char *ev, size_t len)
{
	double a = alpha / 4;
	struct ratio at = ratio_of(p, p->thr[PM_AWSVPC], p->thr[PM_HOST], a);
	struct ratio al = ratio_of(p, p->p50[PM_AWSVPC], p->p50[PM_HOST], a);
	struct ratio bt = ratio_of(p, p->thr[PM_BRIDGE], p->thr[PM_HOST], a);
	struct ratio bl = ratio_of(p, p->p50[PM_BRIDGE], p->p50[PM_HOST], a);
	enum verdict_side s[4];
	char ctx[300];

	if (!at.ok || !al.ok || !bt.ok || !bl.ok) {
		snprintf(ev, len, "no ratio: a measurement of 0");
		return CLAIM_UNCHECKABLE;
	}
	s[0] = verdict_side(at.lo, at.hi, 1 + FASTEST_TOLERANCE, false, false, 0);
	s[1] = verdict_side(al.lo, al.hi, 1 - FASTEST_TOLERANCE, true, false, 0);
	s[2] = verdict_side(bt.lo, bt.hi, 1 + FASTEST_TOLERANCE, false, false, 0);
	s[3] = verdict_side(bl.lo, bl.hi, 1 - FASTEST_TOLERANCE, true, false, 0);
	perf_context(p, a, ctx, sizeof(ctx));
	snprintf(ev, len,
		 "ratio to host, throughput / TCP_RR p50: awsvpc %.2fx [%.2f, %.2f] / %.2fx "
		 "[%.2f, %.2f], bridge %.2fx [%.2f, %.2f] / %.2fx [%.2f, %.2f] (beating host means "
		 "by more than %.0f%%; none mode is loopback, unreachable from the VPC); %s",
		 at.est, at.lo, at.hi, al.est, al.lo, al.hi, bt.est, bt.lo, bt.hi, bl.est, bl.lo,
		 bl.hi, FASTEST_TOLERANCE * 100, ctx);
	return combine_all(s, 4);
}

/*
 * Better: significantly better on one of throughput and latency, and not
 * worse than the margin on the other. Against: significantly worse on one,
 * or no difference beyond the margin on both.
 */
static enum claim_verdict d_awsvpc_vs_bridge(const struct perf *p, double alpha, char *ev,
					     size_t len)
{
	double a = alpha / 2, m = VERDICT_MARGIN_PCT / 100;
	struct ratio t = ratio_of(p, p->thr[PM_AWSVPC], p->thr[PM_BRIDGE], a);
	struct ratio l = ratio_of(p, p->p50[PM_AWSVPC], p->p50[PM_BRIDGE], a);
	bool t_better, l_better, t_ok, l_ok, worse, same;
	enum claim_verdict v;
	char ctx[300];

	if (!t.ok || !l.ok) {
		snprintf(ev, len, "no ratio: a measurement of 0");
		return CLAIM_UNCHECKABLE;
	}
	t_better = t.lo > 1;
	l_better = l.hi < 1;
	t_ok = t.lo > 1 - m;
	l_ok = l.hi < 1 + m;
	worse = t.hi < 1 || l.lo > 1;
	same = verdict_within_margin(t.lo, t.hi, VERDICT_MARGIN_PCT) &&
	       verdict_within_margin(l.lo, l.hi, VERDICT_MARGIN_PCT);
	if (worse || same)
		v = CLAIM_FAILS;
	else if ((t_better && l_ok) || (l_better && t_ok))
		v = CLAIM_HOLDS;
	else
		v = CLAIM_INCONCLUSIVE;
	perf_context(p, a, ctx, sizeof(ctx));
	snprintf(
		ev, len,
		"awsvpc/bridge: throughput %.2fx [%.2f, %.2f], TCP_RR p50 %.2fx [%.2f, %.2f]%s; %s",
		t.est, t.lo, t.hi, l.est, l.lo, l.hi,
		v == CLAIM_HOLDS ? " (better on one, not worse on the other)"
		: worse		 ? " (significantly worse on one)"
		: same		 ? " (no difference beyond the margin)"
				 : "",
		ctx);
	return v;
}

static void c_perf(struct ctx *c, struct claim_result *r, int id)
{
	if (!perf_ready(c, r))
		return;
	if (!c->decided[id].set)
		perf_decide_all(c, true);
	r->verdict = c->decided[id].verdict;
	snprintf(r->evidence, sizeof(r->evidence), "%s", c->decided[id].evidence);
}

static void c_bridge_slower(struct ctx *c, struct claim_result *r)
{
	c_perf(c, r, D_BRIDGE_SLOWER);
}

static void c_host_fastest(struct ctx *c, struct claim_result *r)
{
	c_perf(c, r, D_HOST_FASTEST);
}

static void c_awsvpc_vs_bridge(struct ctx *c, struct claim_result *r)
{
	c_perf(c, r, D_AWSVPC_VS_BRIDGE);
}

static const struct {
	enum claim_verdict (*fn)(const struct perf *p, double alpha, char *ev, size_t len);
	unsigned int needs;
} deciders[D_COUNT] = {
	[D_BRIDGE_SLOWER] = {d_bridge_slower, NEED(PM_HOST) | NEED(PM_BRIDGE)},
	[D_HOST_FASTEST] = {d_host_fastest, NEED(PM_HOST) | NEED(PM_BRIDGE) | NEED(PM_AWSVPC)},
	[D_AWSVPC_VS_BRIDGE] = {d_awsvpc_vs_bridge, NEED(PM_AWSVPC) | NEED(PM_BRIDGE)},
};

/* Every selected decision at this look; FINAL turns what is still open into "inconclusive". */
static void perf_decide_all(struct ctx *c, bool final)
{
	c->undecided = 0;
	for (int d = 0; d < D_COUNT; d++) {
		struct decided *x = &c->decided[d];

		if (!c->wants[d] || c->perf.n < 2)
			continue;
		x->verdict =
			deciders[d].fn(&c->perf, c->perf.alpha, x->evidence, sizeof(x->evidence));
		x->set = x->verdict != CLAIM_INCONCLUSIVE || final;
		c->undecided += !x->set;
	}
}

/* ECS's VPC and ENIs: jumbo frames; Docker's bridge stays at Ethernet's 1500. */
#define JUMBO_MTU 9001

static double stream_gbps(struct lab *lab, struct lab_task *t)
{
	struct bench_opts bo;
	struct bench_target tg;
	json_t *res = NULL;
	char why[512];
	double g = 0;

	bench_opts_default(&bo);
	bench_cpus_resolve(&bo.cpus);
	bo.stream.duration_s = 1;
	bo.stream.omit_s = 0;
	if (!path_target(lab, t, NULL, PATH_INGRESS, &tg, why, sizeof(why)) &&
	    !bench_run(TEST_TCP_STREAM, &bo, &tg, &res, why, sizeof(why)))
		g = json_number_value(json_object_get(json_object_get(res, "metrics"),
						      "throughput_bps")) /
		    1e9;
	json_decref(res);
	return g;
}

/*
 * One lab with --vpc-mtu 9001 and a task of each reachable mode: the path MTU
 * a client in the VPC finds to each (PMTU discovery, measured by what
 * arrives), and the throughput each gets.
 */
static void c_jumbo(struct ctx *c, struct claim_result *r)
{
	static const enum lab_mode modes[3] = {MODE_AWSVPC, MODE_HOST, MODE_BRIDGE};
	struct lab *lab = calloc(1, sizeof(*lab));
	unsigned int mtu[3] = {0};
	double gbps[3] = {0};
	struct lab_config cfg;
	int ret = 0;

	(void)c;
	if (!lab) {
		say(r, CLAIM_UNCHECKABLE, "out of memory");
		return;
	}
	lab_config_default(&cfg);
	cfg.vpc_mtu = JUMBO_MTU;
	if (lab_init(lab, &cfg, "claims")) {
		say(r, CLAIM_UNCHECKABLE, "cannot plan a lab");
		free(lab);
		return;
	}
	for (unsigned int i = 0; i < 3 && !ret; i++)
		ret = lab_plan_task(lab, modes[i], (uint16_t)(LAB_DEFAULT_PORT + i));
	if (ret || lab_up(lab)) {
		say(r, CLAIM_UNCHECKABLE, "a lab with --vpc-mtu %d: %s", JUMBO_MTU, lab->err);
		lab_free(lab);
		free(lab);
		return;
	}
	testhook_phase("claims:lab");
	for (unsigned int i = 0; i < 3; i++) {
		struct lab_task *t = &lab->tasks[i];

		ret = probe_path_mtu(t->ns, t->mode == MODE_HOST ? lab->inst_addr : "0.0.0.0",
				     t->container_port, t->client_ns, t->ep_addr, t->ep_port,
				     &mtu[i]);
		if (ret) {
			say(r, CLAIM_UNCHECKABLE, "path MTU to the %s task: %s",
			    lab_mode_name(t->mode), strerror(-ret));
			end_lab(lab);
			return;
		}
		gbps[i] = stream_gbps(lab, t);
	}
	say(r,
	    mtu[0] == JUMBO_MTU && mtu[1] == JUMBO_MTU && mtu[2] == LAB_DEFAULT_MTU
		    ? CLAIM_HOLDS
		    : CLAIM_FAILS,
	    "VPC MTU %d: path MTU from the VPC to awsvpc %u, host %u, bridge %u (its bridge "
	    "and veth stay at %d); tcp_stream awsvpc %.2f, host %.2f, bridge %.2f Gbit/s",
	    JUMBO_MTU, mtu[0], mtu[1], mtu[2], LAB_DEFAULT_MTU, gbps[0], gbps[1], gbps[2]);
	end_lab(lab);
}

static const struct claim {
	const char *id, *mode, *text;
	void (*fn)(struct ctx *c, struct claim_result *r);
	unsigned int needs; /* performance modes measured in rounds */
	int decision;	    /* which sequential decision, or -1 */
} claims[] = {
#define C(id, mode, text, fn)                                                                      \
	{                                                                                          \
		id, mode, text, fn, 0, -1                                                          \
	}
#define P(id, mode, text, fn, d)                                                                   \
	{                                                                                          \
		id, mode, text, fn, 0, d                                                           \
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
	{"awsvpc-security-group", "awsvpc",
	 "a security group refuses a port it does not allow, outside the task", c_security_group,
	 NEED(PM_AWSVPC) | NEED(PM_AWSVPC_SG), -1},
	C("bridge-static-port", "bridge", "a static hostPort serves one task per instance",
	  c_static_port),
	C("bridge-dynamic-ports", "bridge",
	  "dynamic mapping places several tasks, hostPorts from the ephemeral range",
	  c_dynamic_ports),
	C("bridge-extra-hop", "bridge", "the path has an extra hop through the bridge and NAT",
	  c_bridge_hop),
	P("bridge-slower", "bridge", "throughput and latency are worse than host's",
	  c_bridge_slower, D_BRIDGE_SLOWER),
	C("bridge-not-addressable", "bridge",
	  "the task is not addressable from the VPC by its own IP", c_bridge_not_addressable),
	C("host-port", "host", "no port remapping; a second task on the same port fails",
	  c_host_port),
	P("host-fastest", "host", "the fastest of the modes the VPC can reach", c_host_fastest,
	  D_HOST_FASTEST),
	C("none-loopback-only", "none", "only loopback exists in the task", c_none_loopback),
	C("none-isolated", "none", "nothing reaches it from the VPC and it reaches nothing",
	  c_none_isolated),
	P("awsvpc-vs-bridge", "awsvpc",
	  "performs better than bridge (the reason AWS recommends it)", c_awsvpc_vs_bridge,
	  D_AWSVPC_VS_BRIDGE),
	C("jumbo-frames", "awsvpc",
	  "jumbo frames reach awsvpc and host tasks but not bridge tasks", c_jumbo),
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

json_t *claims_run(const char *only, int *failed, int *inconclusive)
{
	static const char *const names[] = {"holds", "does not hold", "cannot check",
					    "inconclusive"};
	struct ctx c;
	json_t *rows = json_array();

	memset(&c, 0, sizeof(c));
	*failed = *inconclusive = 0;
	/* Only the modes that the selected performance claims need are measured. */
	for (size_t i = 0; i < NCLAIMS; i++) {
		if (!selected(only, claims[i].id))
			continue;
		c.needs |= claims[i].needs;
		if (claims[i].decision >= 0) {
			c.wants[claims[i].decision] = true;
			c.needs |= deciders[claims[i].decision].needs;
			c.thr_needs |= deciders[claims[i].decision].needs;
		}
	}
	/* The performance rounds first, so that the security-group row can show its cost. */
	if (c.needs)
		ensure_perf(&c);
	for (size_t i = 0; i < NCLAIMS && !lab_stop; i++) {
		struct claim_result r = {CLAIM_UNCHECKABLE, ""};

		if (!selected(only, claims[i].id))
			continue;
		notice(NOTICE_INFO, "claim %s", claims[i].id);
		claims[i].fn(&c, &r);
		*failed += r.verdict == CLAIM_FAILS;
		*inconclusive += r.verdict == CLAIM_INCONCLUSIVE;
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
