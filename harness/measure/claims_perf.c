// SPDX-License-Identifier: MIT
/*
 * The performance claims of nsbench claims: bridge slower than host, host
 * the fastest, awsvpc better than bridge. The modes they need run side by
 * side in rounds (the drift of a shared machine cancels in the paired
 * ratios); each look of the sequential rule decides what it can, and what
 * the budget leaves open is "inconclusive". On an emulated CPU nothing is
 * measured: those rows cannot be checked there (verdict_judges).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/noise.h"
#include "bench/stream.h"
#include "harness/common/notice.h"
#include "harness/common/virt.h"
#include "harness/lab/build.h"
#include "harness/lab/mode.h"
#include "harness/lab/path.h"
#include "harness/measure/claims_perf.h"
#include "harness/reports/verdict.h"
#include "netns/rt.h"
#include "netns/testhooks.h"

/* "Fastest" allows this much: measurement noise on a shared machine. */
#define FASTEST_TOLERANCE 0.05

static const char *const pm_names[PM_COUNT] = {"host", "bridge", "awsvpc", "awsvpc+security group"};

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A figure of a slot's result: METRIC of its metrics. */
static double metric_of(json_t *res, const char *metric)
{
	return json_number_value(json_object_get(json_object_get(res, "metrics"), metric));
}

/*
 * One slot of a round: N (1, or 2 at once under duet) labs' ingress paths,
 * throughput (when THR) and TCP_RR p50, into THR_OUT[i] and P50_OUT[i]. Under
 * duet each side's endpoints run on CPUS[i]; *HOST_CPU gets side 0's CPU as
 * read back from its server.
 */
static int perf_slot(struct perf *p, struct lab **labs, unsigned int n, const int *cpus, bool thr,
		     double *thr_out, double *p50_out, int *host_cpu)
{
	struct bench_opts bo;
	struct bench_target t[2];
	json_t *res[2] = {NULL, NULL};
	char why[512];
	int ret = 0;

	bench_opts_default(&bo);
	bench_cpus_resolve(&bo.cpus);
	bo.stream.duration_s = 2;
	bo.stream.omit_s = 0;
	/*
	 * Both ends' socket buffers fixed, as iperf3 -w: with the kernel's
	 * autotuning a stream ends in one of two states ~10% apart whatever the
	 * mode (doc/measuring.md, "Throughput and the receive buffer"), noise no schedule
	 * cancels.
	 */
	bo.stream.window = p->window;
	bo.rr.duration_s = 0.5;
	bo.rr.warmup_s = 0.1;
	for (unsigned int i = 0; i < n && !ret; i++) {
		ret = path_target(labs[i], &labs[i]->tasks[0], NULL, PATH_INGRESS, &t[i], why,
				  sizeof(why));
		t[i].own_cpu = cpus != NULL;
		t[i].cpu = cpus ? cpus[i] : -1;
	}
	if (!ret && thr) {
		ret = bench_run_many(TEST_TCP_STREAM, &bo, t, n, res, why, sizeof(why));
		for (unsigned int i = 0; !ret && i < n; i++) {
			thr_out[i] = metric_of(res[i], "throughput_bps");
			json_decref(res[i]);
		}
	}
	if (!ret)
		ret = bench_run_many(TEST_TCP_RR, &bo, t, n, res, why, sizeof(why));
	if (ret) {
		p->err = ret;
		snprintf(p->why, sizeof(p->why), "%s", why);
		return ret;
	}
	for (unsigned int i = 0; i < n; i++) {
		const char *aff = json_string_value(
			json_object_get(json_object_get(res[i], "placement"), "server_affinity"));

		p50_out[i] = metric_of(res[i], "p50_us");
		if (i == 0 && host_cpu)
			*host_cpu = aff && strchr(aff, ',') == NULL && strchr(aff, '-') == NULL
					    ? atoi(aff)
					    : -1;
		json_decref(res[i]);
	}
	return 0;
}

