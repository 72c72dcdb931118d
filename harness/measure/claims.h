/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_H
#define NSB_CLAIMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "harness/lab/model.h"
#include "harness/measure/schedule.h"

/* The instance every claim's lab is built on (claims --instance); al2023 with the proxy by default.
 */
void claims_set_instance(enum lab_instance inst, bool userland_proxy);
/* How the performance claims' rounds are scheduled (claims --schedule; schedule.h). */
void claims_set_schedule(enum schedule s);

/* The version of claims' JSON document (results/schema.md), as schema_version is a run's. */
#define CLAIMS_VERSION 1

/*
 * Every row of the mode comparison, verified live on fresh labs. ONLY, when
 * not NULL, is a comma-separated list of claim ids. Returns the document
 * (claims_version, nsbench, host, instance, times, verdicts, performance)
 * whose "claims" array holds {id, mode, claim, verdict, evidence, figures?}:
 * "holds", "does not hold", "cannot check" or, for performance claims the
 * budget did not settle, "inconclusive". *FAILED and *INCONCLUSIVE count those verdicts.
 */
json_t *claims_run(const char *only, int *failed, int *inconclusive);
/* Every claim, checked or not: [{id, mode, claim}], in the table's order. */
json_t *claims_catalog(void);

#endif
