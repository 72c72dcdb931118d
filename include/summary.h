/* SPDX-License-Identifier: MIT */
#ifndef NSB_SUMMARY_H
#define NSB_SUMMARY_H

#include <stddef.h>

/* Statistics over repetitions (GSL underneath). */
struct summary {
	size_t n;
	double median, min, max, mean, sd;
	double ci95_low, ci95_high; /* Student t interval of the mean; the value when n = 1 */
};

int summary_of(const double *v, size_t n, struct summary *s);

/*
 * Welch's t-test, two-sided: the p-value that A and B have the same mean.
 * Two samples without spread: 0 when their values differ, 1 when equal.
 * -EINVAL when either has fewer than 2 values.
 */
int welch_test(const double *a, size_t na, const double *b, size_t nb, double *p);

/*
 * A and B measured side by side, in pairs (a[i] and b[i] in the same round):
 * a one-sample t-test of log(a[i]/b[i]), which cancels the drift that the
 * rounds share. *RATIO gets the geometric mean of a/b, *P the two-sided
 * p-value that it is 1. -EINVAL for fewer than 2 pairs or a value <= 0.
 */
int paired_ratio_test(const double *a, const double *b, size_t n, double *p, double *ratio);

#endif
