// SPDX-License-Identifier: MIT
/*
 * A claims file in the report: where and when it was checked, what held, the
 * performance claims' ratios with their intervals drawn against 1 (and the
 * tolerance a claim allows), and every row with its evidence. A file of an
 * older nsbench (a bare array of rows) has the rows only.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/reports/html.h"
#include "harness/reports/report_claims.h"
#include "harness/reports/results.h"

#define CW 760
#define LABEL_W 330
#define CRIGHT 20
#define ROW_H 24
#define CTOP 10
#define CBOTTOM 40
#define MAX_RATIOS 32

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "?";
}

static long long count(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static const char *side_colour(const char *side)
{
	return !strcmp(side, "for") ? "#59a14f" : !strcmp(side, "against") ? "#e15759" : "#9c9c9c";
}

/* A ratio's two sides, escaped: "bridge/host". */
static void esc_pair(FILE *f, json_t *ratio)
{
	html_esc_then(f, str(ratio, "of"), "/");
	html_esc(f, str(ratio, "to"));
}

/* Where, when, on what instance, by which nsbench; the verdicts; how the rounds went. */
static void about(FILE *f, json_t *doc)
{
	json_t *h = json_object_get(doc, "host"), *inst = json_object_get(doc, "instance");
	json_t *v = json_object_get(doc, "verdicts"), *p = json_object_get(doc, "performance");
	json_t *other;
	char label[256];
	size_t i;

	results_label(doc, label, sizeof(label));
	fputs("<table><tr><th>runner / host, kernel</th><th>CPUs</th><th>instance</th>"
	      "<th>checked (UTC)</th><th>nsbench</th></tr>\n<tr><td>",
	      f);
	html_esc(f, label);
	fprintf(f, "</td><td>%lld &times; ", count(h, "cpu_count"));
	html_esc_then(f, str(h, "cpu_model"), "</td><td>");
	html_esc(f, str(inst, "profile"));
	fprintf(f, ", userland proxy %s</td><td>",
		json_is_true(json_object_get(inst, "userland_proxy")) ? "on" : "off");
	html_esc_then(f, str(doc, "started_utc"), " to ");
	html_esc_then(f, str(doc, "finished_utc"), "</td><td>");
	html_esc_then(f, str(json_object_get(doc, "nsbench"), "version"), " (");
	html_esc_then(f, str(json_object_get(doc, "nsbench"), "commit"), ")</td></tr>\n</table>\n");
	fprintf(f,
		"<p class=\"verdicts\">%lld hold, %lld do not hold, %lld inconclusive, %lld "
		"cannot be checked.",
		count(v, "holds"), count(v, "does not hold"), count(v, "inconclusive"),
		count(v, "cannot check"));
	if (json_is_true(json_object_get(p, "emulated"))) {
		fputs(" The performance claims were not measured: the CPU is emulated.", f);
	} else if (json_is_object(p)) {
		fprintf(f,
			" Performance: %lld rounds side by side in %.0f s (at most %lld, %lld s), "
			"%lld of them noisy",
			count(p, "rounds"), json_number_value(json_object_get(p, "seconds")),
			count(p, "max_rounds"), count(p, "max_seconds"),
			count(json_object_get(p, "noise"), "noisy_rounds"));
		json_array_foreach(json_object_get(json_object_get(p, "noise"), "other_nsbench"), i,
				   other) {
			fputs(i ? ", " : "; another nsbench ran beside: lab ", f);
			html_esc_then(f, str(other, "lab"), " (");
			html_esc(f, str(other, "kind"));
			fprintf(f, ", pid %lld)", count(other, "owner_pid"));
		}
		fputs(".", f);
		if (json_is_string(json_object_get(p, "error"))) {
			fputs(" Measurement failed: ", f);
			html_esc(f, str(p, "error"));
		}
	}
	fputs("</p>\n", f);
}

struct bar {
	json_t *row, *q;
};

/* Every ratio of the performance claims' figures, in the rows' order. */
static size_t ratios_of(json_t *rows, struct bar *b, size_t max)
{
	json_t *row, *q;
	size_t i, k, n = 0;

	json_array_foreach(rows, i, row)
		json_array_foreach(json_object_get(json_object_get(row, "figures"), "ratios"), k, q)
			if (n < max && json_is_number(json_object_get(q, "ci_low")) &&
			    json_is_number(json_object_get(q, "ci_high")) &&
			    json_is_number(json_object_get(q, "ratio")))
				b[n++] = (struct bar){row, q};
	return n;
}

static double x_of(double v, double lo, double hi)
{
	return LABEL_W + (CW - LABEL_W - CRIGHT) * (v - lo) / (hi - lo);
}

/*
 * The performance claims' ratios as a forest plot: each ratio a dot with its
 * interval, coloured by the side it lies on, against 1 (dashed) and the limit
 * the claim allows (dotted, where it is not 1).
 */
