/* SPDX-License-Identifier: MIT */
#ifndef NSB_GATE_H
#define NSB_GATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * compare's CI gate (--fail-above) over compare_rows(): it fails on a headline
 * metric decided "slower" by more than the threshold, and cannot decide when
 * a headline metric it must judge has fewer than 2 repetitions in a file (no
 * interval, so no verdict): such a gate must not read as a pass.
 */
enum gate_result { GATE_PASS, GATE_FAIL, GATE_UNDECIDED };

struct gate {
	double fail_above; /* percent */
	bool ratios_only;  /* files from different machines: only the *_vs_host rows */
	double worst;	   /* the largest estimated loss among the "slower" rows, percent */
	char worst_what[160]; /* where: "bridge ingress tcp_rr p50_vs_host (B)" */
	json_t *worst_row;    /* that row of the rows judged (borrowed), or NULL */
	size_t worst_file;    /* its file: 1 for B, ... */
	size_t undecided;  /* metrics (row and file) it must judge but cannot */
	char why[512];	   /* which of them, with the repetitions each file has */
	enum gate_result result;
};

/* Judges ROWS at FAIL_ABOVE percent into *G; returns G->result. */
enum gate_result gate_judge(json_t *rows, double fail_above, bool ratios_only, struct gate *g);
/* The gate's verdict as one paragraph (Markdown when MD), for the summary under the table. */
void gate_print(const struct gate *g, bool md, FILE *f);
/* The gate's outcome as JSON (null when G is NULL); WHY, when given, replaces g->why. */
json_t *gate_json(const struct gate *g, const char *why);

#endif
