// SPDX-License-Identifier: MIT
/*
 * nsbench run: modes x paths x tests x repetitions. One lab per mode (host
 * mode's numbers must not pay for bridge mode's conntrack), built before the
 * first measurement and kept to the end; repetition-major order so that drift
 * on a noisy machine hits every mode alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/cputime.h"
#include "bench/noise.h"
#include "harness/common/notice.h"
#include "harness/lab/build.h"
#include "harness/lab/instance.h"
#include "harness/lab/mode.h"
#include "harness/lab/state.h"
#include "harness/measure/hotpath.h"
#include "harness/measure/matrix.h"
#include "harness/measure/pathprobe.h"
#include "harness/measure/schedule.h"
#include "harness/measure/perhop.h"
#include "harness/reports/aggregate.h"
#include "harness/reports/results.h"
#include "harness/reports/verdict.h"
#include "harness/reports/vshost.h"
#include "netns/rt.h"
#include "netns/testhooks.h"

struct cpu_hook {
	struct cpu_times before, after;
};

static void cpu_before(void *arg)
{
	cpu_times_read(&((struct cpu_hook *)arg)->before);
}

static void cpu_after(void *arg)
{
	cpu_times_read(&((struct cpu_hook *)arg)->after);
}

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* CPU time of the whole machine during the client's run: the cost of the traffic. */
static void add_cpu(json_t *res, const struct cpu_hook *h, enum bench_test t)
{
	json_t *m = json_object_get(res, "metrics");
	double user = h->after.user - h->before.user, sys = h->after.system - h->before.system;
	double soft = (h->after.softirq - h->before.softirq) + (h->after.irq - h->before.irq);
	double total = user + sys + soft;

	json_object_set_new(m, "cpu_user_s", json_real(user));
	json_object_set_new(m, "cpu_sys_s", json_real(sys));
	json_object_set_new(m, "cpu_softirq_s", json_real(soft));
	if (bench_test_is_stream(t)) {
		json_t *end = json_object_get(json_object_get(res, "iperf"), "end");
		double bytes = num(json_object_get(end, "sum_received"), "bytes");

		if (bytes > 0)
			json_object_set_new(m, "cpu_s_per_gb", json_real(total / (bytes / 1e9)));
	} else {
		double n = num(m, "transactions");

		if (n > 0)
			json_object_set_new(m, "cpu_us_per_trans", json_real(total / n * 1e6));
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
	unsigned int done, total;
	double planned_done, planned_total, t0;
};

/* Step DONE+1 of TOTAL, with the time left at the pace so far (the CLI shows it, or not). */
static void progress_show(struct progress *p, const char *what)
{
	double el = now_s() - p->t0;
	double rate = p->planned_done > 0 ? el / p->planned_done : 1.0;
	double left = (p->planned_total - p->planned_done) * rate;

	notice_progress(p->done, p->total, left < 0 ? 0 : left, what);
}

/* Ports of N tasks: one task definition (same port) where ECS allows it, distinct where not. */
static uint16_t task_port(enum lab_mode m, unsigned int i)
{
	return m == MODE_BRIDGE || m == MODE_HOST ? (uint16_t)(LAB_DEFAULT_PORT + i)
						  : LAB_DEFAULT_PORT;
}

/*
 * The lab of mode M with N tasks (one more as the peer of the intra-host path
 * when N is 1), planned, not built; -errno with lab->err when ECS would
 * refuse it (the ENI limit, the address plan).
 */
static int plan_lab(const struct run_config *c, enum lab_mode m, unsigned int n, struct lab *lab)
{
	bool intra = false;
	unsigned int want;
	struct lab_config cfg;
	int ret;

	for (unsigned int i = 0; i < c->npaths; i++)
		intra |= c->paths[i] == PATH_INTRA_HOST;
	want = n + (intra && n == 1 && m != MODE_NONE);
	lab_config_default(&cfg);
	cfg.max_enis = c->max_enis;
	cfg.security_group = c->security_group && m == MODE_AWSVPC;
	lab_config_vpc(&cfg, &c->vpc);
	cfg.instance = c->instance;
	cfg.userland_proxy = c->userland_proxy;
	cfg.dual_stack = c->families & (1u << FAMILY_IPV6);
	/* A udp mapping beside the tcp one where a UDP test or the UDP probes need it. */
	cfg.publish_udp = c->hot_path || c->per_hop;
	for (unsigned int i = 0; i < c->ntests; i++)
		cfg.publish_udp |= c->tests[i] == TEST_UDP || c->tests[i] == TEST_UDP_RR;
	ret = lab_init(lab, &cfg, "run");
	for (unsigned int k = 0; !ret && k < want; k++)
		ret = lab_plan_task(lab, m, task_port(m, k));
	return ret;
}

int matrix_plan_check(const struct run_config *c, char *why, size_t len)
{
	struct lab *lab = calloc(1, sizeof(*lab));
	size_t off = 0;
	int ret = -ENOSPC;

	if (!lab)
		return -ENOMEM;
	why[0] = '\0';
	for (unsigned int q = 0; q < c->ntasks_list && ret; q++)
		for (unsigned int i = 0; i < c->nmodes && ret; i++) {
			if (!plan_lab(c, c->modes[i], c->tasks_list[q], lab)) {
				ret = 0;
				break;
			}
			if (off < len)
				off += (size_t)snprintf(why + off, len - off,
							"%smode %s, %u tasks: %s", off ? "; " : "",
							lab_mode_name(c->modes[i]),
							c->tasks_list[q], lab->err);
		}
	free(lab);
	return ret;
}

/*
 * One lab per mode with N tasks. A mode the kernel cannot build, or N beyond
 * the ENI limit, is recorded and skipped; the other modes still run.
 */
static int build_labs(const struct run_config *c, unsigned int n, struct lab **labs, json_t *doc,
		      char *why, size_t len)
{
	for (unsigned int i = 0; i < c->nmodes; i++) {
		enum lab_mode m = c->modes[i];
		struct lab *lab = calloc(1, sizeof(*lab));
		int ret = 0;

		if (!lab)
			return -ENOMEM;
		labs[m] = lab;
		ret = plan_lab(c, m, n, lab);
		if (ret) {
			/* ECS would refuse it too: the ENI limit is where awsvpc stops. */
			json_array_append_new(json_object_get(doc, "density_limits"),
					      json_pack("{s:s, s:i, s:s}", "mode", lab_mode_name(m),
							"tasks", (int)n, "refused", lab->err));
			notice(NOTICE_WARNING, "mode %s, %u tasks: %s", lab_mode_name(m), n,
			       lab->err);
			free(lab);
			labs[m] = NULL;
			continue;
		}
		ret = lab_up(lab);
		if (ret) {
			if (ret == -EINTR) {
				snprintf(why, len, "interrupted");
				return ret;
			}
			json_array_append_new(json_object_get(doc, "errors"),
					      json_pack("{s:s, s:s}", "mode", lab_mode_name(m),
							"error", lab->err));
			notice(NOTICE_ERROR, "mode %s unavailable: %s", lab_mode_name(m), lab->err);
			lab_free(lab);
			free(lab);
			labs[m] = NULL;
			continue;
		}
		json_array_append_new(json_object_get(doc, "density"),
				      json_pack("{s:s, s:i, s:f, s:f}", "mode", lab_mode_name(m),
						"tasks", (int)n, "setup_ms", lab->build_ms,
						"setup_ms_per_task", lab->build_ms / n));
		if (c->shape_bps) {
			struct rt *rt = NULL;

			ret = rt_open(&rt, lab->ns_vpc);
			if (!ret)
				ret = rt_tbf_add(rt, mode_wire_ifname(), c->shape_bps);
			if (ret) {
				snprintf(why, len, "shaping %s in %s: %s%s%s", mode_wire_ifname(),
					 lab->ns_vpc, strerror(-ret), *rt_ext_msg(rt) ? ": " : "",
					 rt_ext_msg(rt));
				rt_close(rt);
				return ret;
			}
			rt_close(rt);
		}
	}
	return 0;
}

static void teardown(struct lab **labs)
{
	for (int m = 0; m < MODE_COUNT; m++) {
		if (!labs[m])
			continue;
		lab_down(labs[m], LAB_TEARDOWN_GROUP);
		lab_free(labs[m]);
		free(labs[m]);
		labs[m] = NULL;
	}
}

/* Another nsbench running beside a repetition makes it noisy, whatever /proc/stat says. */
#define MAX_OTHERS 8

static json_t *noise_json(const struct noise *n, const struct state_other *o, size_t no)
{
	json_t *others = json_array();

	for (size_t i = 0; i < no; i++)
		json_array_append_new(others,
				      json_pack("{s:s, s:I, s:s}", "lab", o[i].lab, "owner_pid",
						(json_int_t)o[i].owner_pid, "kind", o[i].kind));
	return json_pack("{s:f, s:f, s:f, s:i, s:f, s:i, s:f, s:o, s:b}", "steal_pct", n->steal_pct,
			 "outside_pct", n->outside_pct, "outside_cpu_pct", n->outside_cpu_pct,
			 "outside_cpu", n->outside_cpu, "net_pct", n->net_pct, "net_cpu",
			 n->net_cpu, "load1", n->load1, "other_nsbench", others, "noisy",
			 n->noisy || no > 0);
}

/*
 * Every entry of N tasks has each headline metric's 95% interval within
 * PCT of its value. With RECORD, each entry says so in "target".
 */
static bool target_check(json_t *doc, unsigned int n, double pct, bool record)
{
	bool all = true;
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		const char *widest = NULL;
		double worst = 0, v[256];
		bool met = true;

		if (results_entry_ntasks(e) != n)
			continue;
		for (size_t k = 0; k < VERDICT_NHEADLINE; k++) {
			size_t cnt = results_rep_values(e, verdict_headline[k], v, 256);
			double hw = verdict_halfwidth_pct(v, cnt);

			if (cnt == 0)
				continue;
			if (hw < 0 && cnt < 2)
				hw = INFINITY;
			if (hw > worst || !widest) {
				worst = hw < 0 ? 0 : hw;
				widest = verdict_headline[k];
			}
			met &= hw <= pct;
		}
		all &= met;
		if (record && widest)
			json_object_set_new(
				e, "target",
				json_pack("{s:f, s:b, s:s, s:f, s:i}", "pct", pct, "met", met,
					  "widest_metric", widest, "widest_halfwidth_pct",
					  isfinite(worst) ? worst : -1, "reps",
					  (int)json_array_size(json_object_get(e, "reps"))));
	}
	return all;
}

