// SPDX-License-Identifier: MIT
/*
 * nsbench report: results files (and saved claims) as one self-contained HTML
 * page for people: each mode's cost as a ratio to host mode with its 95%
 * interval, one series per file, in inline SVG; the absolute figures; the
 * claims; the hot path of each mode. No network, no script but the check
 * that marks each chart drawn.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lab/model.h"
#include "harness/reports/html.h"
#include "harness/reports/report.h"
#include "harness/reports/report_claims.h"
#include "harness/reports/results.h"
#include "harness/reports/verdict.h"

#define W 760
#define H 300
#define LEFT 60
#define RIGHT 20
#define TOP 20
#define BOTTOM 60

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
				      "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

/* The report's order of the modes: host (the reference), then the others as the lab lists them. */
static const char *mode_at(size_t i)
{
	size_t m = i == 0 ? MODE_HOST : i - 1 < MODE_HOST ? i - 1 : i;

	return lab_mode_name((enum lab_mode)m);
}

/* The modes charted against host: every one but host. */
#define NMODES (MODE_COUNT - 1)

static const struct chart {
	const char *metric, *test, *title, *note;
} charts[] = {
	{"throughput_vs_host", "tcp_stream", "TCP throughput, ratio to host mode",
	 "higher is better"},
	{"p50_vs_host", "tcp_rr", "TCP_RR latency p50, ratio to host mode", "lower is better"},
	{"p99_vs_host", "tcp_rr", "TCP_RR latency p99, ratio to host mode", "lower is better"},
	{"tps_vs_host", "tcp_crr", "TCP_CRR connection rate, ratio to host mode",
	 "higher is better"},
};
#define NCHARTS (sizeof(charts) / sizeof(charts[0]))

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "?";
}

/* The entry of MODE and TEST with one task over FAMILY: ingress, or loopback for none mode. */
static json_t *entry_of(json_t *doc, const char *mode, const char *test, const char *family)
{
	json_t *e, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		const char *path = str(e, "path");

		if (strcmp(str(e, "mode"), mode) || strcmp(str(e, "test"), test) ||
		    results_entry_ntasks(e) != 1 || strcmp(results_entry_family(e), family))
			continue;
		if (!strcmp(path, "ingress") || !strcmp(path, "loopback"))
			return e;
		if (!found)
			found = e;
	}
	return found;
}

struct point {
	bool ok;
	size_t n; /* repetitions: one has no interval */
	double gm, lo, hi;
};

static struct point point_of(json_t *doc, const char *mode, const char *test, const char *metric,
			     const char *family)
{
	struct point p = {false, 0, 0, 0, 0};
	json_t *e = entry_of(doc, mode, test, family);
	double v[256];
	size_t n;

	if (!e)
		return p;
	n = results_rep_values(e, metric, v, 256);
	p.n = n;
	p.ok = n > 0 && !verdict_gmean_interval(v, n, &p.gm, &p.lo, &p.hi);
	return p;
}

