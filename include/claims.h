/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_H
#define NSB_CLAIMS_H

#include <jansson.h>
#include <stdio.h>

enum claim_verdict { CLAIM_HOLDS, CLAIM_FAILS, CLAIM_UNCHECKABLE };

/*
 * Every row of the mode comparison, verified live on fresh labs. ONLY, when
 * not NULL, is a comma-separated list of claim ids. Returns a JSON array of
 * {id, mode, claim, verdict, evidence}; *FAILED gets the number that do not
 * hold.
 */
json_t *claims_run(const char *only, int *failed, char *why, size_t len);
/* 0 when every id in ONLY is known; -EINVAL with the first unknown in WHY. */
int claims_check_ids(const char *only, char *why, size_t len);
void claims_print(json_t *rows, int markdown, FILE *f);
void claims_list(FILE *f);

#endif
