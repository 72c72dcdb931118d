/* SPDX-License-Identifier: MIT */
#ifndef NSB_MATRIX_SLOT_H
#define NSB_MATRIX_SLOT_H

/* Inside the matrix (matrix.h is its face): one slot of a round, measured and recorded. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "bench/measurement.h"
#include "harness/lab/lab.h"
#include "harness/measure/runconfig.h"

/* The run's steps: how many, how many done, and the planned seconds of both. */
struct matrix_progress {
	unsigned int done, total;
	double planned_done, planned_total, t0;
};

/* What one task count's rounds share: the run, its labs and documents, and where they are. */
struct matrix_rounds {
	const struct run_config *c;
	unsigned int n; /* tasks */
	struct lab **labs;
	json_t *doc, *hp;
	struct matrix_progress *prog;
	double *measured;
	bool *failed;
	unsigned int r, max_reps;
	int duet_cpus[2];
};

/*
 * One slot: test TEST of mode M on LEG, or under duet (HOST_LEG not NULL)
 * host's HOST_LEG at the same time on the other CPU. Returns -EINTR when
 * interrupted, else 0 (a failure is recorded, and the run goes on).
 */
int matrix_slot(struct matrix_rounds *x, enum lab_mode m, struct run_leg leg,
		const struct run_leg *host_leg, enum bench_test test, char *why, size_t len);

#endif