/* The geometric mean of host's figures over the slots of duet round R (its partners NEED). */
static void duet_host_means(struct perf *p, unsigned int needs, unsigned int thr_needs)
{
	double lt = 0, lp = 0;
	int nt = 0, np = 0, r = p->n;

	for (int m = 0; m < PM_COUNT; m++) {
		if (m == PM_HOST || !(needs & NEED(m)))
			continue;
		lp += log(p->host_p50[m][r]);
		np++;
		if (thr_needs & NEED(m)) {
			lt += log(p->host_thr[m][r]);
			nt++;
		}
	}
	p->p50[PM_HOST][r] = np ? exp(lp / np) : NAN;
	p->thr[PM_HOST][r] = nt ? exp(lt / nt) : 0;
}

/*
 * Round p->n of every needed mode, on the schedule: in turn (alternate, or
 * in an order drawn for the round), or host beside each other mode at once
 * (duet), the CPUs swapped every round.
 */
static int perf_round(struct claims_ctx *c, struct lab **labs)
{
	struct perf *p = &c->perf;
	unsigned int order[PM_COUNT], k = 0;
	int r = p->n;

	if (p->schedule == SCHED_DUET) {
		int cpus[2] = {p->duet_cpus[r % 2], p->duet_cpus[(r + 1) % 2]};

		for (int m = 0; m < PM_COUNT && !lab_stop; m++) {
			struct lab *pair[2] = {labs[PM_HOST], labs[m]};
			double t2[2] = {0, 0}, l2[2] = {0, 0};

			if (m == PM_HOST || !labs[m])
				continue;
			p->order[r][k++] = (unsigned int)m;
			if (perf_slot(p, pair, 2, cpus, c->thr_needs & NEED(m), t2, l2,
				      &p->host_cpu[r]))
				return -1;
			p->host_thr[m][r] = t2[0];
			p->host_p50[m][r] = l2[0];
			p->thr[m][r] = t2[1];
			p->p50[m][r] = l2[1];
		}
		duet_host_means(p, c->needs, c->thr_needs);
		p->norder = k;
		return 0;
	}
	schedule_order(p->schedule, (unsigned int)r, p->seed, order, PM_COUNT);
	for (unsigned int i = 0; i < PM_COUNT && !lab_stop; i++) {
		int m = (int)order[i];

		if (!labs[m])
			continue;
		p->order[r][k++] = (unsigned int)m;
		if (perf_slot(p, &labs[m], 1, NULL, c->thr_needs & NEED(m), &p->thr[m][r],
			      &p->p50[m][r], NULL))
			return -1;
	}
	p->norder = k;
	return 0;
}

static void perf_decide_all(struct claims_ctx *c, bool final);

/* On a terminal: which round of the most there may be, of which modes, how long so far. */
static void perf_progress(const struct claims_ctx *c, double seconds)
{
	char what[200];
	int off = snprintf(what, sizeof(what), "performance rounds: ");

	for (int m = 0, k = 0; m < PM_COUNT && off > 0 && (size_t)off < sizeof(what); m++)
		if (c->needs & NEED(m))
			off += snprintf(what + off, sizeof(what) - (size_t)off, "%s%s",
					k++ ? ", " : "", pm_names[m]);
	if (off > 0 && (size_t)off < sizeof(what))
		snprintf(what + off, sizeof(what) - (size_t)off, " side by side, %.0f s of %d",
			 seconds, PERF_MAX_SECONDS);
	notice_progress((unsigned int)c->perf.n, PERF_MAX_ROUNDS, -1, what);
}

/* Another nsbench's lab seen beside a round, once each. */
static void add_other(struct perf *p, const struct state_other *o)
{
	for (size_t i = 0; i < p->nothers; i++)
		if (!strcmp(p->others[i].lab, o->lab))
			return;
	if (p->nothers < PERF_MAX_OTHERS)
		p->others[p->nothers++] = *o;
}

/*
 * A look of the sequential rule. Under duet only at an even round, so that
 * each side ran on each CPU as often: a look due at an odd round waits one.
 */
static bool is_look(const struct perf *p)
{
	unsigned int n = (unsigned int)p->n;

	if (p->schedule != SCHED_DUET)
		return verdict_seq_is_look(n, PERF_MAX_ROUNDS);
	return n % 2 == 0 && (verdict_seq_is_look(n, PERF_MAX_ROUNDS) ||
			      verdict_seq_is_look(n - 1, PERF_MAX_ROUNDS));
}

