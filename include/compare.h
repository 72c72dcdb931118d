/* SPDX-License-Identifier: MIT */
#ifndef NSB_COMPARE_H
#define NSB_COMPARE_H

#include <jansson.h>
#include <stdio.h>

#define COMPARE_ALPHA 0.05

enum compare_format { FMT_TEXT, FMT_CSV, FMT_MARKDOWN };

/*
 * One row per (mode, path, test, metric) of the first document, with each
 * document's median, min, max and the change against the first, a Welch
 * t-test over the repetitions (p_value; p_adjusted after Holm-Bonferroni over
 * all the metrics of that pair of files), and a verdict from p_adjusted:
 * "faster", "slower", "no significant change", "not testable" (fewer than 2
 * repetitions) or "missing".
 */
json_t *compare_rows(json_t **docs, size_t n);
/* Configuration keys whose values differ from the first document's, as text. */
void compare_config_diff(json_t **docs, const char **names, size_t n, FILE *warn);
/* The largest significant regression, in percent (0 when there is none). */
double compare_worst_regression(json_t *rows);
void compare_print(json_t *rows, const char **names, size_t n, enum compare_format fmt, FILE *f);

#endif
