// SPDX-License-Identifier: MIT
/*
 * The ladder of nsbench explain as its document says it: each step against
 * the one before and the whole ladder, per metric the paired ratio, its
 * interval and the verdict (Benjamini-Hochberg over every decision), and the
 * segments of the round trip that grew most.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/common/virt.h"
#include "harness/measure/explain_ladder.h"
#include "harness/reports/verdict.h"

const struct explain_metric explain_metrics[NMETRICS] = {
	{"tcp_rr_p50_us", TEST_TCP_RR, "p50_us", false},
	{"tcp_stream_bps", TEST_TCP_STREAM, "throughput_bps", true},
	{"tcp_crr_tps", TEST_TCP_CRR, "tps", true},
};

/* Comparison K's index among a duet's: step K (K < NR) or the whole ladder (K == NR). */
static unsigned int duet_index(unsigned int k, unsigned int nr)
{
	return k < nr ? k - 1 : (nr > 2 ? nr - 1 : 0);
}

double explain_gmean(const double *v, size_t n)
{
	double gm, lo, hi;

	return verdict_gmean_interval(v, n, &gm, &lo, &hi) ? 0 : gm;
}

/*
 * Whether two segments are the same part of the round trip: the same two
 * points, or the same end at the engine (the stack between the last hop and
 * the server is one part, whichever interface the last hop is).
 */
static bool same_segment(json_t *a, json_t *b)
{
	const char *af = json_string_value(json_object_get(a, "from"));
	const char *at = json_string_value(json_object_get(a, "to"));
	const char *bf = json_string_value(json_object_get(b, "from"));
	const char *bt = json_string_value(json_object_get(b, "to"));

	if (perhop_engine_point(af) || perhop_engine_point(bf))
		return !strcmp(af, bf) && (perhop_engine_point(at) == perhop_engine_point(bt));
	if (perhop_engine_point(at) || perhop_engine_point(bt))
		return !strcmp(at, bt);
	return !strcmp(af, bf) && !strcmp(at, bt);
}

/* The segments of B's waterfall that grew most over A's (a new segment grew from zero). */
static json_t *growth(json_t *a, json_t *b)
{
	json_t *out = json_array(), *sb, *sa;
	struct {
		const char *from, *to;
		double d;
		bool fresh;
	} top[64];
	size_t i, j, n = 0;

	json_array_foreach(json_object_get(b, "segments"), i, sb) {
		const char *from = json_string_value(json_object_get(sb, "from"));
		const char *to = json_string_value(json_object_get(sb, "to"));
		double pb = json_number_value(json_object_get(sb, "p50_us")), pa = 0;
		bool fresh = true;

		json_array_foreach(json_object_get(a, "segments"), j, sa)
			if (fresh && same_segment(sa, sb)) {
				pa = json_number_value(json_object_get(sa, "p50_us"));
				fresh = false;
			}
		if (n < 64)
			top[n++] = (typeof(top[0])){from, to, pb - pa, fresh};
	}
	/* The three largest, largest first. */
	for (unsigned int k = 0; k < 3 && k < n; k++) {
		size_t best = k;
		typeof(top[0]) tmp;

		for (size_t x = k + 1; x < n; x++)
			if (top[x].d > top[best].d)
				best = x;
		tmp = top[k];
		top[k] = top[best];
		top[best] = tmp;
		if (top[k].d <= 0)
			break;
		json_array_append_new(out,
				      json_pack("{s:s, s:s, s:f, s:b}", "from", top[k].from, "to",
						top[k].to, "grows_us", round(top[k].d * 100) / 100,
						"new", top[k].fresh));
	}
	return out;
}

/* One metric's effect from A to B: the ratio, its interval, the verdict. */
static json_t *step_metric(const double *a, const double *b, unsigned int n, unsigned int m,
			   bool significant, double q, bool judged)
{
	struct effect e;
	double lo, hi, ga = explain_gmean(a, n), gb = explain_gmean(b, n);
	enum verdict v;
	json_t *o;

	if (effect_paired(a, b, n, &e))
		return json_pack("{s:s}", "verdict", "inconclusive");
	effect_interval(&e, VERDICT_ALPHA, &lo, &hi);
	v = verdict_decide(&e, VERDICT_ALPHA, VERDICT_MARGIN_PCT, explain_metrics[m].higher_better,
			   significant);
	o = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:s}", "from", ga, "to", gb, "ratio",
		      effect_ratio(&e), "ci95_low", lo, "ci95_high", hi, "p_value", e.p, "q_value",
		      q, "verdict",
		      !judged		       ? VERDICT_EMULATED_NAME
		      : v == VERDICT_SLOWER    ? "costs"
		      : v == VERDICT_FASTER    ? "gains"
		      : v == VERDICT_UNCHANGED ? "no cost (within 5%)"
					       : "inconclusive");
	if (m == 0)
		json_object_set_new(o, "cost_us", json_real(gb - ga));
	if (judged && v == VERDICT_INCONCLUSIVE)
		json_object_set_new(o, "rounds_needed",
				    json_integer(verdict_reps_needed(
					    &e, VERDICT_ALPHA, VERDICT_ALPHA, VERDICT_MARGIN_PCT)));
	return o;
}

