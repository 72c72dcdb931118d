// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stats.h"

/* LSD radix sort, 4 passes of 8 bits: millions of samples in tens of ms. */
void stats_sort(uint32_t *v, size_t n)
{
	uint32_t *tmp, *src = v, *dst;
	size_t count[256];

	if (n < 2)
		return;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp) {
		/* Out of memory: an in-place insertion sort, slow but correct. */
		for (size_t i = 1; i < n; i++) {
			uint32_t x = v[i];
			size_t j = i;

			while (j > 0 && v[j - 1] > x) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	dst = tmp;
	for (unsigned int shift = 0; shift < 32; shift += 8) {
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xff]++;
		for (int b = 0; b < 256; b++) {
			size_t c = count[b];

			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xff]++] = src[i];
		uint32_t *t = src;
		src = dst;
		dst = t;
	}
	/* Four passes: the result is back in v. */
	free(tmp);
}

double stats_percentile(const uint32_t *sorted, size_t n, double p)
{
	double rank;
	size_t idx;

	if (n == 0)
		return 0;
	if (p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	/* 99.9 is not exact in binary: without the nudge, 99.9% of 1000 ranks 1000, not 999. */
	rank = p / 100.0 * (double)n;
	rank = ceil(rank - rank * 1e-12);
	idx = rank < 1 ? 0 : (size_t)rank - 1;
	if (idx >= n)
		idx = n - 1;
	return sorted[idx];
}

void stats_summarize(uint32_t *v, size_t n, struct stats_summary *s)
{
	double sum = 0, sq = 0, mean;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (n == 0)
		return;
	stats_sort(v, n);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += ((double)v[i] - mean) * ((double)v[i] - mean);
	s->mean = mean;
	s->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	s->min = v[0];
	s->max = v[n - 1];
	s->p50 = stats_percentile(v, n, 50);
	s->p90 = stats_percentile(v, n, 90);
	s->p99 = stats_percentile(v, n, 99);
	s->p999 = stats_percentile(v, n, 99.9);
}
