/* SPDX-License-Identifier: MIT */
#ifndef NSB_VSHOST_H
#define NSB_VSHOST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Each mode against host mode in the same run, paired by repetition (each
 * repetition measures every mode in turn, so the machine's drift cancels in
 * the pairs): a ratio with its 95% interval, and beside it a difference in
 * the metric's own unit with its interval. A difference (microseconds added
 * per round trip, CPU seconds added per GB) transfers to a real VPC, whose
 * delay the lab's switch does not have; a ratio to host does not.
 *
 * The ratios' verdicts are decided together (Benjamini-Hochberg over the
 * run's ratios, verdict.c): faster/slower, unchanged (the interval within
 * the equivalence margin) or inconclusive.
 */

/* What is set against host, per test kind. */
struct vshost_metric {
	const char *key;  /* the repetitions' metric, and its key under vs_host.metrics */
	const char *unit; /* the difference's unit, as printed */
	double scale;	  /* the difference in UNIT = SCALE x the metric's difference */
	bool rr;	  /* request/response tests (else streams) */
	bool ratio;	  /* a ratio is decided (else: the difference only) */
	bool higher_better;
	bool invert; /* the difference of 1e6 / value (us per transaction from tps) */
};

extern const struct vshost_metric vshost_metrics[];
extern const size_t vshost_nmetrics;

/*
 * Every non-host entry of DOC gets "vs_host" (schema: results/schema.md), and
 * DOC gets "alike": pairs of modes whose every decided ratio lies within the
 * margin of each other. MARGIN_PCT: the equivalence margin. Idempotent.
 */
void vshost_annotate(json_t *doc, double margin_pct);

/*
 * An "alike" ROW's verdict on one path, family and task count (PATH NULL:
 * over every test it was measured in): "unchanged" when every ratio with an
 * interval is, "different" when one is decided faster or slower, else
 * "inconclusive"; NULL when the pair was not measured there.
 */
const char *vshost_alike_on(json_t *row, const char *path, const char *family, unsigned int tasks);

/* The host entry that ENTRY of DOC is set against (same test, family, tasks; its path first). */
json_t *vshost_reference(json_t *doc, json_t *entry);

#endif
