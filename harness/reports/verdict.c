// SPDX-License-Identifier: MIT
/*
 * Verdicts: effect sizes with intervals, equivalence, Benjamini-Hochberg over
 * a family, the sequential rule. The method, and the simulation that chose it,
 * are in doc/method.md ("How verdicts are decided") and tests/unit_verdict.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "harness/reports/verdict.h"

const char *const verdict_headline[VERDICT_NHEADLINE] = {
	"throughput_vs_host", "tps_vs_host", "p50_vs_host", "p99_vs_host",
	"throughput_bps",     "tps",	     "p50_us",	    "p99_us",
};

bool verdict_is_headline(const char *metric)
{
	for (int i = 0; i < VERDICT_NHEADLINE; i++)
		if (!strcmp(metric, verdict_headline[i]))
			return true;
	return false;
}

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = {"faster", "slower", "unchanged", "inconclusive"};

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

bool verdict_judges(enum virt v)
{
	return v != VIRT_TCG;
}

static int logs_of(const double *v, size_t n, double *out)
{
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] > 0) || !isfinite(v[i]))
			return -EINVAL;
		out[i] = log(v[i]);
	}
	return 0;
}

static double two_sided_p(double t, double df)
{
	double p = 2 * gsl_cdf_tdist_Q(fabs(t), df);

	return p > 1 ? 1 : p;
}

static void finish(struct effect *e)
{
	if (e->se > 0)
		e->p = two_sided_p(e->d / e->se, e->df);
	else
		/* No spread at all: the values either differ or they do not. */
		e->p = e->d == 0 ? 1 : 0;
}

/* Welch's t of mean(Y) - mean(X): the difference, its standard error and degrees of freedom. */
static void welch(const double *x, size_t na, const double *y, size_t nb, struct effect *e)
{
	double ma = gsl_stats_mean(x, 1, na), mb = gsl_stats_mean(y, 1, nb);
	double va = gsl_stats_variance_m(x, 1, na, ma), vb = gsl_stats_variance_m(y, 1, nb, mb);
	double wa = va / (double)na, wb = vb / (double)nb;

	e->na = na;
	e->nb = nb;
	e->d = mb - ma;
	e->se = sqrt(wa + wb);
	/* Welch-Satterthwaite; the pooled figure when neither side has spread. */
	if (wa + wb > 0)
		e->df = (wa + wb) * (wa + wb) /
			(wa * wa / (double)(na - 1) + wb * wb / (double)(nb - 1));
	else
		e->df = (double)(na + nb - 2);
	e->sd = sqrt(((double)(na - 1) * va + (double)(nb - 1) * vb) / (double)(na + nb - 2));
	finish(e);
}

int effect_unpaired(const double *a, size_t na, const double *b, size_t nb, struct effect *e)
{
	double *la, *lb;
	int ret = -EINVAL;

	memset(e, 0, sizeof(*e));
	if (na < 2 || nb < 2)
		return -EINVAL;
	la = malloc((na + nb) * sizeof(*la));
	if (!la)
		return -ENOMEM;
	lb = la + na;
	if (logs_of(a, na, la) || logs_of(b, nb, lb))
		goto out;
	welch(la, na, lb, nb, e);
	ret = 0;
out:
	free(la);
	return ret;
}

int effect_difference(const double *a, size_t na, const double *b, size_t nb, struct effect *e)
{
	memset(e, 0, sizeof(*e));
	if (na < 2 || nb < 2)
		return -EINVAL;
	for (size_t i = 0; i < na; i++)
		if (!isfinite(a[i]))
			return -EINVAL;
	for (size_t i = 0; i < nb; i++)
		if (!isfinite(b[i]))
			return -EINVAL;
	welch(a, na, b, nb, e);
	return 0;
}

/* A one-sample t on X[0..N-1], paired differences: their mean, its error and df. */
static void one_sample(const double *x, size_t n, struct effect *e)
{
	double m = gsl_stats_mean(x, 1, n);

	e->na = e->nb = n;
	e->paired = true;
	e->d = m;
	e->sd = gsl_stats_sd_m(x, 1, n, m);
	e->se = e->sd / sqrt((double)n);
	e->df = (double)(n - 1);
	finish(e);
}

/* The pairs as log(b/a) (LOGS) or b - a into OUT: -EINVAL for a value the scale cannot take. */
static int pair_values(const double *a, const double *b, size_t n, bool logs, double *out)
{
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(a[i]) || !isfinite(b[i]) || (logs && (!(a[i] > 0) || !(b[i] > 0))))
			return -EINVAL;
		out[i] = logs ? log(b[i] / a[i]) : b[i] - a[i];
	}
	return 0;
}

static int paired(const double *a, const double *b, size_t n, bool logs, struct effect *e)
{
	double *x;
	int ret;

	memset(e, 0, sizeof(*e));
	if (n < 2)
		return -EINVAL;
	x = malloc(n * sizeof(*x));
	if (!x)
		return -ENOMEM;
	ret = pair_values(a, b, n, logs, x);
	if (!ret)
		one_sample(x, n, e);
	free(x);
	return ret;
}

int effect_paired(const double *a, const double *b, size_t n, struct effect *e)
{
	return paired(a, b, n, true, e);
}

int effect_paired_difference(const double *a, const double *b, size_t n, struct effect *e)
{
	return paired(a, b, n, false, e);
}

double effect_ratio(const struct effect *e)
{
	return exp(e->d);
}

static double half_width(const struct effect *e, double alpha)
{
	if (e->se <= 0)
		return 0;
	return gsl_cdf_tdist_Pinv(1 - alpha / 2, e->df) * e->se;
}

