/* SPDX-License-Identifier: MIT */
#ifndef NSB_TABLES_H
#define NSB_TABLES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* A run's results file as a table: one row per mode, ratios to host mode; then density's. */
void table_run(json_t *doc, FILE *f);
/* Claims' rows (claims_run()) as text, or as a Markdown table. */
void table_claims(json_t *rows, bool markdown, FILE *f);

#endif
