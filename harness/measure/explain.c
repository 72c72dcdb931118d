// SPDX-License-Identifier: MIT
/*
 * nsbench explain: the per-hop waterfall of a mode and, for bridge and
 * awsvpc, the ladder of lab variants that adds one part at a time. Every
 * step's lab is built first; then rounds measure every step once each, in an
 * order that rotates per round, so that the machine's drift hits every step
 * alike and each step is compared with the one before it within a round
 * (paired, verdict.c). Under --schedule duet each step is measured at the
 * same time as the one before it (and the last with the first), each on a
 * CPU of its own, swapped every round.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/hopprobe.h"
#include "harness/lab/mode.h"
#include "harness/lab/vpc.h"
#include "harness/common/notice.h"
#include "harness/common/why.h"
#include "harness/lab/build.h"
#include "harness/measure/explain.h"
#include "harness/measure/explain_ladder.h"
#include "harness/reports/verdict.h"
#include "netns/testhooks.h"

void explain_opts_default(struct explain_opts *eo)
{
	memset(eo, 0, sizeof(*eo));
	eo->mode = MODE_BRIDGE;
	eo->path = PATH_INGRESS;
	perhop_opts_default(&eo->po);
	eo->ladder = true;
	eo->rounds = EXPLAIN_ROUNDS;
	eo->stream_s = 1;
	eo->rr_s = 0.5;
	eo->instance = INSTANCE_AL2023;
	eo->userland_proxy = true;
	eo->schedule = SCHED_ALTERNATE;
	eo->seed = (unsigned int)time(NULL);
}

bool explain_has_ladder(enum lab_mode mode, enum lab_path p, enum lab_instance inst)
{
	/* host's ladder is its instance's step alone: bare, then the profile's rules. */
	const struct mode_step *steps;

	return p == PATH_INGRESS && mode_reachable(mode) &&
	       (mode_steps(mode, &steps) > 0 || inst != INSTANCE_BARE);
}

int explain_check(struct explain_opts *eo, const struct lab_options *lo, struct bench_opts *bo,
		  bool path_set, const char *ladder_opt, bool cpu_set, char *why, size_t len)
{
	int ret;

	if (!path_set)
		eo->path = path_default(eo->mode);
	if (!mode_reachable(eo->mode) && eo->path != path_default(eo->mode))
		return why_err(why, len, -EINVAL, "mode %s has only the %s path",
			       lab_mode_name(eo->mode), path_name(path_default(eo->mode)));
	ret = lab_options_check(lo, &eo->mode, 1, true, why, len);
	if (ret)
		return ret;
	eo->vpc = lo->vpc;
	eo->security_group = lo->security_group;
	eo->instance = lab_options_instance(lo);
	eo->userland_proxy = lab_options_proxy(lo);
	/* The rounds and durations are the ladder's: refused where there is none. */
	if (ladder_opt && !eo->ladder)
		return why_err(why, len, -EINVAL,
			       "%s applies to the ladder, and --no-ladder leaves it out",
			       ladder_opt);
	if (ladder_opt && !explain_has_ladder(eo->mode, eo->path, eo->instance))
		return why_err(
			why, len, -EINVAL,
			"%s applies to the ladder, which %s on path %s has not here (bridge, "
			"bridge-dynamic and awsvpc, ingress; host on an instance profile)",
			ladder_opt, lab_mode_name(eo->mode), path_name(eo->path));
	if (eo->schedule == SCHED_INTERLEAVE)
		return why_err(why, len, -EINVAL,
			       "--schedule interleave is claims' for now: the ladder takes "
			       "alternate, random or duet");
	if (eo->schedule == SCHED_DUET && cpu_set)
		return why_err(why, len, -EINVAL,
			       "--schedule duet pins each step to a CPU of its own: --cpu does not "
			       "apply");
	/* Each side on each CPU as often: an odd count would favour one CPU. */
	if (eo->schedule == SCHED_DUET && eo->rounds % 2) {
		eo->rounds++;
		notice(NOTICE_WARNING,
		       "--schedule duet: %u rounds, an even number (each step on each CPU as "
		       "often)",
		       eo->rounds);
	}
	if (bench_cpus_resolve(&bo->cpus))
		return why_err(why, len, -EINVAL,
			       "--cpu split needs two CPUs this process may run on");
	return 0;
}

