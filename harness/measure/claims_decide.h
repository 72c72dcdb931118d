/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_DECIDE_H
#define NSB_CLAIMS_DECIDE_H

/*
 * Inside the claims module: the sequential rule's decisions of the
 * performance claims, from the rounds in C->perf (claims_perf.c measures them).
 */
#include <stdbool.h>

#include "harness/measure/claims_ctx.h"

/* The performance modes a decision reads, as NEED() bits. */
unsigned int claims_decide_needs(enum decision d);
/* Every wanted decision at this look; FINAL turns what is still open into "inconclusive". */
void claims_decide(struct claims_ctx *c, bool final);
/* What the decisions hold (their figures); C stays usable as empty. */
void claims_decide_release(struct claims_ctx *c);

#endif
