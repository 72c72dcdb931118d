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

#endif