/*
 * The modes the selected claims need, side by side, round after round (each
 * round every mode once: the machine's drift cancels in the paired ratios),
 * until every performance claim is decided at a look of the sequential rule
 * or the budget (PERF_MAX_ROUNDS, PERF_MAX_SECONDS) ends.
 */
void claims_perf_measure(struct claims_ctx *c)
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
	/* The deterministic claims still decide; these would decide on the emulator. */
	if (!verdict_judges(virt_detect(NULL, 0))) {
		p->emulated = true;
		p->err = -EOPNOTSUPP;
		snprintf(p->why, sizeof(p->why),
			 "not measured: this CPU is emulated (QEMU's TCG, host.virt \"tcg\"): %s",
			 VERDICT_EMULATED);
		notice(NOTICE_WARNING,
		       "this CPU is emulated (QEMU's TCG), so the performance "
		       "claims are not measured: %s",
		       VERDICT_EMULATED);
		return;
	}
	p->schedule = c->schedule;
	/* 2 MiB, or what the namespaces grant where that is less (212992 on older kernels). */
	p->window = PERF_STREAM_WINDOW;
	if (stream_window_max() > 0 && stream_window_max() < p->window)
		p->window = (int)stream_window_max();
	p->seed = (unsigned int)time(NULL);
	if (p->schedule == SCHED_DUET && schedule_duet_cpus(p->duet_cpus, p->why, sizeof(p->why))) {
		p->err = -ENODEV;
		return;
	}
	/* Under duet every mode is measured beside host, whether a claim reads host or not. */
	if (p->schedule == SCHED_DUET) {
		c->needs |= NEED(PM_HOST);
		if (c->thr_needs)
			c->thr_needs |= NEED(PM_HOST);
	}
	for (int m = 0; m < PM_COUNT; m++) {
		/* A/A for the schedules' benchmark: "awsvpc" is a second host lab. */
		enum lab_mode mode = m == PM_AWSVPC && testhook_break("aa") ? MODE_HOST : modes[m];

		if (!(c->needs & NEED(m)))
			continue;
		labs[m] = claim_lab_new(&r, mode, 1, ports, 0, m == PM_AWSVPC_SG);
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
	       "measuring the modes the performance claims need, side by side (schedule %s), in "
	       "rounds until decided (at most %d rounds, %d s)",
	       schedule_name(p->schedule), PERF_MAX_ROUNDS, PERF_MAX_SECONDS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (p->n < PERF_MAX_ROUNDS && !lab_stop) {
		struct noise_mark mark;
		struct noise nz;
		struct state_other o[PERF_MAX_OTHERS];
		bool have_mark = !noise_mark(&mark);
		size_t no = state_others_live(o, 0, PERF_MAX_OTHERS);
		struct bench_cpus pc = {PLACE_SAME, -1, -1};

		/* Where the round's endpoints run: their softirq time is ours. */
		bench_cpus_resolve(&pc);
		noise_mark_cpu(&mark, p->schedule == SCHED_DUET ? p->duet_cpus[0] : pc.client);
		noise_mark_cpu(&mark, p->schedule == SCHED_DUET ? p->duet_cpus[1] : pc.server);

		testhook_phase("claims:perf-round");
		perf_progress(c, elapsed_s(&t0));
		if (perf_round(c, labs))
			goto out;
		if (lab_stop)
			break;
		no = state_others_live(o, no, PERF_MAX_OTHERS);
		have_mark = have_mark && !noise_since(&mark, &nz);
		if (have_mark) {
			p->steal_max = nz.steal_pct > p->steal_max ? nz.steal_pct : p->steal_max;
			p->outside_max =
				nz.outside_pct > p->outside_max ? nz.outside_pct : p->outside_max;
			p->net_max = nz.net_pct > p->net_max ? nz.net_pct : p->net_max;
		}
		/* Another nsbench beside a round makes it noisy: say which, once each. */
		p->noisy += (have_mark && nz.noisy) || no > 0;
		for (size_t i = 0; i < no; i++)
			add_other(p, &o[i]);
		for (int m = 0; m < PM_COUNT; m++)
			if (labs[m])
				notice(NOTICE_DEBUG,
				       "round %d: %s: %.3f Gbit/s, TCP_RR p50 %.2f us", p->n + 1,
				       pm_names[m], p->thr[m][p->n] / 1e9, p->p50[m][p->n]);
		p->n++;
		p->seconds = elapsed_s(&t0);
		/* Stop before a round that would end past the budget, at the pace so far. */
		if (p->seconds + p->seconds / p->n > PERF_MAX_SECONDS)
			break;
		if (is_look(p)) {
			perf_decide_all(c, false);
			if (c->undecided == 0)
				break;
		}
	}
	if (lab_stop) {
		p->err = -EINTR;
		snprintf(p->why, sizeof(p->why), "interrupted");
	}
	/* Under duet an odd last round (the budget ended it) would favour one CPU: left out. */
	if (p->schedule == SCHED_DUET && p->n % 2 && p->n > 2)
		p->n--;
out:
	notice_progress_end();
	for (int m = 0; m < PM_COUNT; m++)
		claim_lab_end(labs[m]);
}

