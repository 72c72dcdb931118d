/* SPDX-License-Identifier: MIT */
#ifndef NSB_REPORT_H
#define NSB_REPORT_H

#include <jansson.h>
#include <stdio.h>

#define REPORT_MAX_FILES 8

/*
 * One self-contained HTML page (inline SVG, no network) of N results files:
 * each mode's ratios to host with their intervals (one series per file), the
 * absolute figures, the claims (NCLAIMS saved `claims --format json`
 * documents, or the arrays of older versions) and each mode's hot path. N 0:
 * the claims alone. -EINVAL for no file at all or more than REPORT_MAX_FILES of a kind.
 */
int report_write(FILE *f, json_t **docs, const char **names, size_t n, json_t **claims,
		 const char **claim_names, size_t nclaims);

#endif
