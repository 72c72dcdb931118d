// SPDX-License-Identifier: MIT
/*
 * The decision rules on data with a known answer: hand-computed intervals and
 * Benjamini-Hochberg steps, then simulated comparisons (seeded, GSL's
 * generator) of identical distributions and of a 10% effect, whose false
 * alarm rate and power are printed as a table (doc/method.md has a copy).
 */
#include "testlib.h"
#include <errno.h>
#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "harness/reports/verdict.h"

/* Headline metrics in one simulated comparison (a small run: host and bridge, 2 tests). */
#define FAMILY 10
#define SIMS 1000

static void test_effect_by_hand(void **state)
{
	/* log a = {0, log 2}, log b = {log 2, log 4}: d = log 2, sd log 2/sqrt 2 each side. */
	double a[] = {1, 2}, b[] = {2, 4}, lo, hi, c[] = {5, 5, 5};
	struct effect e;

	(void)state;
	assert_int_equal(effect_unpaired(a, 2, b, 2, &e), 0);
	assert_true(fabs(effect_ratio(&e) - 2) < 1e-12);
	/* se = sqrt(2 * (log 2)^2 / 2 / 2) = log 2 / sqrt 2; df = 2; t = sqrt 2: p = 0.29289. */
	assert_true(fabs(e.se - log(2) / sqrt(2)) < 1e-12);
	assert_true(fabs(e.df - 2) < 1e-9);
	assert_true(fabs(e.p - (1 - 1 / sqrt(2))) < 1e-9);
	/* t(0.975, 2) = 4.302653: the interval is 2 * exp(+/-4.302653 * 0.490129). */
	effect_interval(&e, 0.05, &lo, &hi);
	assert_true(fabs(lo - 2 * exp(-4.302653 * log(2) / sqrt(2))) < 1e-5);
	assert_true(fabs(hi - 2 * exp(4.302653 * log(2) / sqrt(2))) < 1e-4);
	/* No spread: equal values are no change, different ones a certain change. */
	assert_int_equal(effect_unpaired(c, 3, c, 3, &e), 0);
	assert_true(e.p == 1 && e.d == 0);
	assert_int_equal(verdict_decide(&e, 0.05, 5, true, false), VERDICT_UNCHANGED);
	assert_int_equal(effect_unpaired(a, 1, b, 2, &e), -EINVAL);
	c[1] = 0;
	assert_int_equal(effect_unpaired(a, 2, c, 3, &e), -EINVAL);
	/* Paired: b is 1.1 a in every round, whatever the round's drift. */
	{
		double x[] = {10, 14, 8, 12}, y[4];

		for (int i = 0; i < 4; i++)
			y[i] = x[i] * 1.1;
		assert_int_equal(effect_paired(x, y, 4, &e), 0);
		assert_true(fabs(effect_ratio(&e) - 1.1) < 1e-12);
		assert_true(e.p == 0);
		/* Unpaired, the rounds' drift hides it. */
		assert_int_equal(effect_unpaired(x, 4, y, 4, &e), 0);
		assert_true(e.p > 0.5);
		assert_int_equal(verdict_decide(&e, 0.05, 5, true, false), VERDICT_INCONCLUSIVE);
		assert_true(verdict_reps_needed(&e, 0.05, 0.05, 5) > 4);
	}
}

static void test_bh_by_hand(void **state)
{
	/* m = 5, q = 0.05: thresholds 0.01 0.02 0.03 0.04 0.05; p(3) = 0.03 is the last under. */
	double p[] = {0.045, 0.001, 0.03, 0.2, 0.015}, adj[5];
	bool rej[10];

	(void)state;
	assert_int_equal(verdict_bh(p, 5, 0.05, rej, adj), 3);
	assert_true(rej[0] == false && rej[1] && rej[2] && !rej[3] && rej[4]);
	/* q-values: min over j >= rank of p(j) m / j. */
	assert_true(fabs(adj[1] - 0.005) < 1e-12);
	assert_true(fabs(adj[4] - 0.0375) < 1e-12);
	assert_true(fabs(adj[2] - 0.05) < 1e-12);
	assert_true(fabs(adj[0] - 0.05625) < 1e-12);
	assert_true(fabs(adj[3] - 0.2) < 1e-12);
	/* Step-up: one p at 0.04 alone among nulls is not a discovery... */
	{
		double q[] = {0.04, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.3, 0.2};

		assert_int_equal(verdict_bh(q, 10, 0.05, rej, NULL), 0);
	}
	/* ...but ten at 0.04 together are. */
	{
		double q[10];

		for (int i = 0; i < 10; i++)
			q[i] = 0.04;
		assert_int_equal(verdict_bh(q, 10, 0.05, rej, NULL), 10);
	}
}

static void test_sequential_looks(void **state)
{
	unsigned int looks[16], n = 0;

	(void)state;
	for (unsigned int r = 1; r <= 12; r++)
		if (verdict_seq_is_look(r, 12))
			looks[n++] = r;
	assert_int_equal(n, 4);
	assert_true(looks[0] == 3 && looks[1] == 5 && looks[2] == 8 && looks[3] == 12);
	assert_true(fabs(verdict_seq_alpha(0.05, 12) - 0.0125) < 1e-12);
	/* A budget that ends between looks still looks at its last round. */
	assert_true(verdict_seq_is_look(10, 10));
	/* Sides of a claim "below 1": an interval under 1 is for it, above 1 against it. */
	assert_int_equal(verdict_side(0.8, 0.9, 1, false, false, 5), SIDE_FOR);
	assert_int_equal(verdict_side(1.1, 1.2, 1, false, false, 5), SIDE_AGAINST);
	assert_int_equal(verdict_side(0.97, 1.02, 1, false, false, 5), SIDE_UNDECIDED);
	assert_int_equal(verdict_side(0.97, 1.02, 1, false, true, 5), SIDE_AGAINST);
	assert_int_equal(verdict_side(0.90, 1.02, 1, false, true, 5), SIDE_UNDECIDED);
}

