/* SPDX-License-Identifier: MIT */
#ifndef NSB_STATS_H
#define NSB_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Exact order statistics of recorded samples (nanoseconds), no binning. */
struct stats_summary {
	size_t n;
	double min, max, mean, stddev;
	double p50, p90, p99, p999;
};

/* Nearest rank: the smallest sample with at least P percent of samples <= it. */
double stats_percentile(const uint32_t *sorted, size_t n, double p);
/* Sorts V in place. An empty set gives n = 0 and zeros. */
void stats_summarize(uint32_t *v, size_t n, struct stats_summary *s);
void stats_sort(uint32_t *v, size_t n);

#endif
