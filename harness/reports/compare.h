/* SPDX-License-Identifier: MIT */
#ifndef NSB_COMPARE_H
#define NSB_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#define COMPARE_MAX_FILES 16

enum compare_format { FMT_TEXT, FMT_CSV, FMT_MARKDOWN, FMT_JSON };

struct gate;

struct compare_opts {
	double margin_pct; /* --equivalence */
	bool drop_noisy;   /* leave out repetitions flagged as measured under interference */
};

void compare_opts_default(struct compare_opts *o);

/*
 * One row per (mode, path, test, metric) of the first document; per file its
 * median, min, max and n, and for every file after the first its effect
 * against the first: ratio (B/A of geometric means) with ci95_low/ci95_high,
 * p_value, and for the headline metrics q_value (Benjamini-Hochberg over the
 * headline metrics of that pair of files) and a verdict: "faster", "slower",
 * "unchanged", "inconclusive" (with reps_needed, or why), "missing"; other
 * metrics say "descriptive". A pair that is not judged has no q_value, and
 * every cell with a figure says "emulated". Rows with *_vs_host lead when the files come
 * from different machines.
 */
json_t *compare_rows(json_t **docs, size_t n, const struct compare_opts *o);
/*
 * Comparison K (A against file K) is judged unless either file was measured
 * on an emulated CPU (host.virt "tcg", verdict_judges); compare_emulated
 * says whether any file was, *WHICH the first. No gate may pass or fail on
 * such a file.
 */
bool compare_judged(json_t **docs, size_t k);
bool compare_emulated(json_t **docs, size_t n, size_t *which);
/* Hostname, CPU model or CPU count differ between the first file and another. */
bool compare_hosts_differ(json_t **docs, size_t n);
/* The headline metrics of comparison K (A against file K) and how many changed. */
void compare_family(json_t *rows, size_t k, size_t *members, size_t *discoveries);
/* Configuration keys whose values differ from the first document's, as text. */
void compare_config_diff(json_t **docs, const char **names, size_t n, FILE *warn);
/*
 * The largest estimated loss, in percent, among the rows decided "slower"
 * (only the *_vs_host rows when RATIOS_ONLY); 0 when there is none.
 */
double compare_worst_regression(json_t *rows, bool ratios_only);
/* The same, with the row and the file (1: B, ...) where it is; *ROW NULL when there is none. */
double compare_worst_regression_at(json_t *rows, bool ratios_only, json_t **row, size_t *file);
/* The table of ROWS as text, CSV or Markdown (compare_table.c). */
void compare_print(json_t *rows, json_t **docs, const char **names, size_t n,
		   const struct compare_opts *o, enum compare_format fmt, FILE *f);
/*
 * The rows, the files, each comparison's family and the gate (G, or none when
 * NULL; GATE_WHY overrides its reason, e.g. an emulated CPU) as one JSON
 * document (compare_json.c; results/schema.md).
 */
json_t *compare_json(json_t *rows, json_t **docs, const char **names, size_t n,
		     const struct compare_opts *o, const struct gate *g, const char *gate_why);

#endif
