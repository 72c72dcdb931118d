// SPDX-License-Identifier: MIT
/*
 * The decisions of the performance claims: bridge slower than host, host the
 * fastest, awsvpc better than bridge, each from the paired ratios of the
 * rounds (claims_perf.c) with their intervals at the level of a look of the
 * sequential rule, and the evidence that says so.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/measure/claims_decide.h"
#include "harness/measure/schedule.h"
#include "harness/reports/verdict.h"

/* "Fastest" allows this much: measurement noise on a shared machine. */
#define FASTEST_TOLERANCE 0.05

/*
 * X/Y over the rounds, paired, with its interval at the level of this look
 * and its 95% interval (what the precision the rounds go on for is read
 * on), and X - Y (the difference that transfers: microseconds per round trip).
 */
struct ratio {
	double est, lo, hi, lo95, hi95;
	double diff, dlo, dhi;
	bool ok;
};

/* The ratio of RX to RY and the difference DX - DY, paired over N rounds. */
static struct ratio ratio_from(size_t n, const double *rx, const double *ry, const double *dx,
			       const double *dy, double alpha)
{
	struct ratio q = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, false};
	struct effect e;

	if (effect_paired(ry, rx, n, &e))
		return q;
	q.est = effect_ratio(&e);
	effect_interval(&e, alpha, &q.lo, &q.hi);
	effect_interval(&e, 0.05, &q.lo95, &q.hi95);
	if (!effect_paired_difference(dy, dx, n, &e)) {
		q.diff = e.d;
		effect_difference_interval(&e, alpha, &q.dlo, &q.dhi);
	}
	q.ok = true;
	return q;
}

static struct ratio ratio_of(const struct perf *p, const double *x, const double *y, double alpha)
{
	return ratio_from((size_t)p->n, x, y, x, y, alpha);
}

/*
 * Host's figures that mode M's are set against: under duet those measured at
 * the same time, under interleave those of the turns taken with M.
 */
static const double *host_thr(const struct perf *p, int m)
{
	return p->schedule == SCHED_DUET || p->schedule == SCHED_INTERLEAVE ? p->host_thr[m]
									    : p->thr[PM_HOST];
}

static const double *host_p50(const struct perf *p, int m)
{
	return p->schedule == SCHED_DUET || p->schedule == SCHED_INTERLEAVE ? p->host_p50[m]
									    : p->p50[PM_HOST];
}

/*
 * Mode MA against mode MB on throughput (THR) or TCP_RR p50. Where each was
 * measured beside host in a pair of its own (duet; interleave's p50), through
 * host: the ratio of their ratios to host and the difference of their
 * differences, so that the drift between the two pairs cancels as it does
 * within each.
 */
static struct ratio modes_ratio(const struct perf *p, bool thr, int ma, int mb, double alpha)
{
	const double *x = thr ? p->thr[ma] : p->p50[ma], *y = thr ? p->thr[mb] : p->p50[mb];
	const double *hx = thr ? host_thr(p, ma) : host_p50(p, ma);
	const double *hy = thr ? host_thr(p, mb) : host_p50(p, mb);
	double rx[PERF_MAX_ROUNDS], ry[PERF_MAX_ROUNDS], dx[PERF_MAX_ROUNDS], dy[PERF_MAX_ROUNDS];

	if (hx == hy)
		return ratio_of(p, x, y, alpha);
	for (int r = 0; r < p->n && r < PERF_MAX_ROUNDS; r++) {
		rx[r] = hx[r] > 0 ? x[r] / hx[r] : 0;
		ry[r] = hy[r] > 0 ? y[r] / hy[r] : 0;
		dx[r] = x[r] - hx[r];
		dy[r] = y[r] - hy[r];
	}
	return ratio_from((size_t)p->n, rx, ry, dx, dy, alpha);
}

static const char *side_text(enum verdict_side s)
{
	return s == SIDE_FOR ? "for" : s == SIDE_AGAINST ? "against" : "undecided";
}

/* A number as a field: null when it is not finite (jansson has no NaN). */
static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/*
 * One ratio of a claim's evidence as fields: OF/TO on METRIC with its interval,
 * the side it lies on, against LIMIT (1, or host's tolerance).
 */
static void fig_ratio(json_t *fig, const char *of, const char *to, const char *metric,
		      const struct ratio *q, enum verdict_side s, double limit)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:f}", "of", of, "to", to, "metric", metric,
			      "side", side_text(s), "limit", limit);

	/* Throughput's difference in Gbit/s, latency's in microseconds per round trip. */
	double scale = strcmp(metric, "throughput") ? 1 : 1e-9;

	json_object_set_new(o, "ratio", jnum(q->est));
	json_object_set_new(o, "ci_low", jnum(q->lo));
	json_object_set_new(o, "ci_high", jnum(q->hi));
	json_object_set_new(o, "ci95_low", jnum(q->lo95));
	json_object_set_new(o, "ci95_high", jnum(q->hi95));
	json_object_set_new(o, "diff", jnum(q->diff * scale));
	json_object_set_new(o, "diff_low", jnum(q->dlo * scale));
	json_object_set_new(o, "diff_high", jnum(q->dhi * scale));
	json_object_set_new(o, "diff_unit", json_string(scale < 1 ? "Gbit/s" : "us"));
	json_array_append_new(json_object_get(fig, "ratios"), o);
}