/* A test the instance itself cannot carry on a path: recorded with why, and said. */
static void not_measurable(json_t *doc, enum lab_mode m, enum lab_path p, enum bench_test test,
			   const char *why)
{
	json_t *a = json_object_get(doc, "not_measurable");

	if (!a) {
		a = json_array();
		json_object_set_new(doc, "not_measurable", a);
	}
	json_array_append_new(a,
			      json_pack("{s:s, s:s, s:s, s:s}", "mode", lab_mode_name(m), "path",
					path_name(p), "test", bench_test_name(test), "why", why));
	notice(NOTICE_WARNING, "mode %s, path %s, %s not measured: %s", lab_mode_name(m),
	       path_name(p), bench_test_name(test), why);
}

/* All the N tasks' targets for one path and family: task i, and its peer for intra-host. */
static int targets_for(struct lab *lab, unsigned int n, struct run_leg leg, struct bench_target *t,
		       char *why, size_t len)
{
	enum lab_path p = leg.path;

	for (unsigned int i = 0; i < n; i++) {
		struct lab_task *peer = NULL;
		int ret;

		if (p == PATH_INTRA_HOST && lab->ntasks > 1)
			peer = &lab->tasks[(i + 1) % lab->ntasks];
		ret = path_target_family(lab, &lab->tasks[i], peer, p, leg.family, &t[i], why, len);
		if (ret)
			return ret;
	}
	return 0;
}

