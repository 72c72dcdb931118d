/* SPDX-License-Identifier: MIT */
#ifndef NSB_RESULTS_H
#define NSB_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/common/virt.h"

/*
 * One JSON document per run; results/schema.md documents it. The keys named
 * there are a contract: scripts parse them.
 */
#define RESULTS_SCHEMA_VERSION 1

/* Takes CONFIG's reference. */
json_t *results_new(json_t *config);
json_t *results_host(void);
/* Now, UTC: ISO 8601 ("2026-11-27T22:43:45Z"), or COMPACT for file names. */
void results_utc_now(char *buf, size_t len, bool compact);
void results_finish(json_t *doc);
/* The entry for (mode, path, test), created on first use. */
json_t *results_entry(json_t *doc, const char *mode, const char *path, const char *test);
/* The same for N tasks per instance (density); an entry without "tasks" has 1. */
json_t *results_entry_tasks(json_t *doc, const char *mode, const char *path, const char *test,
			    unsigned int tasks);
unsigned int results_entry_ntasks(json_t *entry);
/* The same for one IP family ("ipv4", "ipv6"): each is a test of its own. */
json_t *results_entry_key(json_t *doc, const char *mode, const char *path, const char *test,
			  unsigned int tasks, const char *family);
/* The entry of that key, or NULL (results_entry_key without creating one). */
json_t *results_find(json_t *doc, const char *mode, const char *path, const char *test,
		     unsigned int tasks, const char *family);
/* An entry's "family"; "ipv4" for an entry without one (written before families were). */
const char *results_entry_family(json_t *entry);
/*
 * The entry of DOC that measures what LIKE (an entry of another file)
 * measures (mode, path, test, tasks and family), or NULL.
 */
json_t *results_entry_like(json_t *doc, json_t *like);
/* Median, min, max and a 95% interval over the repetitions, for every numeric metric. */
int results_summarize(json_t *doc);
/*
 * Creates DIR if needed and proves it writable, before minutes are spent
 * measuring. -ENOTDIR when DIR is a file or its parent is not a directory
 * that exists (a mistyped path: its parents are not made).
 */
int results_check_dir(const char *dir, char *why, size_t len);
/* Temp file and rename in DIR: a reader never sees half a file. PATH gets the name. */
int results_write(json_t *doc, const char *dir, char *path, size_t len);
/*
 * Loads and validates a results file. -ENOENT, -EBADMSG (not JSON, truncated)
 * or -EPROTO (other schema version, missing fields) with WHY saying which.
 */
int results_load(const char *file, json_t **doc, char *why, size_t len);
/* The same checks on SIZE bytes of TEXT (what the fuzzer feeds). */
int results_parse(const char *text, size_t size, json_t **doc, char *why, size_t len);
/* The numbers of METRIC over ENTRY's repetitions; returns how many. */
size_t results_rep_values(json_t *entry, const char *metric, double *v, size_t max);

/* host.virt: how DOC was measured; VIRT_UNKNOWN for a file written before it was recorded. */
enum virt results_virt(json_t *doc);

/* "RUNNER (or hostname), kernel RELEASE": how compare and report name a file. */
void results_label(json_t *doc, char *buf, size_t len);

#endif