/* The figures of a performance claim: how it was measured, and its ratios (fig_ratio). */
static json_t *fig_new(const struct perf *p, double alpha)
{
	return json_pack("{s:i, s:f, s:f, s:f, s:i, s:[]}", "rounds", p->n, "seconds", p->seconds,
			 "confidence", 1 - alpha, "alpha", alpha, "noisy_rounds", p->noisy,
			 "ratios");
}

/* The rounds, the level and the noise they were measured under: part of every row's evidence. */
static void perf_context(const struct perf *p, double alpha, char *buf, size_t len)
{
	int off = snprintf(buf, len,
			   "%d rounds side by side (%s) in %.0f s; %.1f%% intervals (%.2f%% per "
			   "comparison: the sequential looks and the claim's parts share 5%%); "
			   "noise: steal up to %.1f%%, other processes up to %.1f%% of the CPUs, "
			   "network load not ours up to %.1f%% of a CPU, %d round(s) noisy",
			   p->n, schedule_name(p->schedule), p->seconds, (1 - alpha) * 100,
			   alpha * 100, p->steal_max, p->outside_max, p->net_max, p->noisy);

	for (size_t i = 0; i < p->nothers && off > 0 && (size_t)off < len; i++)
		off += snprintf(buf + off, len - (size_t)off, "%s lab %s (%s, pid %lld)",
				i ? "," : "; another nsbench ran beside:", p->others[i].lab,
				p->others[i].kind, p->others[i].owner_pid);
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
static enum claim_verdict d_bridge_slower(const struct perf *p, double alpha, char *ev, size_t len,
					  json_t **fig)
{
	double a = alpha / 2;
	struct ratio t = ratio_of(p, p->thr[PM_BRIDGE], host_thr(p, PM_BRIDGE), a);
	struct ratio l = ratio_of(p, p->p50[PM_BRIDGE], host_p50(p, PM_BRIDGE), a);
	enum verdict_side s[2];
	char ctx[400];

	if (!t.ok || !l.ok) {
		snprintf(ev, len, "no ratio: a measurement of 0");
		return CLAIM_UNCHECKABLE;
	}
	/* The claim says there is a difference: none beyond the margin is evidence against. */
	s[0] = verdict_side(t.lo, t.hi, 1, false, true, VERDICT_MARGIN_PCT);
	s[1] = verdict_side(l.lo, l.hi, 1, true, true, VERDICT_MARGIN_PCT);
	perf_context(p, a, ctx, sizeof(ctx));
	snprintf(ev, len,
		 "bridge/host: throughput %.2fx [%.2f, %.2f] (%s), TCP_RR p50 %.2fx [%.2f, %.2f], "
		 "%+.2f us per round trip [%+.2f, %+.2f] (%s); %s",
		 t.est, t.lo, t.hi, side_text(s[0]), l.est, l.lo, l.hi, l.diff, l.dlo, l.dhi,
		 side_text(s[1]), ctx);
	*fig = fig_new(p, a);
	fig_ratio(*fig, "bridge", "host", "throughput", &t, s[0], 1);
	fig_ratio(*fig, "bridge", "host", "tcp_rr_p50", &l, s[1], 1);
	return combine_all(s, 2);
}

/* No mode the VPC reaches beats host by more than the tolerance: every interval says so. */
static enum claim_verdict d_host_fastest(const struct perf *p, double alpha, char *ev, size_t len,
					 json_t **fig)
{
	double a = alpha / 4;
	struct ratio at = ratio_of(p, p->thr[PM_AWSVPC], host_thr(p, PM_AWSVPC), a);
	struct ratio al = ratio_of(p, p->p50[PM_AWSVPC], host_p50(p, PM_AWSVPC), a);
	struct ratio bt = ratio_of(p, p->thr[PM_BRIDGE], host_thr(p, PM_BRIDGE), a);
	struct ratio bl = ratio_of(p, p->p50[PM_BRIDGE], host_p50(p, PM_BRIDGE), a);
	enum verdict_side s[4];
	char ctx[400];

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
		 "[%.2f, %.2f] (%+.2f us [%+.2f, %+.2f]), bridge %.2fx [%.2f, %.2f] / %.2fx "
		 "[%.2f, %.2f] (%+.2f us [%+.2f, %+.2f]) (beating host means by more than %.0f%%; "
		 "none mode is loopback, unreachable from the VPC); %s",
		 at.est, at.lo, at.hi, al.est, al.lo, al.hi, al.diff, al.dlo, al.dhi, bt.est, bt.lo,
		 bt.hi, bl.est, bl.lo, bl.hi, bl.diff, bl.dlo, bl.dhi, FASTEST_TOLERANCE * 100,
		 ctx);
	*fig = fig_new(p, a);
	fig_ratio(*fig, "awsvpc", "host", "throughput", &at, s[0], 1 + FASTEST_TOLERANCE);
	fig_ratio(*fig, "awsvpc", "host", "tcp_rr_p50", &al, s[1], 1 - FASTEST_TOLERANCE);
	fig_ratio(*fig, "bridge", "host", "throughput", &bt, s[2], 1 + FASTEST_TOLERANCE);
	fig_ratio(*fig, "bridge", "host", "tcp_rr_p50", &bl, s[3], 1 - FASTEST_TOLERANCE);
	return combine_all(s, 4);
}

