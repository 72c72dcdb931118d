/* SPDX-License-Identifier: MIT */
#ifndef NSB_POOL_H
#define NSB_POOL_H

#include <stddef.h>
#include <jansson.h>

/* The most repetitions of one test a pooled document may hold (compare's limit). */
#define POOL_MAX_REPS 256

/*
 * Results files of one kernel, measured in interleaved rounds
 * (scripts/kernel-compare.sh), as one document: each test's repetitions side
 * by side, summaries recomputed, "pooled_from" the number of files. NAMES
 * (the files' names, for messages) may be NULL. -EINVAL with WHY when they
 * differ in kernel or configuration (rounds of different runs) or pool more
 * than POOL_MAX_REPS repetitions of a test.
 */
int results_pool(json_t *const *docs, const char *const *names, size_t n, json_t **out,
		 char *why, size_t len);

/*
 * DOCS (N files) grouped by kernel (release and build: a patched build of a
 * release is a kernel of its own), in the order the kernels first appear, each
 * group pooled: OUT gets *NOUT new documents (at most MAX). The caller keeps
 * DOCS and frees OUT's. -errno with WHY.
 */
int results_pool_by_kernel(json_t *const *docs, const char *const *names, size_t n,
			   json_t **out, size_t max, size_t *nout, char *why, size_t len);

/* The same, grouped by instance profile and userland proxy (config.instance). */
int results_pool_by_instance(json_t *const *docs, const char *const *names, size_t n,
			     json_t **out, size_t max, size_t *nout, char *why, size_t len);
/* "al2023", "al2023, proxy off", "al2", "bare": the instance a results file ran on, in BUF. */
const char *results_instance(json_t *doc, char *buf, size_t len);

/* The same, grouped by the VPC's setup: its MTUs, --wire, --trunking (config). */
int results_pool_by_vpc(json_t *const *docs, const char *const *names, size_t n, json_t **out,
			size_t max, size_t *nout, char *why, size_t len);
/* "vpc 9001, bridge 1500, wire nic[, trunking]": the VPC a results file ran on, in BUF. */
const char *results_vpc(json_t *doc, char *buf, size_t len);

/* The kernel release a results file was measured on ("" when it has none). */
const char *results_kernel(json_t *doc);

#endif
