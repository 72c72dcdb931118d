/* SPDX-License-Identifier: MIT */
#ifndef NSB_REPORT_CLAIMS_H
#define NSB_REPORT_CLAIMS_H

#include <jansson.h>
#include <stdio.h>

/* Inside the report: one claims file, named NAME, as a section. */
void report_claims(FILE *f, json_t *claims, const char *name);

#endif
