/* SPDX-License-Identifier: MIT */
#ifndef NSB_EXPLAIN_LADDER_H
#define NSB_EXPLAIN_LADDER_H

/*
 * Inside explain (explain.h is its face): the ladder's steps as measured,
 * and what the document says of them (explain_ladder.c).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "bench/measurement.h"
#include "harness/lab/lab.h"
#include "harness/measure/explain_opts.h"

#define NMETRICS 3

/* What each step is measured on, and which way is better. */
struct explain_metric {
	const char *name;
	enum bench_test test;
	const char *result_key;
	bool higher_better;
};

extern const struct explain_metric explain_metrics[NMETRICS];

struct rung {
	const char *name;
	enum lab_mode mode;
	enum lab_variant variant;
	bool sg;
	enum lab_instance instance;
	bool proxy;
	struct lab *lab;
	json_t *waterfall;
	double v[NMETRICS][EXPLAIN_ROUNDS * 4];
};

/*
 * Under duet, each comparison's two steps are measured at once, each on a CPU
 * of its own, swapped every round: comparison k < NR-1 is step k+1 against
 * step k, the last the whole ladder (the last step against the first). Its
 * figures are paired with each other only: A and B per metric and round, and
 * the CPU step B's server ran on, read back from its affinity.
 */
struct duet {
	int cpus[2];
	double a[EXPLAIN_MAX_RUNGS][NMETRICS][EXPLAIN_ROUNDS * 4];
	double b[EXPLAIN_MAX_RUNGS][NMETRICS][EXPLAIN_ROUNDS * 4];
	int b_cpu[EXPLAIN_MAX_RUNGS][EXPLAIN_ROUNDS * 4];
};

/* The geometric mean, as verdict.c computes it (0 when it has none). */
double explain_gmean(const double *v, size_t n);
/*
 * The ladder of R[0..NR-1] (measured side by side, D the duet's figures or
 * NULL): its steps, each rung against the one before, and the whole ladder,
 * BH over every decision; NULL when out of memory.
 */
json_t *explain_ladder_json(const struct explain_opts *eo, struct rung *r, unsigned int nr,
			    const struct duet *d);

#endif