static void test_halfwidth(void **state)
{
	double v[] = {100, 100, 100}, w[] = {90, 100, 110};

	(void)state;
	assert_true(verdict_halfwidth_pct(v, 3) == 0);
	assert_true(verdict_halfwidth_pct(v, 1) < 0);
	/* sd of logs 0.1003, t(0.975, 2) = 4.3027: exp(4.3027 * 0.1003 / sqrt 3) - 1 = 28.3%. */
	assert_true(fabs(verdict_halfwidth_pct(w, 3) - 28.30) < 0.1);
}

/* N lognormal repetitions of a metric whose true value is MU, spread CV. */
static void draw(gsl_rng *r, double mu, double cv, size_t n, double *out)
{
	double s = sqrt(log(1 + cv * cv));

	for (size_t i = 0; i < n; i++)
		out[i] = mu * exp(gsl_ran_gaussian(r, s));
}

/*
 * One simulated comparison of FAMILY headline metrics (higher is better),
 * metric 0 slowed by EFFECT in B. Returns the number of metrics called
 * faster or slower; *HIT says whether metric 0 was called slower,
 * *UNCHANGED counts "unchanged" verdicts.
 */
static size_t simulate(gsl_rng *r, size_t n, double cv, double effect, bool *hit, size_t *unchanged)
{
	struct effect e[FAMILY];
	double a[16], b[16], p[FAMILY];
	bool rej[FAMILY];
	size_t alarms = 0;

	for (int m = 0; m < FAMILY; m++) {
		draw(r, 1000, cv, n, a);
		draw(r, 1000 * (m == 0 ? 1 - effect : 1), cv, n, b);
		assert_int_equal(effect_unpaired(a, n, b, n, &e[m]), 0);
		p[m] = e[m].p;
	}
	verdict_bh(p, FAMILY, VERDICT_ALPHA, rej, NULL);
	*hit = false;
	for (int m = 0; m < FAMILY; m++) {
		enum verdict v =
			verdict_decide(&e[m], VERDICT_ALPHA, VERDICT_MARGIN_PCT, true, rej[m]);

		alarms += v == VERDICT_FASTER || v == VERDICT_SLOWER;
		*unchanged += v == VERDICT_UNCHANGED;
		if (m == 0)
			*hit = v == VERDICT_SLOWER;
	}
	return alarms;
}

static void test_simulated_error_rates(void **state)
{
	static const size_t ns[] = {3, 5, 10};
	static const double cvs[] = {0.02, 0.03, 0.05, 0.10};
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	(void)state;
	gsl_rng_set(r, 20261127);
	print_message("simulated comparisons: %d headline metrics, %d pairs of files each, "
		      "BH at 5%% FDR, equivalence +/-%.0f%%\n",
		      FAMILY, SIMS, VERDICT_MARGIN_PCT);
	print_message("| n | CV | false alarm (any of %d, identical files) | unchanged "
		      "(identical) | power, one metric 10%% slower |\n|---|---|---|---|---|\n",
		      FAMILY);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		for (size_t j = 0; j < sizeof(cvs) / sizeof(cvs[0]); j++) {
			size_t fa = 0, hits = 0, unch = 0, dummy = 0;
			bool hit;

			for (int s = 0; s < SIMS; s++) {
				fa += simulate(r, ns[i], cvs[j], 0, &hit, &unch) > 0;
				simulate(r, ns[i], cvs[j], 0.10, &hit, &dummy);
				hits += hit;
			}
			print_message("| %zu | %.0f%% | %.1f%% | %.1f%% | %.1f%% |\n", ns[i],
				      cvs[j] * 100, 100.0 * (double)fa / SIMS,
				      100.0 * (double)unch / (SIMS * FAMILY),
				      100.0 * (double)hits / SIMS);
			/* 5% family-wise (BH controls it when every metric is unchanged), with
			 * the Monte Carlo error of 1000 draws (sd 0.7%). */
			assert_true(fa <= 65);
			if (ns[i] == 5 && cvs[j] == 0.03)
				assert_true(hits >= 800);
		}
	gsl_rng_free(r);
}

/* An interval against the margin: within it, wholly beyond it (either side), or neither. */
static void test_margin_sides(void **state)
{
	(void)state;
	assert_true(verdict_within_margin(0.96, 1.04, 5));
	assert_false(verdict_beyond_margin(0.96, 1.04, 5));
	assert_true(verdict_beyond_margin(0.90, 0.94, 5));
	assert_true(verdict_beyond_margin(1.06, 1.20, 5));
	/* Significant (1 excluded) yet reaching inside the margin: neither. */
	assert_false(verdict_beyond_margin(0.946, 0.986, 5));
	assert_false(verdict_within_margin(0.946, 0.986, 5));
	assert_false(verdict_beyond_margin(1.039, 1.062, 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_effect_by_hand),	      cmocka_unit_test(test_bh_by_hand),
		cmocka_unit_test(test_sequential_looks),      cmocka_unit_test(test_halfwidth),
		cmocka_unit_test(test_simulated_error_rates), cmocka_unit_test(test_margin_sides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