/* The steps from host mode to MODE, one part each; the last is MODE as ECS builds it. */
static unsigned int ladder_of(const struct explain_opts *eo, struct rung *r)
{
	static char profile[24];
	const struct mode_step *steps;
	unsigned int n = 0, nsteps;

	if (!eo->ladder || !explain_has_ladder(eo->mode, eo->path, eo->instance)) {
		r[n++] = (struct rung){.name = lab_mode_name(eo->mode),
				       .mode = eo->mode,
				       .sg = eo->security_group,
				       .instance = eo->instance,
				       .proxy = eo->userland_proxy};
		return n;
	}
	r[n++] = (struct rung){.name = "host", .mode = MODE_HOST, .instance = INSTANCE_BARE};
	nsteps = mode_steps(eo->mode, &steps);
	for (unsigned int k = 0; k < nsteps; k++)
		r[n++] = (struct rung){.name = steps[k].name,
				       .mode = eo->mode,
				       .variant = steps[k].variant,
				       .sg = steps[k].security_group,
				       .instance = INSTANCE_BARE};
	if (eo->instance != INSTANCE_BARE) {
		snprintf(profile, sizeof(profile), "+%s instance", lab_instance_name(eo->instance));
		r[n++] = (struct rung){.name = profile,
				       .mode = eo->mode,
				       .sg = mode_own_eni(eo->mode),
				       .instance = eo->instance,
				       .proxy = eo->userland_proxy};
	}
	return n;
}

static int build(const struct explain_opts *eo, struct rung *r, char *why, size_t len)
{
	struct lab_config cfg;
	unsigned int tasks = eo->path == PATH_INTRA_HOST ? 2 : 1;
	int ret;

	lab_config_default(&cfg);
	cfg.variant = r->variant;
	cfg.security_group = r->sg;
	cfg.instance = r->instance;
	cfg.userland_proxy = r->proxy;
	/* The per-hop and probe-cost transactions are udp_rr (tcp_rr on request). */
	cfg.publish_udp = true;
	lab_config_vpc(&cfg, &eo->vpc);
	r->lab = calloc(1, sizeof(*r->lab));
	if (!r->lab)
		return -ENOMEM;
	ret = lab_init(r->lab, &cfg, "explain");
	if (ret) {
		snprintf(why, len, "the lab of step %s: %s", r->name, r->lab->err);
		free(r->lab);
		r->lab = NULL;
		return ret;
	}
	for (unsigned int i = 0; i < tasks && !ret; i++)
		ret = lab_plan_task(r->lab, r->mode, (uint16_t)(LAB_DEFAULT_PORT + i));
	if (!ret)
		ret = lab_up(r->lab);
	if (ret)
		snprintf(why, len, "the lab of step %s: %s", r->name, r->lab->err);
	return ret;
}

static int measure_once(const struct explain_opts *eo, const struct bench_opts *bo, struct rung *r,
			unsigned int m, unsigned int round, char *why, size_t len)
{
	struct bench_opts o = *bo;
	struct bench_target t;
	json_t *res = NULL;
	double v;
	int ret;

	o.stream.duration_s = eo->stream_s;
	o.rr.duration_s = eo->rr_s;
	o.before_client = o.after_client = NULL;
	ret = path_target(r->lab, &r->lab->tasks[0], NULL, eo->path, &t, why, len);
	if (!ret)
		ret = bench_run(explain_metrics[m].test, &o, &t, &res, why, len);
	if (ret)
		return ret;
	v = json_number_value(
		json_object_get(json_object_get(res, "metrics"), explain_metrics[m].result_key));
	json_decref(res);
	if (!(v > 0)) {
		snprintf(why, len, "step %s, %s: no measurement", r->name, explain_metrics[m].name);
		return -EIO;
	}
	r->v[m][round] = v;
	return 0;
}

/*
 * Under duet: comparison K's two steps at once, A and B (each on a CPU of its
 * own, swapped every round), metric M, round ROUND.
 */
