// SPDX-License-Identifier: MIT
/*
 * One slot of nsbench run's rounds: a test of a mode on a path and family,
 * alone or under duet beside host, with the noise it ran under and the CPU it
 * cost, recorded as a repetition of its entry (or as a failure, or as not
 * measurable on that path).
 */
#define _GNU_SOURCE
#include <errno.h>
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
#include "harness/lab/state.h"
#include "harness/measure/matrix_slot.h"
#include "harness/measure/pathprobe.h"
#include "harness/reports/aggregate.h"
#include "harness/reports/results.h"
#include "netns/testhooks.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

/* Step DONE+1 of TOTAL, with the time left at the pace so far (the CLI shows it, or not). */
static void progress_show(struct matrix_progress *p, const char *what)
{
	double el = now_s() - p->t0;
	double rate = p->planned_done > 0 ? el / p->planned_done : 1.0;
	double left = (p->planned_total - p->planned_done) * rate;

	notice_progress(p->done, p->total, left < 0 ? 0 : left, what);
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

/* A measurement that failed: said, and recorded with where it was. */
static void slot_failed(struct matrix_rounds *x, struct lab *lab, enum lab_mode m,
			struct run_leg leg, enum bench_test test, char *err, size_t errlen)
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
static void record_rep(struct matrix_rounds *x, enum lab_mode m, struct run_leg leg,
		       enum bench_test test, json_t **res, const struct cpu_hook *cpu,
		       json_t *noise, const char *partner)
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

int matrix_slot(struct matrix_rounds *x, enum lab_mode m, struct run_leg leg,
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
