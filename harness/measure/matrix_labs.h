/* SPDX-License-Identifier: MIT */
#ifndef NSB_MATRIX_LABS_H
#define NSB_MATRIX_LABS_H

/* Inside the matrix (matrix.h is its face): the labs of a run. */
#include <jansson.h>
#include <stddef.h>

#include "harness/lab/lab.h"
#include "harness/measure/runconfig.h"

/*
 * The lab of mode M with N tasks (one more as the peer of the intra-host path
 * when N is 1), planned, not built; -errno with lab->err when ECS would
 * refuse it (the ENI limit, the address plan).
 */
int matrix_labs_plan(const struct run_config *c, enum lab_mode m, unsigned int n, struct lab *lab);
/*
 * One lab per mode with N tasks into LABS[mode]. A mode the kernel cannot
 * build, or N beyond the ENI limit, is recorded in DOC and skipped (NULL); the
 * other modes still run. -EINTR, or -errno of shaping the wire, with WHY.
 */
int matrix_labs_build(const struct run_config *c, unsigned int n, struct lab **labs, json_t *doc,
		      char *why, size_t len);
/* Every lab of LABS removed, and its slot NULL. */
void matrix_labs_teardown(struct lab **labs);

#endif