static int measure_pair(const struct explain_opts *eo, const struct bench_opts *bo,
			const struct rung *ra, const struct rung *rb, unsigned int m,
			unsigned int round, struct duet *d, unsigned int k, char *why, size_t len)
{
	const struct rung *side[2] = {ra, rb};
	struct bench_opts o = *bo;
	struct bench_target t[2];
	json_t *res[2];
	double v[2];
	const char *aff;
	int ret = 0;

	o.stream.duration_s = eo->stream_s;
	o.rr.duration_s = eo->rr_s;
	o.before_client = o.after_client = NULL;
	for (unsigned int i = 0; i < 2 && !ret; i++) {
		ret = path_target(side[i]->lab, &side[i]->lab->tasks[0], NULL, eo->path, &t[i], why,
				  len);
		t[i].own_cpu = true;
		t[i].cpu = d->cpus[(round + i) % 2];
	}
	if (!ret)
		ret = bench_run_many(explain_metrics[m].test, &o, t, 2, res, why, len);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < 2; i++)
		v[i] = json_number_value(json_object_get(json_object_get(res[i], "metrics"),
							 explain_metrics[m].result_key));
	aff = json_string_value(
		json_object_get(json_object_get(res[1], "placement"), "server_affinity"));
	d->b_cpu[k][round] = aff && !strchr(aff, ',') && !strchr(aff, '-') ? atoi(aff) : -1;
	json_decref(res[0]);
	json_decref(res[1]);
	if (!(v[0] > 0 && v[1] > 0)) {
		snprintf(why, len, "steps %s and %s, %s: no measurement", ra->name, rb->name,
			 explain_metrics[m].name);
		return -EIO;
	}
	d->a[k][m][round] = v[0];
	d->b[k][m][round] = v[1];
	return 0;
}

/* How many comparisons a duet round measures: the steps, and the whole when it is not one. */
static unsigned int duet_comparisons(unsigned int nr)
{
	return nr > 2 ? nr : nr - 1;
}

/*
 * What the probes cost: the same traced udp_rr and tcp_rr runs with and
 * without them, alternating (which goes first alternates too), as ratios.
 */
static int probe_cost(const struct explain_opts *eo, const struct bench_opts *bo, struct lab *lab,
		      json_t **out, char *why, size_t len)
{
	static const enum bench_test tests[2] = {TEST_UDP_RR, TEST_TCP_RR};
	unsigned int n = eo->probe_cost_rounds;
	double *with = calloc(2 * n, sizeof(double)), *without = calloc(2 * n, sizeof(double));
	json_t *doc = json_pack("{s:i, s:I}", "rounds", (int)n, "transactions",
				(json_int_t)eo->po.transactions);
	int ret = with && without && doc ? 0 : -ENOMEM;

	for (unsigned int i = 0; i < n && !ret; i++)
		for (unsigned int t = 0; t < 2 && !ret; t++)
			for (unsigned int k = 0; k < 2 && !ret; k++) {
				struct perhop_opts po = eo->po;
				bool probes = (i + k) % 2 == 0;
				json_t *ph = NULL;

				po.test = tests[t];
				po.no_probes = !probes;
				ret = perhop_measure(lab, &lab->tasks[0], eo->path, bo, &po, &ph,
						     why, len);
				if (!ret)
					(probes ? with : without)[t * n + i] = json_number_value(
						json_object_get(ph, "engine_p50_us"));
				json_decref(ph);
				if (lab_stop)
					ret = -EINTR;
			}
	for (unsigned int t = 0; t < 2 && !ret; t++) {
		struct effect e;
		double lo = 0, hi = 0;

		if (effect_paired(&without[t * n], &with[t * n], n, &e)) {
			json_object_set_new(doc, bench_test_name(tests[t]),
					    json_pack("{s:s}", "verdict", "inconclusive"));
			continue;
		}
		effect_interval(&e, VERDICT_ALPHA, &lo, &hi);
		json_object_set_new(doc, bench_test_name(tests[t]),
				    json_pack("{s:f, s:f, s:f, s:f, s:f}", "without_p50_us",
					      explain_gmean(&without[t * n], n), "with_p50_us",
					      explain_gmean(&with[t * n], n), "ratio",
					      effect_ratio(&e), "ci95_low", lo, "ci95_high", hi));
	}
	free(with);
	free(without);
	if (ret)
		json_decref(doc);
	else
		*out = doc;
	return ret;
}

