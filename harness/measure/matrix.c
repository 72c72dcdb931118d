// SPDX-License-Identifier: MIT
/*
 * nsbench run: modes x paths x tests x repetitions. One lab per mode (host
 * mode's numbers must not pay for bridge mode's conntrack), built before the
 * first measurement and kept to the end; repetition-major order so that drift
 * on a noisy machine hits every mode alike, and within a round test-major, so
 * that the repetitions set against each other are measured a slot apart.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/common/notice.h"
#include "harness/lab/build.h"
#include "harness/lab/instance.h"
#include "harness/measure/matrix.h"
#include "harness/measure/matrix_labs.h"
#include "harness/measure/matrix_slot.h"
#include "harness/measure/pathprobe.h"
#include "harness/measure/schedule.h"
#include "harness/measure/perhop.h"
#include "harness/reports/aggregate.h"
#include "harness/reports/results.h"
#include "harness/reports/verdict.h"
#include "harness/reports/vshost.h"
#include "netns/testhooks.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
			if (!matrix_labs_plan(c, c->modes[i], c->tasks_list[q], lab)) {
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

/*
 * One round: every test, and within a test every mode (but host under duet)
 * on each of its legs, in the schedule's order. Test-major, so that the
 * repetitions paired with each other (a mode's and host's, two modes') are
 * measured a slot apart, not a mode's whole block of tests apart: this
 * machine's pace steps by a third for seconds at a time, unseen by the noise
 * record (doc/measurements/2026-12-07-order.md).
 */
static int round_of(struct matrix_rounds *x, char *why, size_t len)
{
	const struct run_config *c = x->c;
	unsigned int order[MODE_COUNT];
	bool duet = c->schedule == SCHED_DUET;

	schedule_order(c->schedule, x->r, c->seed, order, c->nmodes);
	for (unsigned int t = 0; t < c->ntests; t++)
		for (unsigned int i = 0; i < c->nmodes; i++) {
			enum lab_mode m = c->modes[order[i]];
			struct run_leg legs[RUN_MAX_LEGS];
			unsigned int np;

			if (!x->labs[m] || (duet && m == MODE_HOST))
				continue;
			np = run_config_legs(c, m, legs);
			for (unsigned int k = 0; k < np; k++) {
				struct run_leg hl;
				bool pair =
					duet && x->labs[MODE_HOST] && host_leg_for(c, legs[k], &hl);
				int ret = matrix_slot(x, m, legs[k], pair ? &hl : NULL, c->tests[t],
						      why, len);

				if (ret)
					return ret;
			}
		}
	return 0;
}

static int run_density(const struct run_config *c, unsigned int n, struct lab **labs, json_t *doc,
		       json_t *hp, struct matrix_progress *prog, double *measured, bool *failed,
		       char *why, size_t len)
{
	struct matrix_rounds x = {
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
	struct matrix_progress prog = {.t0 = now_s()};
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

		ret = matrix_labs_build(c, n, labs, doc, why, len);
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
		matrix_labs_teardown(labs);
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
	matrix_labs_teardown(labs);
	json_decref(hp);
	json_decref(ph);
	if (ret) {
		json_decref(doc);
		return ret;
	}
	*out = doc;
	return 0;
}