/* What one task count's rounds share: the run, its labs and documents, and where they are. */
struct rounds {
	const struct run_config *c;
	unsigned int n; /* tasks */
	struct lab **labs;
	json_t *doc, *hp;
	struct progress *prog;
	double *measured;
	bool *failed;
	unsigned int r, max_reps;
	int duet_cpus[2];
};

/* A measurement that failed: said, and recorded with where it was. */
static void slot_failed(struct rounds *x, struct lab *lab, enum lab_mode m, struct run_leg leg,
			enum bench_test test, char *err, size_t errlen)
{
	char gone[200];
	size_t el = strlen(err);

	/* A proxy that died is the likelier story: said. */
	if (!instance_proxies_alive(lab, gone, sizeof(gone)))
		gone[0] = '\0';
	if (gone[0] && el + 3 < errlen)
		snprintf(err + el, errlen - el, " (%s)", gone);
	*x->failed = true;
	notice(NOTICE_ERROR, "%s", err);
	json_array_append_new(json_object_get(x->doc, "errors"),
			      json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "mode",
					lab_mode_name(m), "path", path_name(leg.path), "family",
					bench_family_name(leg.family), "test",
					bench_test_name(test), "tasks", (int)x->n, "rep",
					(int)x->r + 1, "error", err));
}

