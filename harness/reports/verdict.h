/* SPDX-License-Identifier: MIT */
#ifndef NSB_VERDICT_H
#define NSB_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/common/virt.h"

/*
 * The one module that decides: effects as ratios with intervals, the
 * equivalence margin, multiplicity over a family of metrics, and the
 * sequential rule of claims and `run --target`. compare, claims and the
 * runner call it; nothing else does statistics on verdicts.
 */

#define VERDICT_ALPHA 0.05
/* --equivalence default: a change inside +/-5% is "unchanged" when its interval says so. */
#define VERDICT_MARGIN_PCT 5.0
#define VERDICT_MAX_PLAN 1000

/*
 * The headline metrics: the family whose verdicts are corrected together and
 * gate CI, and what `run --target` narrows. Everything else is descriptive.
 */
#define VERDICT_NHEADLINE 8
extern const char *const verdict_headline[VERDICT_NHEADLINE];
bool verdict_is_headline(const char *metric);

enum verdict { VERDICT_FASTER, VERDICT_SLOWER, VERDICT_UNCHANGED, VERDICT_INCONCLUSIVE };

const char *verdict_name(enum verdict v);

/*
 * Whether figures measured on a machine that runs as V (host.virt) may
 * decide anything. Not on an emulated CPU (QEMU's TCG): its times are the
 * emulator's, not the kernel's path, so no verdict, claim or gate is decided
 * on them. Every other machine is judged as usual, unknown included (files
 * written before host.virt, CPUs without CPUID). VERDICT_EMULATED says why;
 * VERDICT_EMULATED_NAME stands where a verdict would.
 */
bool verdict_judges(enum virt v);
#define VERDICT_EMULATED                                                                           \
	"emulated (TCG) figures are not performance figures, and nothing is decided on them"
#define VERDICT_EMULATED_NAME "emulated"

/*
 * The ratio B/A of geometric means, estimated on the log scale, where
 * run-to-run noise is multiplicative and intervals of ratios are symmetric.
 * Unpaired: Welch's t on log values (different runs). Paired: a one-sample
 * t on log(b[i]/a[i]) (rounds measured side by side, drift cancels).
 */
struct effect {
	size_t na, nb;
	double d;  /* log of the ratio */
	double se; /* its standard error */
	double df; /* degrees of freedom of its t distribution */
	double sd; /* per-repetition spread of the log values, for planning */
	double p;  /* two-sided p-value that the ratio is 1 */
	bool paired;
};

/* -EINVAL: fewer than 2 values on a side, or a value <= 0 (no ratio on a log scale). */
int effect_unpaired(const double *a, size_t na, const double *b, size_t nb, struct effect *e);
int effect_paired(const double *a, const double *b, size_t n, struct effect *e);
double effect_ratio(const struct effect *e);
/* The two-sided (1 - ALPHA) interval of the ratio. */
void effect_interval(const struct effect *e, double alpha, double *lo, double *hi);
/*
 * mean(B) - mean(A) on the values themselves (Welch's t), for what is not
 * compared as a ratio: a loss rate, whose baseline is often 0, as a
 * difference in percentage points. -EINVAL: fewer than 2 values on a side,
 * or one not finite. Its interval: D -/+ the half-width.
 */
int effect_difference(const double *a, size_t na, const double *b, size_t nb, struct effect *e);
void effect_difference_interval(const struct effect *e, double alpha, double *lo, double *hi);
/*
 * mean(b[i] - a[i]) over pairs measured side by side (a one-sample t), for
 * what transfers as an amount: microseconds added per round trip, CPU
 * seconds added per GB. -EINVAL: fewer than 2 pairs, or a value not finite.
 * Its interval: effect_difference_interval.
 */
int effect_paired_difference(const double *a, const double *b, size_t n, struct effect *e);

/*
 * Benjamini-Hochberg over M p-values at false discovery rate Q: REJECT[i]
 * set for the discoveries, Q-values (BH-adjusted p) in PADJ (may be NULL).
 * Returns the number of discoveries.
 */
size_t verdict_bh(const double *p, size_t m, double q, bool *reject, double *padj);

/*
 * A metric's verdict: "unchanged" when the (1 - ALPHA) interval lies within
 * +/-MARGIN_PCT (an equivalence test), else faster/slower when SIGNIFICANT
 * (the caller's multiplicity-controlled decision that the ratio is not 1),
 * else inconclusive. HIGHER_BETTER says which direction is faster.
 */
enum verdict verdict_decide(const struct effect *e, double alpha, double margin_pct,
			    bool higher_better, bool significant);

/*
 * Repetitions per side that would settle an inconclusive effect at the noise
 * observed, if the estimate held: the interval narrow enough to exclude 1 at
 * level ALPHA_DIFF, or to fit within the margin at ALPHA. VERDICT_MAX_PLAN
 * when more than that.
 */
unsigned int verdict_reps_needed(const struct effect *e, double alpha, double alpha_diff,
				 double margin_pct);

/*
 * The stopping rule of `run --target`: the half-width of the 95% interval of
 * the geometric mean of V, in percent of the value; -1 when it cannot be
 * computed (fewer than 2 values, a value <= 0).
 */
double verdict_halfwidth_pct(const double *v, size_t n);
/* The geometric mean of V and its 95% interval; -EINVAL for n < 1 or a value <= 0. */
int verdict_gmean_interval(const double *v, size_t n, double *gm, double *lo, double *hi);

/*
 * Sequential claims: the evidence is looked at after these rounds only, and
 * each look spends an equal part of ALPHA (Bonferroni over the looks), so
 * that stopping at the first decisive look keeps the error rate below ALPHA.
 */
bool verdict_seq_is_look(unsigned int round, unsigned int max_rounds);
double verdict_seq_alpha(double alpha, unsigned int max_rounds);

/* The interval [LO, HI] of a ratio lies within +/-MARGIN_PCT percent of 1. */
bool verdict_within_margin(double lo, double hi, double margin_pct);
/* ...or wholly beyond it, on either side. */
bool verdict_beyond_margin(double lo, double hi, double margin_pct);

/* Where a (1 - alpha) interval [LO, HI] of a ratio lies against a claimed direction. */
enum verdict_side {
	SIDE_UNDECIDED,
	SIDE_FOR,     /* the interval lies beyond BOUND in the claimed direction */
	SIDE_AGAINST, /* it lies on the other side of BOUND, or within the margin around 1 */
};

/*
 * A claim "the ratio is above BOUND" (ABOVE) or below it: for, against, or
 * undecided. When EQUIV_AGAINST, an interval inside +/-MARGIN_PCT around 1
 * also counts against (the claim says there is a difference, the evidence
 * says there is none that matters).
 */
enum verdict_side verdict_side(double lo, double hi, double bound, bool above, bool equiv_against,
			       double margin_pct);

#endif
