/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_H
#define NSB_CLAIMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "harness/measure/claims_doc.h"
#include "harness/measure/claims_opts.h"

/*
 * Every row of the mode comparison, verified live on fresh labs of O's
 * instance, the performance rounds on O's schedule. ONLY, when
 * not NULL, is a comma-separated list of claim ids. Returns the document
 * (claims_version, nsbench, host, instance, times, verdicts, performance)
 * whose "claims" array holds {id, mode, claim, verdict, evidence, figures?}:
 * "holds", "does not hold", "cannot check" or, for performance claims the
 * budget did not settle, "inconclusive". *FAILED and *INCONCLUSIVE count those verdicts.
 */
json_t *claims_run(const struct claims_opts *o, const char *only, int *failed, int *inconclusive);
/* Every claim, checked or not: [{id, mode, claim}], in the table's order. */
json_t *claims_catalog(void);

#endif
