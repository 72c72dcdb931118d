/* SPDX-License-Identifier: MIT */
#ifndef NSB_TABLES_H
#define NSB_TABLES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* A run's results file as a table: one row per mode, ratios to host mode; then density's. */
void table_run(json_t *doc, FILE *f);
/*
 * The results entries of a run with --target whose target was not met (the
 * budget ran out first); *WORST, when not NULL, the one with the widest
 * interval. 0 without --target.
 */
size_t table_target_missed(json_t *doc, json_t **worst);
/* Claims' rows (claims_run()) as text, or as a Markdown table. */
void table_claims(json_t *rows, bool markdown, FILE *f);

#endif