static void chart(FILE *f, const struct chart *c, json_t **docs, size_t n, const char *family)
{
	struct point pts[NMODES][REPORT_MAX_FILES];
	double top = 1.2, plot_w = W - LEFT - RIGHT, plot_h = H - TOP - BOTTOM;
	double group_w = plot_w / NMODES, bar_w;

	for (size_t m = 0; m < NMODES; m++)
		for (size_t k = 0; k < n; k++) {
			pts[m][k] = point_of(docs[k], mode_at(m + 1), c->test, c->metric, family);
			if (pts[m][k].ok && pts[m][k].hi * 1.1 > top)
				top = pts[m][k].hi * 1.1;
		}
	bar_w = (group_w * 0.8) / (double)n;
	fputs("<h3>", f);
	html_esc(f, c->title);
	fputs(strcmp(family, "ipv6") ? "</h3>\n" : " (IPv6)</h3>\n", f);
	fprintf(f,
		"<figure><svg class=\"chart\" data-metric=\"%s\" data-family=\"%s\" "
		"data-series=\"%zu\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n<title>",
		c->metric, family, n, W, H, W, H);
	html_esc_then(f, c->title, "</title>\n");
	/* Axis, ticks at every 0.25 (or 0.5 above 3x), and host mode's 1.0. */
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", LEFT, TOP,
		LEFT, H - BOTTOM);
	for (double t = 0; t <= top; t += top > 3 ? 0.5 : 0.25) {
		double y = TOP + plot_h * (1 - t / top);

		fprintf(f,
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			"<text x=\"%d\" y=\"%.1f\" font-size=\"11\" "
			"text-anchor=\"end\">%.2fx</text>\n",
			LEFT, y, W - RIGHT, y, LEFT - 6, y + 4, t);
	}
	fprintf(f,
		"<line class=\"host\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000\" "
		"stroke-dasharray=\"6 4\"/><text x=\"%d\" y=\"%.1f\" font-size=\"11\" "
		"text-anchor=\"end\">host</text>\n",
		LEFT, TOP + plot_h * (1 - 1 / top), W - RIGHT, TOP + plot_h * (1 - 1 / top),
		W - RIGHT, TOP + plot_h * (1 - 1 / top) - 4);
	for (size_t m = 0; m < NMODES; m++)
		fprintf(f,
			"<text x=\"%.1f\" y=\"%d\" font-size=\"12\" "
			"text-anchor=\"middle\">%s</text>\n",
			LEFT + group_w * ((double)m + 0.5), H - BOTTOM + 16, mode_at(m + 1));
	for (size_t k = 0; k < n; k++) {
		fprintf(f, "<g class=\"series\" data-file=\"%c\" fill=\"%s\">\n", (int)('A' + k),
			palette[k % NPALETTE]);
		for (size_t m = 0; m < NMODES; m++) {
			struct point *p = &pts[m][k];
			double x = LEFT + group_w * (double)m + group_w * 0.1 + bar_w * (double)k;
			double y = TOP + plot_h * (1 - p->gm / top);

			if (!p->ok)
				continue;
			/* One repetition: a pale, dashed bar saying so, never a precise-looking
			 * one. */
			if (p->n < 2) {
				fprintf(f,
					"<rect class=\"bar single\" x=\"%.1f\" y=\"%.1f\" "
					"width=\"%.1f\" height=\"%.1f\" fill-opacity=\"0.3\" "
					"stroke=\"#222\" stroke-dasharray=\"3 3\"><title>%s %c: "
					"%.3fx "
					"(one repetition: no interval)</title></rect>\n"
					"<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
					"text-anchor=\"middle\" fill=\"#222\">1 rep</text>\n",
					x, y, bar_w * 0.9, TOP + plot_h - y, mode_at(m + 1),
					(int)('A' + k), p->gm, x + bar_w * 0.45, y - 4);
				continue;
			}
			fprintf(f,
				"<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\"><title>%s %c: %.3fx [%.3f, %.3f]</title></rect>\n",
				x, y, bar_w * 0.9, TOP + plot_h - y, mode_at(m + 1), (int)('A' + k),
				p->gm, p->lo, p->hi);
			fprintf(f,
				"<line class=\"ci\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
				"y2=\"%.1f\" "
				"stroke=\"#222\"/>\n",
				x + bar_w * 0.45, x + bar_w * 0.45,
				TOP + plot_h * (1 - p->lo / top), TOP + plot_h * (1 - p->hi / top));
		}
		fputs("</g>\n", f);
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%c</text>\n",
			LEFT + 60.0 * (double)k, H - 22, palette[k % NPALETTE],
			LEFT + 60.0 * (double)k + 16, H - 12, (int)('A' + k));
	}
	fputs("</svg><figcaption>", f);
	html_esc(f, c->title);
	fprintf(f,
		" (%s): geometric mean over the repetitions with its 95%% interval (a pale, "
		"dashed bar: one repetition, no interval); ",
		c->note);
	fprintf(f, "test %s, path ingress (none mode: loopback), %s.</figcaption></figure>\n",
		c->test, strcmp(family, "ipv6") ? "IPv4" : "IPv6");
}

