/* SPDX-License-Identifier: MIT */
#ifndef NSB_POOL_H
#define NSB_POOL_H

#include <stddef.h>
#include <jansson.h>

/*
 * Results files of one kernel, measured in interleaved rounds
 * (scripts/kernel-compare.sh), as one document: each test's repetitions side
 * by side, summaries recomputed, "pooled_from" the number of files. -EINVAL with
 * WHY when they differ in kernel or configuration (rounds of different runs).
 */
int results_pool(json_t *const *docs, size_t n, json_t **out, char *why, size_t len);

/* The kernel release a results file was measured on ("" when it has none). */
const char *results_kernel(json_t *doc);

#endif