/*
 * One repetition's result of mode M on LEG into its entry, with its noise,
 * CPU cost (CPU: the machine's, or under duet the side's own CPU) and, under
 * duet, the mode it was measured beside (PARTNER).
 */
static void record_rep(struct rounds *x, enum lab_mode m, struct run_leg leg, enum bench_test test,
		       json_t **res, const struct cpu_hook *cpu, json_t *noise, const char *partner)
{
	json_t *agg = aggregate_tasks(res, x->n), *entry, *key_hp;
	char hk[64];

	/* No CPU figures rather than zeros where the side's CPU could not be read. */
	if (cpu)
		add_cpu(agg, cpu, test);
	if (noise)
		json_object_set(agg, "noise", noise);
	json_object_set_new(agg, "rep", json_integer(x->r + 1));
	if (partner)
		json_object_set_new(agg, "partner", json_string(partner));
	json_object_del(agg, "mode");
	json_object_del(agg, "path");
	json_object_del(agg, "test");
	json_object_del(agg, "family");
	entry = results_entry_key(x->doc, lab_mode_name(m), path_name(leg.path),
				  bench_test_name(test), x->n, bench_family_name(leg.family));
	json_array_append_new(json_object_get(entry, "reps"), agg);
	pathprobe_key(hk, sizeof(hk), m, leg.path, leg.family);
	key_hp = json_object_get(x->hp, hk);
	if (key_hp && !json_object_get(entry, "hot_path"))
		json_object_set(entry, "hot_path", key_hp);
}

/* Under duet, each side's CPU time is that of its own CPU: the per-CPU readings around it. */
struct duet_cpu {
	struct cpu_times before[CPU_TIMES_MAX], after[CPU_TIMES_MAX];
	unsigned int nb, na;
};

static void duet_before(void *arg)
{
	struct duet_cpu *d = arg;

	if (cpu_times_read_each(d->before, &d->nb))
		d->nb = 0;
}

static void duet_after(void *arg)
{
	struct duet_cpu *d = arg;

	if (cpu_times_read_each(d->after, &d->na))
		d->na = 0;
}

/* CPU K's times between the readings, as a cpu_hook for add_cpu; NULL when unreadable. */
static const struct cpu_hook *duet_side(const struct duet_cpu *d, int k, struct cpu_hook *h)
{
	if (k < 0 || !d->nb || d->nb != d->na || (unsigned int)k >= d->na)
		return NULL;
	h->before = d->before[k];
	h->after = d->after[k];
	return h;
}

/*
 * One slot: test TEST of mode M on LEG, or under duet (HOST_LEG not NULL)
 * host's HOST_LEG at the same time on the other CPU. Returns -EINTR when
 * interrupted, else 0 (a failure is recorded, and the run goes on).
 */