static bool any_ipv6(json_t **docs, size_t n)
{
	json_t *e;
	size_t i;

	for (size_t k = 0; k < n; k++)
		json_array_foreach(json_object_get(docs[k], "results"), i, e)
			if (!strcmp(results_entry_family(e), "ipv6"))
				return true;
	return false;
}

static void files_table(FILE *f, json_t **docs, const char **names, size_t n)
{
	fputs("<table><tr><th></th><th>file</th><th>runner / host, kernel</th><th>CPUs</th>"
	      "<th>nsbench</th><th>started</th><th>repetitions</th></tr>\n",
	      f);
	for (size_t k = 0; k < n; k++) {
		json_t *h = json_object_get(docs[k], "host");
		json_t *v = json_object_get(docs[k], "nsbench");
		char label[256];

		results_label(docs[k], label, sizeof(label));
		fprintf(f, "<tr><td style=\"color:%s\">&#9632; %c</td><td>", palette[k % NPALETTE],
			(int)('A' + k));
		html_esc_then(f, names[k], "</td><td>");
		html_esc(f, label);
		fprintf(f, "</td><td>%lld &times; ",
			(long long)json_integer_value(json_object_get(h, "cpu_count")));
		html_esc_then(f, str(h, "cpu_model"), "</td><td>");
		html_esc_then(f, str(v, "version"), " (");
		html_esc_then(f, str(v, "commit"), ")</td><td>");
		html_esc(f, str(docs[k], "started_utc"));
		fprintf(f, "</td><td>%lld</td></tr>\n",
			(long long)json_integer_value(
				json_object_get(json_object_get(docs[k], "config"), "reps")));
	}
	fputs("</table>\n", f);
}

static void absolute_table(FILE *f, json_t **docs, size_t n)
{
	static const struct {
		const char *head, *test, *metric;
		int decimals;
		double scale;
	} cols[] = {
		{"TCP Gbit/s", "tcp_stream", "throughput_bps", 2, 1e-9},
		{"TCP_RR p50 us", "tcp_rr", "p50_us", 1, 1},
		{"TCP_RR p99 us", "tcp_rr", "p99_us", 1, 1},
		{"TCP_CRR /s", "tcp_crr", "tps", 0, 1},
	};
	fputs("<table class=\"abs\"><tr><th>mode</th><th>file</th>", f);
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		fprintf(f, "<th>%s</th>", cols[c].head);
	fputs("</tr>\n", f);
	for (size_t m = 0; m < MODE_COUNT; m++)
		for (size_t k = 0; k < n; k++) {
			fprintf(f, "<tr><td>%s</td><td>%c</td>", mode_at(m), (int)('A' + k));
			for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
				json_t *e = entry_of(docs[k], mode_at(m), cols[c].test, "ipv4");
				json_t *s = json_object_get(json_object_get(e, "summary"),
							    cols[c].metric);

				fputs("<td>", f);
				if (json_is_number(json_object_get(s, "median")))
					fprintf(f, "%.*f", cols[c].decimals,
						json_number_value(json_object_get(s, "median")) *
							cols[c].scale);
				else
					fputs("-", f);
				fputs("</td>", f);
			}
			fputs("</tr>\n", f);
		}
	fputs("</table><p>Medians over the repetitions.</p>\n", f);
}

