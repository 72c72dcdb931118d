// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "summary.h"

int summary_of(const double *v, size_t n, struct summary *s)
{
	double *sorted;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return -EINVAL;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, v, n * sizeof(*sorted));
	gsl_sort(sorted, 1, n);
	s->n = n;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->median = gsl_stats_median_from_sorted_data(sorted, 1, n);
	s->mean = gsl_stats_mean(sorted, 1, n);
	if (n > 1) {
		double half;

		s->sd = gsl_stats_sd_m(sorted, 1, n, s->mean);
		half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * s->sd / sqrt((double)n);
		s->ci95_low = s->mean - half;
		s->ci95_high = s->mean + half;
	} else {
		s->ci95_low = s->ci95_high = s->mean;
	}
	free(sorted);
	return 0;
}

int welch_test(const double *a, size_t na, const double *b, size_t nb, double *p)
{
	double ma, mb, va, vb, se2, t, df;

	if (na < 2 || nb < 2)
		return -EINVAL;
	ma = gsl_stats_mean(a, 1, na);
	mb = gsl_stats_mean(b, 1, nb);
	va = gsl_stats_variance_m(a, 1, na, ma) / (double)na;
	vb = gsl_stats_variance_m(b, 1, nb, mb) / (double)nb;
	se2 = va + vb;
	if (se2 <= 0) {
		*p = ma == mb ? 1.0 : 0.0;
		return 0;
	}
	t = (ma - mb) / sqrt(se2);
	/* Welch-Satterthwaite degrees of freedom. */
	df = se2 * se2 / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
	*p = 2 * gsl_cdf_tdist_Q(fabs(t), df);
	if (*p > 1)
		*p = 1;
	return 0;
}

int paired_ratio_test(const double *a, const double *b, size_t n, double *p, double *ratio)
{
	double lr[256], m, sd, t;

	if (n < 2 || n > 256)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!(a[i] > 0) || !(b[i] > 0))
			return -EINVAL;
		lr[i] = log(a[i] / b[i]);
	}
	m = gsl_stats_mean(lr, 1, n);
	sd = gsl_stats_sd_m(lr, 1, n, m);
	*ratio = exp(m);
	if (sd <= 0) {
		*p = m == 0 ? 1.0 : 0.0;
		return 0;
	}
	t = m / (sd / sqrt((double)n));
	*p = 2 * gsl_cdf_tdist_Q(fabs(t), (double)(n - 1));
	if (*p > 1)
		*p = 1;
	return 0;
}