/*
 * Better: significantly better on one of throughput and latency, and not
 * worse than the margin on the other. Against: significantly worse on one,
 * or no difference beyond the margin on both.
 */
static enum claim_verdict d_awsvpc_vs_bridge(const struct perf *p, double alpha, char *ev,
					     size_t len, json_t **fig)
{
	double a = alpha / 2, m = VERDICT_MARGIN_PCT / 100;
	struct ratio t = modes_ratio(p, true, PM_AWSVPC, PM_BRIDGE, a);
	struct ratio l = modes_ratio(p, false, PM_AWSVPC, PM_BRIDGE, a);
	bool t_better, l_better, t_ok, l_ok, worse, same;
	enum claim_verdict v;
	char ctx[400];

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
	snprintf(ev, len,
		 "awsvpc/bridge: throughput %.2fx [%.2f, %.2f], TCP_RR p50 %.2fx [%.2f, %.2f] "
		 "(%+.2f us [%+.2f, %+.2f])%s; %s",
		 t.est, t.lo, t.hi, l.est, l.lo, l.hi, l.diff, l.dlo, l.dhi,
		 v == CLAIM_HOLDS ? " (better on one, not worse on the other)"
		 : worse	  ? " (significantly worse on one)"
		 : same		  ? " (no difference beyond the margin)"
				  : "",
		 ctx);
	*fig = fig_new(p, a);
	fig_ratio(*fig, "awsvpc", "bridge", "throughput", &t,
		  t_better   ? SIDE_FOR
		  : t.hi < 1 ? SIDE_AGAINST
			     : SIDE_UNDECIDED,
		  1);
	fig_ratio(*fig, "awsvpc", "bridge", "tcp_rr_p50", &l,
		  l_better   ? SIDE_FOR
		  : l.lo > 1 ? SIDE_AGAINST
			     : SIDE_UNDECIDED,
		  1);
	return v;
}

static const struct {
	enum claim_verdict (*fn)(const struct perf *p, double alpha, char *ev, size_t len,
				 json_t **fig);
	unsigned int needs;
} deciders[D_COUNT] = {
	[D_BRIDGE_SLOWER] = {d_bridge_slower, NEED(PM_HOST) | NEED(PM_BRIDGE)},
	[D_HOST_FASTEST] = {d_host_fastest, NEED(PM_HOST) | NEED(PM_BRIDGE) | NEED(PM_AWSVPC)},
	[D_AWSVPC_VS_BRIDGE] = {d_awsvpc_vs_bridge, NEED(PM_AWSVPC) | NEED(PM_BRIDGE)},
};

/* The widest 95% half-width (percent, on the log scale) among FIG's ratios, or WIDEST. */
static double widest95(json_t *fig, double widest)
{
	json_t *q;
	size_t i;

	json_array_foreach(json_object_get(fig, "ratios"), i, q) {
		double lo = json_number_value(json_object_get(q, "ci95_low"));
		double hi = json_number_value(json_object_get(q, "ci95_high"));
		double hw = lo > 0 && hi > 0 ? (sqrt(hi / lo) - 1) * 100 : INFINITY;

		widest = hw > widest ? hw : widest;
	}
	return widest;
}

/* Every selected decision at this look; FINAL turns what is still open into "inconclusive". */
void claims_decide(struct claims_ctx *c, bool final)
{
	c->undecided = 0;
	c->widest95_pct = 0;
	for (int d = 0; d < D_COUNT; d++) {
		struct decided *x = &c->decided[d];

		if (!c->wants[d] || c->perf.n < 2)
			continue;
		json_decref(x->figures);
		x->figures = NULL;
		x->verdict = deciders[d].fn(&c->perf, c->perf.alpha, x->evidence,
					    sizeof(x->evidence), &x->figures);
		x->set = x->verdict != CLAIM_INCONCLUSIVE || final;
		c->undecided += !x->set;
		c->widest95_pct = widest95(x->figures, c->widest95_pct);
	}
}

unsigned int claims_decide_needs(enum decision d)
{
	return deciders[d].needs;
}

void claims_decide_release(struct claims_ctx *c)
{
	for (int d = 0; d < D_COUNT; d++) {
		json_decref(c->decided[d].figures);
		c->decided[d].figures = NULL;
	}
}