static void hot_paths(FILE *f, json_t **docs, size_t n)
{
	fputs("<table><tr><th>file</th><th>mode / path</th><th>hops</th><th>as "
	      "expected</th></tr>\n",
	      f);
	for (size_t k = 0; k < n; k++) {
		json_t *hp = json_object_get(docs[k], "hot_paths"), *v, *hop;
		const char *key;
		size_t i;

		json_object_foreach(hp, key, v) {
			fprintf(f, "<tr><td>%c</td><td>", (int)('A' + k));
			html_esc_then(f, key, "</td><td>");
			json_array_foreach(json_object_get(v, "hops"), i, hop) {
				if (i)
					fputs(" &rarr; ", f);
				html_esc(f, json_string_value(hop));
			}
			fprintf(f, "</td><td>%s</td></tr>\n",
				json_is_true(json_object_get(v, "ok")) ? "yes" : "NO");
		}
	}
	fputs("</table>\n", f);
}

/* Marks each chart drawn once the browser has laid out its bars: what the test reads. */
static const char check_script[] =
	"<script>\nwindow.addEventListener('load', function () {\n"
	"  document.querySelectorAll('svg.chart').forEach(function (svg) {\n"
	"    var drawn = 0;\n"
	"    svg.querySelectorAll('g.series').forEach(function (g) {\n"
	"      var b = g.getBBox();\n"
	"      if (b.width > 0 && b.height > 0) drawn++;\n"
	"    });\n"
	"    svg.setAttribute('data-drawn', String(drawn));\n"
	"  });\n"
	"  document.body.setAttribute('data-ready', 'yes');\n"
	"});\n</script>\n";

int report_write(FILE *f, json_t **docs, const char **names, size_t n, json_t **claims,
		 const char **claim_names, size_t nclaims)
{
	if ((n == 0 && nclaims == 0) || n > REPORT_MAX_FILES || nclaims > REPORT_MAX_FILES)
		return -EINVAL;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<title>nsbench report</title>\n<style>\n"
	      "body { font-family: sans-serif; margin: 2em; max-width: 64em; }\n"
	      "table { border-collapse: collapse; margin: 1em 0; }\n"
	      "td, th { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }\n"
	      "figure { margin: 1.5em 0; } figcaption { font-size: 0.9em; color: #444; }\n"
	      ".ci { stroke-width: 2; }\n</style>\n</head>\n<body>\n",
	      f);
	/* Claims alone: the comparison as checked, without a run's figures. */
	if (n == 0) {
		fputs("<h1>nsbench: the mode comparison, checked on a kernel</h1>\n", f);
		for (size_t i = 0; i < nclaims; i++)
			report_claims(f, claims[i], claim_names[i]);
		fputs(check_script, f);
		fputs("</body>\n</html>\n", f);
		return ferror(f) ? -EIO : 0;
	}
	fputs("<h1>nsbench: what each network mode costs</h1>\n<h2>Files</h2>\n", f);
	files_table(f, docs, names, n);
	fputs("<h2>Each mode against host mode</h2>\n<p>Ratios measured side by side in each "
	      "run cancel the drift of a shared machine: they compare the kernels' cost of each "
	      "mode. Absolute figures compare the machines as much as the kernels.</p>\n",
	      f);
	for (size_t c = 0; c < NCHARTS; c++)
		chart(f, &charts[c], docs, n, "ipv4");
	/* A file measured over IPv6 too (--ip 4,6): its IPv6 entries, charts of their own. */
	if (any_ipv6(docs, n))
		for (size_t c = 0; c < NCHARTS; c++)
			chart(f, &charts[c], docs, n, "ipv6");
	fputs("<h2>Absolute figures</h2>\n", f);
	absolute_table(f, docs, n);
	if (nclaims) {
		fputs("<h2>Claims</h2>\n", f);
		for (size_t i = 0; i < nclaims; i++)
			report_claims(f, claims[i], claim_names[i]);
	}
	fputs("<h2>Hot path of each mode</h2>\n", f);
	hot_paths(f, docs, n);
	fputs(check_script, f);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -EIO : 0;
}
