/* SPDX-License-Identifier: MIT */
#ifndef NSB_MATRIX_H
#define NSB_MATRIX_H

#include <jansson.h>
#include <stddef.h>

#include "harness/measure/runconfig.h"

/*
 * The matrix, repetition-major (every mode once, then again), in one lab per
 * mode. Returns 0 with *DOC complete (status "ok" or "failed"), or -EINTR /
 * -errno with WHY when it could not run; nothing is left behind either way.
 */
int matrix_run(const struct run_config *c, json_t **doc, char *why, size_t len);
/*
 * Whether ECS would place at least one of the run's labs (a mode at a task
 * count): -ENOSPC with every refusal in WHY when it would place none, so that
 * the run would measure nothing. Nothing is built.
 */
int matrix_plan_check(const struct run_config *c, char *why, size_t len);

#endif
