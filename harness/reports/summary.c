// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "harness/reports/summary.h"

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