static bool perf_ready(struct claims_ctx *c, struct claim_result *r)
{
	claims_perf_measure(c);
	if (c->perf.err) {
		claim_say(r, CLAIM_UNCHECKABLE, "%s%s",
			  c->perf.emulated ? "" : "measurement failed: ", c->perf.why);
		return false;
	}
	if (c->perf.n < 2) {
		claim_say(r, CLAIM_UNCHECKABLE, "fewer than 2 rounds measured");
		return false;
	}
	return true;
}

/*
 * X/Y over the rounds, paired, with its interval at the level of this look,
 * and X - Y (the difference that transfers: microseconds per round trip).
 */
struct ratio {
	double est, lo, hi;
	double diff, dlo, dhi;
	bool ok;
};

static struct ratio ratio_of(const struct perf *p, const double *x, const double *y, double alpha)
{
	struct ratio q = {NAN, NAN, NAN, NAN, NAN, NAN, false};
	struct effect e;

	if (effect_paired(y, x, (size_t)p->n, &e))
		return q;
	q.est = effect_ratio(&e);
	effect_interval(&e, alpha, &q.lo, &q.hi);
	if (!effect_paired_difference(y, x, (size_t)p->n, &e)) {
		q.diff = e.d;
		effect_difference_interval(&e, alpha, &q.dlo, &q.dhi);
	}
	q.ok = true;
	return q;
}

/* Host's figures that mode M's are set against: under duet, those measured at the same time. */
static const double *host_thr(const struct perf *p, int m)
{
	return p->schedule == SCHED_DUET ? p->host_thr[m] : p->thr[PM_HOST];
}

static const double *host_p50(const struct perf *p, int m)
{
	return p->schedule == SCHED_DUET ? p->host_p50[m] : p->p50[PM_HOST];
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
	struct ratio t = ratio_of(p, p->thr[PM_AWSVPC], p->thr[PM_BRIDGE], a);
	struct ratio l = ratio_of(p, p->p50[PM_AWSVPC], p->p50[PM_BRIDGE], a);
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

/* Every selected decision at this look; FINAL turns what is still open into "inconclusive". */
static void perf_decide_all(struct claims_ctx *c, bool final)
{
	c->undecided = 0;
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
	}
}

void claims_perf_verdict(struct claims_ctx *c, struct claim_result *r, enum decision id)
{
	if (!perf_ready(c, r))
		return;
	if (!c->decided[id].set)
		perf_decide_all(c, true);
	r->verdict = c->decided[id].verdict;
	snprintf(r->evidence, sizeof(r->evidence), "%s", c->decided[id].evidence);
	r->figures = json_incref(c->decided[id].figures);
}

unsigned int claims_perf_needs(enum decision d)
{
	return deciders[d].needs;
}

void claims_perf_release(struct claims_ctx *c)
{
	for (int d = 0; d < D_COUNT; d++) {
		json_decref(c->decided[d].figures);
		c->decided[d].figures = NULL;
	}
}
