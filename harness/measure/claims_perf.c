// SPDX-License-Identifier: MIT
/*
 * The performance claims of nsbench claims: bridge slower than host, host
 * the fastest, awsvpc better than bridge. The modes they need run side by
 * side in rounds (the drift of a shared machine cancels in the paired
 * ratios); each look of the sequential rule decides what it can
 * (claims_decide.c), and what the budget leaves open is "inconclusive". On an
 * emulated CPU nothing is measured: those rows cannot be checked there
 * (verdict_judges).
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
#include "harness/common/parse.h"
#include "harness/common/virt.h"
#include "harness/lab/build.h"
#include "harness/lab/mode.h"
#include "harness/lab/path.h"
#include "harness/measure/claims_decide.h"
#include "harness/measure/claims_perf.h"
#include "harness/reports/verdict.h"
#include "netns/rt.h"
#include "netns/testhooks.h"

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
 * What a slot measures: throughput (a stream per lab, or bulk transfers its
 * labs take in turns) and TCP_RR p50 (per lab, or its labs taking turns).
 */
enum { SLOT_THR = 1, SLOT_RR = 2, SLOT_RR_TURNS = 4, SLOT_THR_TURNS = 8 };

/*
 * Interleave's throughput: one sender, a transfer of PERF_BULK_BYTES to each
 * lab in turn, each timed from its first byte sent to the receiver's answer
 * that it has the last, PERF_BULK_SECONDS per lab in a slot.
 */
#define PERF_BULK_BYTES (16u << 20)
#define PERF_BULK_SECONDS 1.0

/*
 * One slot of a round: N labs' ingress paths (1; 2 at once under duet; 2
 * from one client taking turns under interleave's p50), throughput
 * (WHAT & SLOT_THR) and TCP_RR p50, into THR_OUT[i] and P50_OUT[i]. Under
 * duet each side's endpoints run on CPUS[i]; *HOST_CPU gets side 0's CPU as
 * read back from its server.
 */
static int perf_slot(struct perf *p, struct lab **labs, unsigned int n, const int *cpus,
		     unsigned int what, double *thr_out, double *p50_out, int *host_cpu)
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
	/* Taking turns, each lab has its 0.5 s share of the transactions. */
	bo.rr.duration_s = what & SLOT_RR_TURNS ? 0.5 * n : 0.5;
	bo.rr.warmup_s = 0.1;
	for (unsigned int i = 0; i < n && !ret; i++) {
		ret = path_target(labs[i], &labs[i]->tasks[0], NULL, PATH_INGRESS, &t[i], why,
				  sizeof(why));
		t[i].own_cpu = cpus != NULL;
		t[i].cpu = cpus ? cpus[i] : -1;
	}
	if (!ret && (what & SLOT_THR)) {
		ret = bench_run_many(TEST_TCP_STREAM, &bo, t, n, res, why, sizeof(why));
		for (unsigned int i = 0; !ret && i < n; i++) {
			thr_out[i] = metric_of(res[i], "throughput_bps");
			json_decref(res[i]);
		}
	}
	if (!ret && (what & SLOT_THR_TURNS)) {
		struct bench_opts bb = bo;

		bb.rr.req_size = PERF_BULK_BYTES;
		bb.rr.resp_size = 1;
		bb.rr.window = p->window;
		bb.rr.warmup_s = 0.2;
		bb.rr.duration_s = PERF_BULK_SECONDS * n;
		bb.rr.max_samples = 1u << 16;
		ret = bench_run_interleaved(&bb, t, n, res, why, sizeof(why));
		/* Bytes over the mean time a transfer took: the bytes of all over their time. */
		for (unsigned int i = 0; !ret && i < n; i++) {
			double mean_us = metric_of(res[i], "mean_us");

			thr_out[i] = mean_us > 0 ? PERF_BULK_BYTES * 8.0 / (mean_us * 1e-6) : 0;
			json_decref(res[i]);
		}
	}
	if (!ret && (what & SLOT_RR))
		ret = bench_run_many(TEST_TCP_RR, &bo, t, n, res, why, sizeof(why));
	else if (!ret && (what & SLOT_RR_TURNS))
		ret = bench_run_interleaved(&bo, t, n, res, why, sizeof(why));
	if (ret) {
		p->err = ret;
		snprintf(p->why, sizeof(p->why), "%s", why);
		return ret;
	}
	for (unsigned int i = 0; i < n && (what & (SLOT_RR | SLOT_RR_TURNS)); i++) {
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
 * Round R under interleave: each mode's throughput (where THR_NEEDS has it)
 * and TCP_RR p50 taken in turns with host's (the reference: host, or the
 * first mode measured where host is not), one client, a transfer or a
 * transaction to each; host_thr and host_p50[m][r] the reference's from m's
 * pair, and the reference's own the geometric mean of those.
 */