int explain_run(const struct explain_opts *eo, const struct bench_opts *bo, json_t **out, char *why,
		size_t len)
{
	struct rung r[EXPLAIN_MAX_RUNGS];
	unsigned int nr, rounds = eo->rounds;
	json_t *doc = NULL, *lad;
	int ret;

	*out = NULL;
	if (rounds < 2 || rounds > EXPLAIN_ROUNDS * 4) {
		snprintf(why, len, "rounds: 2 to %d", EXPLAIN_ROUNDS * 4);
		return -EINVAL;
	}
	ret = hopprobe_supported(why, len);
	if (ret)
		return ret;
	nr = ladder_of(eo, r);
	for (unsigned int k = 0; k < nr; k++)
		r[k].lab = NULL, r[k].waterfall = NULL;
	for (unsigned int k = 0; k < nr && !ret; k++) {
		notice(NOTICE_INFO, "explain: building step %s", r[k].name);
		ret = build(eo, &r[k], why, len);
	}
	testhook_phase("explain:built");
	for (unsigned int k = 0; k < nr && !ret; k++) {
		notice(NOTICE_INFO, "explain: per-hop latency of %s (%u %s transactions)",
		       r[k].name, eo->po.transactions, bench_test_name(eo->po.test));
		ret = perhop_measure(r[k].lab, &r[k].lab->tasks[0], eo->path, bo, &eo->po,
				     &r[k].waterfall, why, len);
		if (lab_stop)
			ret = -EINTR;
	}
	json_t *cost = NULL;
	struct duet *d = NULL;

	if (!ret && eo->schedule == SCHED_DUET && nr > 1) {
		d = calloc(1, sizeof(*d));
		ret = d ? schedule_duet_cpus(d->cpus, why, len) : -ENOMEM;
	}
	if (!ret && eo->probe_cost_rounds) {
		notice(NOTICE_INFO, "explain: what the probes cost, %u rounds",
		       eo->probe_cost_rounds);
		ret = probe_cost(eo, bo, r[nr - 1].lab, &cost, why, len);
	}
	for (unsigned int i = 0; i < rounds && nr > 1 && !ret; i++) {
		notice(NOTICE_INFO, "explain: round %u of %u", i + 1, rounds);
		testhook_phase("explain:round");
		unsigned int order[EXPLAIN_MAX_RUNGS];

		/*
		 * alternate: every step in turn, the order rotating each round;
		 * random: drawn; duet: every comparison's two steps at once, in
		 * turn, the order rotating.
		 */
		schedule_order(eo->schedule, i, eo->seed, order, nr);
		for (unsigned int j = 0; j < (d ? duet_comparisons(nr) : nr) && !ret; j++) {
			unsigned int k = eo->schedule == SCHED_RANDOM ? order[j]
					 : d ? (i + j) % duet_comparisons(nr)
					     : (i + j) % nr;

			for (unsigned int m = 0; m < NMETRICS && !ret; m++) {
				if (d)
					ret = measure_pair(eo, bo, k < nr - 1 ? &r[k] : &r[0],
							   k < nr - 1 ? &r[k + 1] : &r[nr - 1], m,
							   i, d, k, why, len);
				else
					ret = measure_once(eo, bo, &r[k], m, i, why, len);
				if (lab_stop)
					ret = -EINTR;
			}
		}
	}
	if (!ret) {
		doc = json_pack("{s:s, s:s, s:O}", "mode", lab_mode_name(eo->mode), "path",
				path_name(eo->path), "waterfall", r[nr - 1].waterfall);
		vpc_describe(doc, &eo->vpc);
		if (cost)
			json_object_set_new(doc, "probe_cost", cost);
		cost = NULL;
		if (nr > 1) {
			lad = explain_ladder_json(eo, r, nr, d);
			json_object_set_new(doc, "ladder", lad);
		}
		*out = doc;
	}
	json_decref(cost);
	if (ret == -EINTR)
		snprintf(why, len, "interrupted");
	for (unsigned int k = 0; k < nr; k++) {
		if (r[k].lab) {
			lab_down(r[k].lab, LAB_TEARDOWN_GROUP);
			lab_free(r[k].lab);
			free(r[k].lab);
		}
		json_decref(r[k].waterfall);
	}
	free(d);
	return ret;
}