static void ratios_chart(FILE *f, json_t *rows)
{
	struct bar b[MAX_RATIOS];
	size_t n = ratios_of(rows, b, MAX_RATIOS);
	double lo = 1, hi = 1, h;

	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		lo = fmin(lo, fmin(json_number_value(json_object_get(b[i].q, "ci_low")),
				   json_number_value(json_object_get(b[i].q, "limit")) ?: 1));
		hi = fmax(hi, fmax(json_number_value(json_object_get(b[i].q, "ci_high")),
				   json_number_value(json_object_get(b[i].q, "limit"))));
	}
	lo -= (hi - lo) * 0.08 + 0.01;
	hi += (hi - lo) * 0.08 + 0.01;
	h = CTOP + ROW_H * (double)n + CBOTTOM;
	fprintf(f,
		"<figure><svg class=\"chart claims\" data-metric=\"claims\" data-series=\"1\" "
		"xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		"viewBox=\"0 0 %d %.0f\" role=\"img\">\n<title>The performance claims' ratios "
		"with their intervals</title>\n",
		CW, h, CW, h);
	fprintf(f,
		"<line class=\"one\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#000\" "
		"stroke-dasharray=\"6 4\"/>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
		"text-anchor=\"middle\">1.00x</text>\n",
		x_of(1, lo, hi), x_of(1, lo, hi), CTOP, h - CBOTTOM, x_of(1, lo, hi),
		h - CBOTTOM + 14);
	fprintf(f,
		"<text x=\"%d\" y=\"%.1f\" font-size=\"11\">%.2fx</text><text x=\"%d\" y=\"%.1f\" "
		"font-size=\"11\" text-anchor=\"end\">%.2fx</text>\n",
		LABEL_W, h - CBOTTOM + 14, lo, CW - CRIGHT, h - CBOTTOM + 14, hi);
	fputs("<g class=\"series\">\n", f);
	for (size_t i = 0; i < n; i++) {
		json_t *q = b[i].q;
		double y = CTOP + ROW_H * ((double)i + 0.5);
		double r = json_number_value(json_object_get(q, "ratio"));
		double l = json_number_value(json_object_get(q, "ci_low"));
		double u = json_number_value(json_object_get(q, "ci_high"));
		double lim = json_number_value(json_object_get(q, "limit"));
		const char *col = side_colour(str(q, "side"));

		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\">",
			LABEL_W - 8, y + 4);
		html_esc_then(f, str(b[i].row, "id"), ": ");
		esc_pair(f, q);
		fputs(" ", f);
		html_esc_then(f, str(q, "metric"), "</text>\n");
		if (lim > 0 && fabs(lim - 1) > 1e-9)
			fprintf(f,
				"<line class=\"limit\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
				"y2=\"%.1f\" "
				"stroke=\"#555\" stroke-dasharray=\"2 2\"/>\n",
				x_of(lim, lo, hi), x_of(lim, lo, hi), y - ROW_H * 0.4,
				y + ROW_H * 0.4);
		fprintf(f,
			"<line class=\"ci\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\"/>\n<circle class=\"ratio\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
			"fill=\"%s\"><title>",
			x_of(l, lo, hi), x_of(u, lo, hi), y, y, col, x_of(r, lo, hi), y, col);
		esc_pair(f, q);
		fprintf(f, " %s: %.3fx [%.3f, %.3f], %s</title></circle>\n", str(q, "metric"), r, l,
			u, str(q, "side"));
	}
	fputs("</g>\n</svg><figcaption>Each performance claim's ratios (throughput: higher is "
	      "faster; TCP_RR p50: lower is faster) with their intervals at the level each "
	      "comparison was decided at; green lies on the claimed side, red on the other, grey "
	      "undecided; dotted: the tolerance a claim allows.</figcaption></figure>\n",
	      f);
}

static void rows_table(FILE *f, json_t *rows)
{
	json_t *row;
	size_t i;

	fputs("<table class=\"claims\"><tr><th>mode</th><th>claim</th><th>verdict</th>"
	      "<th>evidence</th></tr>\n",
	      f);
	json_array_foreach(rows, i, row) {
		fputs("<tr><td>", f);
		html_esc_then(f, str(row, "mode"), "</td><td>");
		html_esc_then(f, str(row, "claim"), "</td><td><b>");
		html_esc_then(f, str(row, "verdict"), "</b></td><td>");
		html_esc_then(f, str(row, "evidence"), "</td></tr>\n");
	}
	fputs("</table>\n", f);
}

void report_claims(FILE *f, json_t *claims, const char *name)
{
	json_t *rows = json_is_array(claims) ? claims : json_object_get(claims, "claims");

	fputs("<h3>", f);
	html_esc_then(f, name, "</h3>\n");
	if (json_is_object(claims)) {
		about(f, claims);
		ratios_chart(f, rows);
	}
	rows_table(f, rows);
}