void effect_interval(const struct effect *e, double alpha, double *lo, double *hi)
{
	double h = half_width(e, alpha);

	*lo = exp(e->d - h);
	*hi = exp(e->d + h);
}

void effect_difference_interval(const struct effect *e, double alpha, double *lo, double *hi)
{
	double h = half_width(e, alpha);

	*lo = e->d - h;
	*hi = e->d + h;
}

struct ranked {
	double p;
	size_t i;
};

static int by_p(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

size_t verdict_bh(const double *p, size_t m, double q, bool *reject, double *padj)
{
	struct ranked *r;
	size_t k = 0;
	double running = 1;

	for (size_t i = 0; i < m; i++)
		reject[i] = false;
	if (m == 0)
		return 0;
	r = malloc(m * sizeof(*r));
	if (!r)
		return 0;
	for (size_t i = 0; i < m; i++) {
		r[i].p = isnan(p[i]) ? 1 : p[i];
		r[i].i = i;
	}
	qsort(r, m, sizeof(*r), by_p);
	/* Step up: the largest rank j with p(j) <= j q / m, and every smaller p with it. */
	for (size_t j = m; j > 0; j--)
		if (r[j - 1].p <= (double)j * q / (double)m) {
			k = j;
			break;
		}
	for (size_t j = 0; j < k; j++)
		reject[r[j].i] = true;
	if (padj)
		for (size_t j = m; j > 0; j--) {
			double adj = r[j - 1].p * (double)m / (double)j;

			running = adj < running ? adj : running;
			padj[r[j - 1].i] = running;
		}
	free(r);
	return k;
}

bool verdict_within_margin(double lo, double hi, double margin_pct)
{
	return lo >= 1 - margin_pct / 100 && hi <= 1 + margin_pct / 100;
}

bool verdict_beyond_margin(double lo, double hi, double margin_pct)
{
	return hi < 1 - margin_pct / 100 || lo > 1 + margin_pct / 100;
}

enum verdict verdict_decide(const struct effect *e, double alpha, double margin_pct,
			    bool higher_better, bool significant)
{
	double lo, hi;

	effect_interval(e, alpha, &lo, &hi);
	if (margin_pct > 0 && verdict_within_margin(lo, hi, margin_pct))
		return VERDICT_UNCHANGED;
	if (significant && e->d != 0)
		return (e->d > 0) == higher_better ? VERDICT_FASTER : VERDICT_SLOWER;
	return VERDICT_INCONCLUSIVE;
}

unsigned int verdict_reps_needed(const struct effect *e, double alpha, double alpha_diff,
				 double margin_pct)
{
	double m = log(1 + margin_pct / 100), d = fabs(e->d);
	size_t from = e->na > e->nb ? e->na : e->nb;

	if (!(e->sd > 0))
		return (unsigned int)from + 1;
	for (size_t n = from + 1; n <= VERDICT_MAX_PLAN; n++) {
		/* Both sides at n repetitions (or n pairs), the spread as observed. */
		double se = e->paired ? e->sd / sqrt((double)n) : e->sd * sqrt(2.0 / (double)n);
		double df = e->paired ? (double)(n - 1) : (double)(2 * n - 2);

		if (gsl_cdf_tdist_Pinv(1 - alpha_diff / 2, df) * se < d)
			return (unsigned int)n;
		if (margin_pct > 0 && gsl_cdf_tdist_Pinv(1 - alpha / 2, df) * se < m - d)
			return (unsigned int)n;
	}
	return VERDICT_MAX_PLAN;
}

int verdict_gmean_interval(const double *v, size_t n, double *gm, double *lo, double *hi)
{
	double *l, m, h = 0;

	if (n < 1)
		return -EINVAL;
	l = malloc(n * sizeof(*l));
	if (!l)
		return -ENOMEM;
	if (logs_of(v, n, l)) {
		free(l);
		return -EINVAL;
	}
	m = gsl_stats_mean(l, 1, n);
	if (n > 1)
		h = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * gsl_stats_sd_m(l, 1, n, m) /
		    sqrt((double)n);
	free(l);
	*gm = exp(m);
	*lo = exp(m - h);
	*hi = exp(m + h);
	return 0;
}

double verdict_halfwidth_pct(const double *v, size_t n)
{
	double gm, lo, hi;

	if (n < 2 || verdict_gmean_interval(v, n, &gm, &lo, &hi))
		return -1;
	return (hi / gm - 1) * 100;
}

/* Looks at rounds 3, 5, 8, 12, 17, 23, ...: each gap a little wider than the last. */
bool verdict_seq_is_look(unsigned int round, unsigned int max_rounds)
{
	unsigned int look = 3, gap = 2;

	if (round == max_rounds)
		return true;
	while (look < round) {
		look += gap;
		gap++;
	}
	return look == round;
}

double verdict_seq_alpha(double alpha, unsigned int max_rounds)
{
	unsigned int looks = 0;

	for (unsigned int r = 1; r <= max_rounds; r++)
		looks += verdict_seq_is_look(r, max_rounds);
	return alpha / (looks ? looks : 1);
}

enum verdict_side verdict_side(double lo, double hi, double bound, bool above, bool equiv_against,
			       double margin_pct)
{
	if (above ? lo > bound : hi < bound)
		return SIDE_FOR;
	if (above ? hi < bound : lo > bound)
		return SIDE_AGAINST;
	if (equiv_against && verdict_within_margin(lo, hi, margin_pct))
		return SIDE_AGAINST;
	return SIDE_UNDECIDED;
}
