/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_PERF_H
#define NSB_CLAIMS_PERF_H

/*
 * Inside the claims module (claims.h is its face): the performance claims,
 * the modes measured side by side in rounds and decided by the sequential
 * rule (claims_decide.h). claims.c asks for them.
 */
#include "harness/measure/claims_ctx.h"
#include "harness/measure/claims_row.h"

/*
 * The modes C->needs, side by side, round after round, until every wanted
 * decision is made at a look of the sequential rule or the budget ends; once.
 */
void claims_perf_measure(struct claims_ctx *c);
/* Decision D as a claim's row: its verdict and evidence (cannot check when unmeasured). */
void claims_perf_verdict(struct claims_ctx *c, struct claim_result *r, enum decision d);

#endif