/*
 * The figures comparison K (step K against step K-1, or K == NR the whole
 * ladder) sets side by side: its "before" side (B false) or its "after" side.
 * Alternate and random: the steps' own rounds; duet: the pair measured at once.
 */
static const double *side_of(const struct rung *r, unsigned int nr, const struct duet *d,
			     unsigned int k, unsigned int m, bool b)
{
	if (d)
		return b ? d->b[duet_index(k, nr)][m] : d->a[duet_index(k, nr)][m];
	if (k == nr)
		return b ? r[nr - 1].v[m] : r[0].v[m];
	return b ? r[k].v[m] : r[k - 1].v[m];
}

/* Per round, the CPU the "after" side's server ran on (-1: not one CPU). */
static json_t *cpus_json(const int *cpu, unsigned int rounds)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < rounds; i++)
		json_array_append_new(a, json_integer(cpu[i]));
	return a;
}

/* Steps (each rung against the one before) and the whole ladder, BH over every decision. */
json_t *explain_ladder_json(const struct explain_opts *eo, struct rung *r, unsigned int nr,
			    const struct duet *d)
{
	unsigned int rounds = eo->rounds;
	unsigned int nd = nr * NMETRICS;
	double *p = calloc(nd, sizeof(double)), *q = calloc(nd, sizeof(double));
	bool *rej = calloc(nd, sizeof(bool));
	json_t *steps = json_array(), *rungs = json_array(), *total;
	/* On an emulated CPU the ladder's figures are shown, and nothing is decided on them. */
	bool judged = verdict_judges(virt_detect(NULL, 0));

	if (!p || !q || !rej) {
		free(p);
		free(q);
		free(rej);
		json_decref(steps);
		json_decref(rungs);
		return NULL;
	}
	/* Decisions 0..(nr-1)*3-1: the steps; the last three: the whole ladder. */
	for (unsigned int k = 1; k <= nr; k++)
		for (unsigned int m = 0; m < NMETRICS; m++) {
			struct effect e;

			p[(k - 1) * NMETRICS + m] =
				effect_paired(side_of(r, nr, d, k, m, false),
					      side_of(r, nr, d, k, m, true), rounds, &e)
					? 1.0
					: e.p;
		}
	verdict_bh(p, nd, VERDICT_ALPHA, rej, q);
	for (unsigned int k = 0; k < nr; k++) {
		json_t *vals = json_object();

		for (unsigned int m = 0; m < NMETRICS; m++) {
			json_t *a = json_array();

			/* Under duet, a step's figures as measured beside the step before it. */
			const double *v = !d ? r[k].v[m] : k ? d->b[k - 1][m] : d->a[0][m];

			for (unsigned int i = 0; i < rounds; i++)
				json_array_append_new(a, json_real(v[i]));
			json_object_set_new(vals, explain_metrics[m].name, a);
		}
		json_array_append_new(
			rungs, json_pack("{s:s, s:s, s:s, s:b, s:s, s:o, s:O}", "step", r[k].name,
					 "mode", lab_mode_name(r[k].mode), "variant",
					 lab_variant_name(r[k].variant), "security_group", r[k].sg,
					 "lab", r[k].lab->id, "values", vals, "waterfall",
					 r[k].waterfall ? r[k].waterfall : json_null()));
	}
	for (unsigned int k = 1; k < nr; k++) {
		json_t *s = json_pack("{s:s, s:s}", "step", r[k].name, "after", r[k - 1].name);

		for (unsigned int m = 0; m < NMETRICS; m++) {
			unsigned int x = (k - 1) * NMETRICS + m;

			json_object_set_new(s, explain_metrics[m].name,
					    step_metric(side_of(r, nr, d, k, m, false),
							side_of(r, nr, d, k, m, true), rounds, m,
							rej[x], q[x], judged));
		}
		if (d)
			json_object_set_new(s, "cpu", cpus_json(d->b_cpu[k - 1], rounds));
		if (r[k - 1].waterfall && r[k].waterfall)
			json_object_set_new(s, "grows", growth(r[k - 1].waterfall, r[k].waterfall));
		json_array_append_new(steps, s);
	}
	total = json_pack("{s:s, s:s}", "step", r[nr - 1].name, "after", r[0].name);
	for (unsigned int m = 0; m < NMETRICS; m++) {
		unsigned int x = (nr - 1) * NMETRICS + m;

		json_object_set_new(total, explain_metrics[m].name,
				    step_metric(side_of(r, nr, d, nr, m, false),
						side_of(r, nr, d, nr, m, true), rounds, m, rej[x],
						q[x], judged));
	}
	if (d)
		json_object_set_new(total, "cpu", cpus_json(d->b_cpu[duet_index(nr, nr)], rounds));
	free(p);
	free(q);
	free(rej);
	json_t *doc =
		json_pack("{s:i, s:i, s:f, s:s, s:s, s:o, s:o, s:o}", "rounds", (int)rounds,
			  "stream_s", eo->stream_s, "rr_s", eo->rr_s, "schedule",
			  schedule_name(eo->schedule), "multiplicity", "Benjamini-Hochberg, 5% FDR",
			  "rungs", rungs, "steps", steps, "total", total);

	if (d)
		json_object_set_new(doc, "duet_cpus", json_pack("[i, i]", d->cpus[0], d->cpus[1]));
	return doc;
}