static int perf_turns(struct perf *p, struct lab **labs, unsigned int thr_needs, int r)
{
	double lp = 0, lt = 0, thr[2], p50[2];
	int np = 0, nt = 0, ref = 0;

	while (ref < PM_COUNT - 1 && !labs[ref])
		ref++;
	for (int m = ref + 1; m < PM_COUNT && !lab_stop; m++) {
		struct lab *pair[2] = {labs[ref], labs[m]};
		unsigned int what = SLOT_RR_TURNS | (thr_needs & NEED(m) ? SLOT_THR_TURNS : 0);

		if (!labs[m])
			continue;
		if (perf_slot(p, pair, 2, NULL, what, thr, p50, NULL))
			return -1;
		p->host_p50[m][r] = p50[0];
		p->p50[m][r] = p50[1];
		lp += log(p50[0]);
		np++;
		if (what & SLOT_THR_TURNS) {
			p->host_thr[m][r] = thr[0];
			p->thr[m][r] = thr[1];
			lt += log(thr[0]);
			nt++;
		}
	}
	if (nt)
		p->thr[ref][r] = exp(lt / nt);
	if (np)
		p->p50[ref][r] = exp(lp / np);
	else if (perf_slot(p, &labs[ref], 1, NULL,
			   SLOT_RR_TURNS | (thr_needs & NEED(ref) ? SLOT_THR_TURNS : 0),
			   &p->thr[ref][r], &p->p50[ref][r], NULL))
		return -1;
	/* The reference paired with itself: a mode against it goes through its pair. */
	p->host_thr[ref][r] = p->thr[ref][r];
	p->host_p50[ref][r] = p->p50[ref][r];
	return 0;
}

/*
 * Round p->n of every needed mode, on the schedule: in turn (alternate, or
 * in an order drawn for the round), or host beside each other mode at once
 * (duet), the CPUs swapped every round, or each mode's throughput and p50
 * taken in turns with host's (interleave, perf_turns).
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
			if (perf_slot(p, pair, 2, cpus,
				      SLOT_RR | (c->thr_needs & NEED(m) ? SLOT_THR : 0), t2, l2,
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
		unsigned int what = c->thr_needs & NEED(m) ? SLOT_THR : 0;

		if (!labs[m])
			continue;
		p->order[r][k++] = (unsigned int)m;
		/* Interleave: nothing here; throughput and p50 in pairs below (perf_turns). */
		what = p->schedule == SCHED_INTERLEAVE ? 0 : what | SLOT_RR;
		if (what && perf_slot(p, &labs[m], 1, NULL, what, &p->thr[m][r], &p->p50[m][r],
				      NULL))
			return -1;
	}
	p->norder = k;
	return p->schedule == SCHED_INTERLEAVE && !lab_stop ? perf_turns(p, labs, c->thr_needs, r)
							    : 0;
}

/*
 * The rounds' budget in seconds: PERF_MAX_SECONDS; the test build's
 * NSBENCH_PERF_SECONDS (10 to that) makes it shorter, for the suite's time.
 */
static int perf_budget(void)
{
	const char *t = testhook("NSBENCH_PERF_SECONDS");
	unsigned long n;

	if (t && !parse_uint(t, 10, PERF_MAX_SECONDS, &n))
		return (int)n;
	return PERF_MAX_SECONDS;
}

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
			 seconds, c->perf.max_seconds);
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
 * until, at a look of the sequential rule, every performance claim is
 * decided and every ratio's 95% interval is within PERF_PRECISION_PCT, or
 * the budget (PERF_MAX_ROUNDS, PERF_MAX_SECONDS) ends.
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
	p->max_seconds = perf_budget();
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
	p->schedule = c->opts.schedule;
	p->window = stream_window_steady();
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
		labs[m] = claim_lab_new(&c->opts, &r, mode, 1, ports, 0, m == PM_AWSVPC_SG);
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
	       "rounds until decided to +/-%.0f%% (at most %d rounds, %d s)",
	       schedule_name(p->schedule), PERF_PRECISION_PCT, PERF_MAX_ROUNDS, p->max_seconds);
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
		if (p->seconds + p->seconds / p->n > p->max_seconds)
			break;
		if (is_look(p)) {
			claims_decide(c, false);
			if (c->undecided == 0 && c->widest95_pct <= PERF_PRECISION_PCT)
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

void claims_perf_verdict(struct claims_ctx *c, struct claim_result *r, enum decision id)
{
	if (!perf_ready(c, r))
		return;
	if (!c->decided[id].set)
		claims_decide(c, true);
	r->verdict = c->decided[id].verdict;
	snprintf(r->evidence, sizeof(r->evidence), "%s", c->decided[id].evidence);
	r->figures = json_incref(c->decided[id].figures);
}