static int slot(struct rounds *x, enum lab_mode m, struct run_leg leg,
		const struct run_leg *host_leg, enum bench_test test, char *why, size_t len)
{
	static struct bench_target targets[LAB_MAX_TASKS];
	static json_t *res[LAB_MAX_TASKS];
	const struct run_config *c = x->c;
	struct lab *lab = x->labs[m], *host = x->labs[MODE_HOST];
	unsigned int n = host_leg ? 2 : x->n;
	struct bench_opts bo = c->bo;
	struct cpu_hook cpu;
	struct duet_cpu *dc = NULL;
	struct noise_mark mark;
	struct noise noise;
	struct state_other others[MAX_OTHERS];
	size_t nothers;
	bool noise_ok;
	char what[160], err[512], hk[64];
	json_t *nz = NULL;
	int ret;

	snprintf(what, sizeof(what), "rep %u/%u%s %s%s%.0u %s%s %s%s", x->r + 1, x->max_reps,
		 c->target_pct > 0 ? " (at most)" : "", lab_mode_name(m), x->n > 1 ? " x" : "",
		 x->n > 1 ? x->n : 0, path_name(leg.path), leg.family ? " ipv6" : "",
		 bench_test_name(test), host_leg ? " beside host" : "");
	progress_show(x->prog, what);
	bo.stream.duration_s = c->stream_s;
	bo.stream.streams = test == TEST_TCP_STREAM_PAR ? c->par_streams : 1;
	bo.rr.duration_s = c->rr_s;
	bo.before_client = cpu_before;
	bo.after_client = cpu_after;
	bo.hook_arg = &cpu;
	snprintf(hk, sizeof(hk), "run:measure:%s", bench_test_name(test));
	testhook_phase(hk);
	/* What fails on an ECS instance too is a finding, said once. */
	if ((test == TEST_UDP || test == TEST_UDP_RR) &&
	    path_udp_broken(lab, &lab->tasks[0], leg.path, err, sizeof(err))) {
		if (x->r == 0)
			not_measurable(x->doc, m, leg.path, test, err);
		x->prog->done++;
		x->prog->planned_done += run_config_test_seconds(c, test);
		return 0;
	}
	ret = targets_for(lab, x->n, leg, targets, err, sizeof(err));
	if (!ret && host_leg) {
		ret = targets_for(host, 1, *host_leg, &targets[1], err, sizeof(err));
		/* Each side on a CPU of its own, swapped every round. */
		for (unsigned int i = 0; i < 2; i++) {
			targets[i].own_cpu = true;
			targets[i].cpu = x->duet_cpus[(x->r + i) % 2];
		}
		dc = calloc(1, sizeof(*dc));
		if (!dc)
			ret = -ENOMEM;
		bo.before_client = duet_before;
		bo.after_client = duet_after;
		bo.hook_arg = dc;
	}
	noise_ok = !noise_mark(&mark);
	for (unsigned int i = 0; i < (host_leg ? 2 : 1); i++) {
		noise_mark_cpu(&mark, host_leg ? targets[i].cpu : bo.cpus.client);
		noise_mark_cpu(&mark, host_leg ? targets[i].cpu : bo.cpus.server);
	}
	nothers = state_others_live(others, 0, MAX_OTHERS);
	if (!ret)
		ret = bench_run_many(test, &bo, targets, n, res, err, sizeof(err));
	noise_ok = noise_ok && !noise_since(&mark, &noise);
	nothers = state_others_live(others, nothers, MAX_OTHERS);
	if (lab_stop) {
		for (unsigned int q = 0; !ret && q < n; q++)
			json_decref(res[q]);
		free(dc);
		snprintf(why, len, "interrupted");
		return -EINTR;
	}
	x->prog->done++;
	x->prog->planned_done += run_config_test_seconds(c, test);
	if (ret) {
		slot_failed(x, lab, m, leg, test, err, sizeof(err));
		free(dc);
		return 0;
	}
	*x->measured += run_config_test_seconds(c, test) -
			(bench_test_is_stream(test) ? c->bo.stream.omit_s : c->bo.rr.warmup_s);
	if (noise_ok)
		nz = noise_json(&noise, others, nothers);
	if (host_leg) {
		struct cpu_hook side;

		record_rep(x, m, leg, test, &res[0], duet_side(dc, targets[0].cpu, &side), nz,
			   "host");
		record_rep(x, MODE_HOST, *host_leg, test, &res[1],
			   duet_side(dc, targets[1].cpu, &side), nz, lab_mode_name(m));
	} else {
		record_rep(x, m, leg, test, res, &cpu, nz, NULL);
	}
	for (unsigned int q = 0; q < n; q++)
		json_decref(res[q]);
	json_decref(nz);
	free(dc);
	return 0;
}

/*
 * Host's leg that LEG is measured beside under duet: the same path and
 * family, else host's first of that family (none mode's loopback), else its
 * first; false when host has none.
 */
static bool host_leg_for(const struct run_config *c, struct run_leg leg, struct run_leg *out)
{
	struct run_leg legs[RUN_MAX_LEGS];
	unsigned int np = run_config_legs(c, MODE_HOST, legs);
	bool found = false;

	for (unsigned int k = 0; k < np && !found; k++)
		if (legs[k].family == leg.family) {
			*out = legs[k];
			found = true;
		}
	if (!found && np) {
		*out = legs[0];
		found = true;
	}
	for (unsigned int k = 0; k < np; k++)
		if (legs[k].path == leg.path && legs[k].family == leg.family)
			*out = legs[k];
	return found;
}

/* One round: every mode (but host under duet) on every leg and test, in the schedule's order. */
static int round_of(struct rounds *x, char *why, size_t len)
{
	const struct run_config *c = x->c;
	unsigned int order[MODE_COUNT];
	bool duet = c->schedule == SCHED_DUET;

	schedule_order(c->schedule, x->r, c->seed, order, c->nmodes);
	for (unsigned int i = 0; i < c->nmodes; i++) {
		enum lab_mode m = c->modes[order[i]];
		struct run_leg legs[RUN_MAX_LEGS];
		unsigned int np;

		if (!x->labs[m] || (duet && m == MODE_HOST))
			continue;
		np = run_config_legs(c, m, legs);
		for (unsigned int k = 0; k < np; k++)
			for (unsigned int t = 0; t < c->ntests; t++) {
				struct run_leg hl;
				bool pair =
					duet && x->labs[MODE_HOST] && host_leg_for(c, legs[k], &hl);
				int ret = slot(x, m, legs[k], pair ? &hl : NULL, c->tests[t], why,
					       len);

				if (ret)
					return ret;
			}
	}
	return 0;
}

static int run_density(const struct run_config *c, unsigned int n, struct lab **labs, json_t *doc,
		       json_t *hp, struct progress *prog, double *measured, bool *failed, char *why,
		       size_t len)
{
	struct rounds x = {
		c,	 n,	   labs,   doc, hp,
		prog,	 measured, failed, 0,	c->target_pct > 0 ? c->max_reps : c->reps,
		{-1, -1}};
	double t0 = now_s();
	char msg[200];

	if (c->schedule == SCHED_DUET && schedule_duet_cpus(x.duet_cpus, msg, sizeof(msg))) {
		snprintf(why, len, "%s", msg);
		return -ENODEV;
	}
	/* How the rounds ran: the order's seed, the duet's CPUs (which swap every round). */
	if (!json_object_get(doc, "schedule"))
		json_object_set_new(doc, "schedule",
				    json_pack("{s:s, s:I, s:[i, i]}", "name",
					      schedule_name(c->schedule), "seed",
					      (json_int_t)c->seed, "duet_cpus", x.duet_cpus[0],
					      x.duet_cpus[1]));
	if (c->schedule == SCHED_DUET && !labs[MODE_HOST])
		notice(NOTICE_WARNING, "--schedule duet: host mode's lab is not up, so every "
				       "other mode is measured on its own");
	for (x.r = 0; x.r < x.max_reps; x.r++) {
		int ret;

		if (x.r > 0)
			testhook_phase("run:between-reps");
		/*
		 * --target: stop once every headline interval is narrow enough, or the
		 * budget ends; under duet after an even round (each side on each CPU as often).
		 */
		if (c->target_pct > 0 && x.r >= c->reps &&
		    (c->schedule != SCHED_DUET || x.r % 2 == 0)) {
			aggregate_host_ratios(doc);
			if (target_check(doc, n, c->target_pct, false))
				break;
			if (now_s() - t0 >= c->max_time_s) {
				notice(NOTICE_INFO,
				       "--max-time %.0f s reached after %u repetitions",
				       c->max_time_s, x.r);
				break;
			}
		}
		ret = round_of(&x, why, len);
		if (ret)
			return ret;
	}
	return 0;
}

int matrix_run(const struct run_config *c, json_t **out, char *why, size_t len)
{
	struct lab *labs[MODE_COUNT] = {0};
	struct progress prog = {.t0 = now_s()};
	json_t *doc, *hp = json_object(), *ph = json_object();
	bool failed = false;
	double t_start = now_s(), measured = 0;
	int ret = 0;

	doc = results_new(run_config_json(c));
	if (!doc) {
		json_decref(hp);
		return -ENOMEM;
	}
	json_object_set_new(doc, "density", json_array());
	json_object_set_new(doc, "density_limits", json_array());
	/* Progress over the whole run: every N's plan, assuming every mode builds. */
	prog.planned_total = run_config_seconds(c) * c->ntasks_list;
	for (unsigned int r = 0; r < (c->target_pct > 0 ? c->max_reps : c->reps); r++)
		for (unsigned int i = 0; i < c->nmodes; i++) {
			struct run_leg legs[RUN_MAX_LEGS];

			/* Under duet host is measured beside each other mode, not on its own. */
			if (c->schedule == SCHED_DUET && c->modes[i] == MODE_HOST)
				continue;
			prog.total += run_config_legs(c, c->modes[i], legs) * c->ntests;
		}
	prog.total *= c->ntasks_list;

	for (unsigned int q = 0; q < c->ntasks_list && !ret; q++) {
		unsigned int n = c->tasks_list[q];

		ret = build_labs(c, n, labs, doc, why, len);
		testhook_phase("run:built");
		/* The instance as built and read back (br_netfilter's values), once. */
		for (unsigned int i = 0; !ret && i < c->nmodes && !json_object_get(doc, "instance");
		     i++)
			if (labs[c->modes[i]] && labs[c->modes[i]]->up)
				json_object_set_new(doc, "instance",
						    instance_describe(labs[c->modes[i]]));
		if (!ret && c->hot_path && q == 0) {
			notice_progress(0, 0, -1, "measuring the hot packet path of each mode");
			testhook_phase("run:hot-path");
			ret = matrix_probe_paths(c, labs, false, hp, &failed);
			if (ret)
				snprintf(why, len, "interrupted");
		}
		if (!ret && c->per_hop && q == 0) {
			notice_progress(0, 0, -1, "measuring where each mode's round trip goes");
			testhook_phase("run:per-hop");
			ret = matrix_probe_paths(c, labs, true, ph, &failed);
			if (ret)
				snprintf(why, len, "interrupted");
		}
		if (!ret)
			ret = run_density(c, n, labs, doc, hp, &prog, &measured, &failed, why, len);
		teardown(labs);
	}
	notice_progress_end();
	if (ret)
		goto out;
	aggregate_host_ratios(doc);
	if (c->target_pct > 0)
		for (unsigned int q = 0; q < c->ntasks_list; q++)
			target_check(doc, c->tasks_list[q], c->target_pct, true);
	results_summarize(doc);
	vshost_annotate(doc, VERDICT_MARGIN_PCT);
	results_finish(doc);
	json_object_set_new(doc, "hot_paths", hp);
	hp = NULL;
	if (c->per_hop)
		json_object_set(doc, "per_hop", ph);
	json_object_set_new(doc, "wall_s", json_real(now_s() - t_start));
	json_object_set_new(doc, "measured_s", json_real(measured));
	json_object_set_new(doc, "status", json_string(failed ? "failed" : "ok"));
out:
	teardown(labs);
	json_decref(hp);
	json_decref(ph);
	if (ret) {
		json_decref(doc);
		return ret;
	}
	*out = doc;
	return 0;
}
