// SPDX-License-Identifier: MIT
/*
 * compare's table: the rows compare.c decided, as text, CSV (one header, as
 * many fields in every row) or Markdown (for a CI job summary), with the
 * same intervals in each.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/reports/compare.h"
#include "harness/reports/results.h"
#include "harness/reports/verdict.h"

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static void fmt_value(char *buf, size_t len, const char *metric, double v)
{
	if (!strcmp(metric, "throughput_bps"))
		snprintf(buf, len, "%.3f Gbit/s", v / 1e9);
	else if (!strcmp(metric, "tps"))
		snprintf(buf, len, "%.0f/s", v);
	else if (strstr(metric, "_vs_host"))
		snprintf(buf, len, "%.3fx", v);
	else if (!strcmp(metric, "cpu_s_per_gb"))
		snprintf(buf, len, "%.3f s/GB", v);
	else if (!strcmp(metric, "cpu_s_per_gb_minus_host"))
		snprintf(buf, len, "%+.3f s/GB", v);
	else if (strstr(metric, "_minus_host"))
		snprintf(buf, len, "%+.2f us", v);
	else if (!strcmp(metric, "lost_percent"))
		snprintf(buf, len, "%.2f%%", v);
	else if (!strcmp(metric, "jitter_ms"))
		snprintf(buf, len, "%.1f us", v * 1e3);
	else
		snprintf(buf, len, "%.2f us", v);
}

/* The unit of a metric compared as B - A: points of loss, or what a mode adds to host's. */
static const char *diff_unit(const char *metric)
{
	if (!strcmp(metric, "lost_percent"))
		return "pp";
	return strstr(metric, "cpu_s_per_gb") ? "s/GB" : "us";
}

/* "+52.1% [+40.3, +64.9]": the estimate and its interval as changes against A. */
static void fmt_change(char *buf, size_t len, json_t *f, const char *metric)
{
	/* A loss rate, or a difference to host: B - A in its unit, never a ratio. */
	if (json_object_get(f, "diff"))
		snprintf(buf, len, "%+.2f %s [%+.2f, %+.2f]", num(f, "diff"), diff_unit(metric),
			 num(f, "diff_low"), num(f, "diff_high"));
	else if (json_object_get(f, "ratio"))
		snprintf(buf, len, "%+.1f%% [%+.1f, %+.1f]", (num(f, "ratio") - 1) * 100,
			 (num(f, "ci95_low") - 1) * 100, (num(f, "ci95_high") - 1) * 100);
	else if (json_object_get(f, "change_pct"))
		snprintf(buf, len, "%+.1f%% (no interval)", num(f, "change_pct"));
	else
		snprintf(buf, len, "-");
}

static void fmt_verdict(char *buf, size_t len, json_t *f)
{
	const char *v = json_string_value(json_object_get(f, "verdict")) ?: "?";

	if (json_object_get(f, "reps_needed")) {
		long long n = json_integer_value(json_object_get(f, "reps_needed"));

		if (n >= VERDICT_MAX_PLAN)
			snprintf(buf, len, "%s (>%d reps)", v, VERDICT_MAX_PLAN);
		else
			snprintf(buf, len, "%s (~%lld reps)", v, n);
	} else if (json_object_get(f, "why")) {
		snprintf(buf, len, "%s (n < 2)", v);
	} else {
		snprintf(buf, len, "%s", v);
	}
}

static void csv_num(FILE *f, json_t *o, const char *key)
{
	fputc(',', f);
	if (json_is_number(json_object_get(o, key)))
		fprintf(f, "%.10g", num(o, key));
}

static void print_csv(json_t *rows, const char **names, FILE *f)
{
	json_t *row, *fl;
	size_t i, k;

	fputs("mode,tasks,path,test,metric,headline,file,median,gmean,min,max,n,change_pct,ratio,"
	      "ci95_low,ci95_high,p_value,q_value,verdict,reps_needed,diff,diff_low,diff_high,"
	      "family\n",
	      f);
	json_array_foreach(rows, i, row)
		json_array_foreach(json_object_get(row, "files"), k, fl) {
			fprintf(f, "%s,%lld,%s,%s,%s,%d,%s",
				json_string_value(json_object_get(row, "mode")),
				(long long)json_integer_value(json_object_get(row, "tasks")),
				json_string_value(json_object_get(row, "path")),
				json_string_value(json_object_get(row, "test")),
				json_string_value(json_object_get(row, "metric")),
				json_is_true(json_object_get(row, "headline")), names[k]);
			csv_num(f, fl, "median");
			csv_num(f, fl, "gmean");
			csv_num(f, fl, "min");
			csv_num(f, fl, "max");
			csv_num(f, fl, "n");
			csv_num(f, fl, "change_pct");
			csv_num(f, fl, "ratio");
			csv_num(f, fl, "ci95_low");
			csv_num(f, fl, "ci95_high");
			csv_num(f, fl, "p_value");
			csv_num(f, fl, "q_value");
			fprintf(f, ",%s", k == 0 ? "baseline"
					  : json_string_value(json_object_get(fl, "verdict")) ?: "");
			csv_num(f, fl, "reps_needed");
			csv_num(f, fl, "diff");
			csv_num(f, fl, "diff_low");
			csv_num(f, fl, "diff_high");
			fprintf(f, ",%s\n",
				json_string_value(json_object_get(row, "family")) ?: "ipv4");
		}
}

static size_t noisy_reps(json_t *doc, size_t *total)
{
	json_t *e, *rep;
	size_t i, j, n = 0;

	*total = 0;
	json_array_foreach(json_object_get(doc, "results"), i, e)
		json_array_foreach(json_object_get(e, "reps"), j, rep) {
			(*total)++;
			n += json_is_true(json_object_get(json_object_get(rep, "noise"), "noisy"));
		}
	return n;
}

/* The text's prose wraps at this width; Markdown's paragraphs are the renderer's to wrap. */
#define PROSE_COLS 100

/* Prose: as given in Markdown; in text, each line wrapped at a space before PROSE_COLS. */
static void __attribute__((format(printf, 3, 4))) prose(FILE *f, bool md, const char *fmt, ...)
{
	char *buf = NULL, *line, *next;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&buf, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	for (line = buf; line && *line; line = next) {
		size_t n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		while (!md && strlen(line) > PROSE_COLS) {
			char *cut = line + PROSE_COLS;

			while (cut > line && *cut != ' ')
				cut--;
			if (cut == line)
				break;
			fprintf(f, "%.*s\n", (int)(cut - line), line);
			line = cut + 1;
		}
		n = strlen(line);
		fprintf(f, "%.*s%s", (int)n, line, next ? "\n" : "");
	}
	free(buf);
}

static void print_header(json_t **docs, const char **names, size_t n, bool md, FILE *f)
{
	size_t emulated;

	for (size_t k = 0; k < n; k++) {
		json_t *h = json_object_get(docs[k], "host");
		size_t total, noisy = noisy_reps(docs[k], &total);
		json_t *ver = json_object_get(docs[k], "nsbench");
		const char *virt = json_string_value(json_object_get(h, "virt"));
		char label[256];

		results_label(docs[k], label, sizeof(label));
		prose(f, md,
		      "%s%c = %s: %s, %lld CPUs (%s)%s%s, nsbench %s (%s); %zu of %zu "
		      "repetitions noisy\n",
		      md ? "- " : "", (int)('A' + k), names[k], label,
		      (long long)json_integer_value(json_object_get(h, "cpu_count")),
		      json_string_value(json_object_get(h, "cpu_model")) ?: "?",
		      virt ? ", virt " : "", virt ?: "",
		      json_string_value(json_object_get(ver, "version")) ?: "?",
		      json_string_value(json_object_get(ver, "commit")) ?: "?", noisy, total);
	}
	if (compare_hosts_differ(docs, n))
		prose(f, md,
		      "\n%sThese files come from different machines: the absolute figures compare "
		      "the machines as much as the kernels. The *_vs_host ratios, measured side by "
		      "side within each run, compare what each mode costs on each kernel: they "
		      "lead the table, and only they feed --fail-above.\n",
		      md ? "**Note:** " : "Note: ");
	if (compare_emulated(docs, n, &emulated))
		prose(f, md,
		      "\n%s%c (%s) was measured on an emulated CPU (host.virt \"tcg\": QEMU "
		      "without KVM): %s. Its comparisons say \"%s\" where a verdict would be, "
		      "and --fail-above refuses to gate on them.\n",
		      md ? "**Note:** " : "Note: ", (int)('A' + emulated), names[emulated],
		      VERDICT_EMULATED, VERDICT_EMULATED_NAME);
	fputc('\n', f);
}

static void print_footer(json_t *rows, json_t **docs, size_t n, const struct compare_opts *o,
			 bool md, FILE *f)
{
	prose(f, md,
	      "\n%sA, B: geometric means of the repetitions (UDP loss: arithmetic means). Change: "
	      "B/A, with its 95%% interval (Welch, log scale); UDP loss: B - A in percentage "
	      "points (Welch), never a ratio of a 0%% baseline. Verdicts: faster/slower when "
	      "the change is a discovery of Benjamini-Hochberg at a 5%% false discovery rate "
	      "over the headline metrics (throughput, tps, p50, p99 and their ratios to host); "
	      "unchanged when the interval lies within +/-%g%% (--equivalence); inconclusive "
	      "otherwise, with the repetitions per file that would settle it at the noise seen. "
	      "Other rows are descriptive.%s\n",
	      md ? "" : "", o->margin_pct, o->drop_noisy ? " Noisy repetitions dropped." : "");
	for (size_t k = 1; k < n; k++) {
		size_t m, r;

		compare_family(rows, k, &m, &r);
		if (compare_judged(docs, k))
			fprintf(f, "%s%c vs A: %zu headline metrics, %zu discoveries.\n",
				md ? "- " : "", (int)('A' + k), m, r);
		else
			fprintf(f, "%s%c vs A: not judged (emulated).\n", md ? "- " : "",
				(int)('A' + k));
	}
}

/* A cell of the table; the widest (a change with its interval, a verdict) fits with room. */
#define CELL 64
/* Markdown keeps fixed widths (a reader's renderer aligns it): mode, path, test, metric. */
static const int md_width[] = {17, 9, 11, 18};
#define MD_VALUE 13
#define MD_CHANGE 27
#define MD_VERDICT 22

/* The columns of N files: mode, path, test, metric, a value per file, a change and verdict per B.
 */
static size_t table_cols(size_t n)
{
	return 4 + n + 2 * (n - 1);
}

static void header_cells(size_t n, char (*c)[CELL])
{
	size_t j = 0;

	snprintf(c[j++], CELL, "mode");
	snprintf(c[j++], CELL, "path");
	snprintf(c[j++], CELL, "test");
	snprintf(c[j++], CELL, "metric");
	for (size_t k = 0; k < n; k++)
		snprintf(c[j++], CELL, "%c", (int)('A' + k));
	for (size_t k = 1; k < n; k++) {
		snprintf(c[j++], CELL, "%c vs A [95%% CI]", (int)('A' + k));
		snprintf(c[j++], CELL, "verdict");
	}
}

static void row_cells(json_t *row, size_t n, bool md, char (*c)[CELL])
{
	const char *metric = json_string_value(json_object_get(row, "metric"));
	long long ntasks = json_integer_value(json_object_get(row, "tasks"));
	json_t *files = json_object_get(row, "files"), *fl;
	size_t j = 0;

	snprintf(c[j], CELL, "%s", json_string_value(json_object_get(row, "mode")));
	if (ntasks > 1)
		snprintf(c[j] + strlen(c[j]), CELL - strlen(c[j]), " x%lld", ntasks);
	/* IPv6 is a test of its own: its rows say so, IPv4's read as before. */
	if (strcmp(json_string_value(json_object_get(row, "family")) ?: "ipv4", "ipv4"))
		snprintf(c[j] + strlen(c[j]), CELL - strlen(c[j]), " %s",
			 json_string_value(json_object_get(row, "family")));
	j++;
	snprintf(c[j++], CELL, "%s", json_string_value(json_object_get(row, "path")));
	snprintf(c[j++], CELL, "%s", json_string_value(json_object_get(row, "test")));
	snprintf(c[j++], CELL, "%s", metric);
	for (size_t k = 0; k < n; k++) {
		fl = json_array_get(files, k);
		snprintf(c[j], CELL, "-");
		if (json_object_get(fl, "gmean"))
			fmt_value(c[j], CELL, metric, num(fl, "gmean"));
		else if (json_object_get(fl, "mean"))
			fmt_value(c[j], CELL, metric, num(fl, "mean"));
		else if (json_object_get(fl, "median"))
			fmt_value(c[j], CELL, metric, num(fl, "median"));
		j++;
	}
	for (size_t k = 1; k < n; k++) {
		char vd[48];

		fl = json_array_get(files, k);
		fmt_change(c[j++], CELL, fl, metric);
		fmt_verdict(vd, sizeof(vd), fl);
		if (md && (strstr(vd, "slower") || strstr(vd, "faster")) && !strchr(vd, '('))
			snprintf(c[j++], CELL, "**%s**", vd);
		else
			snprintf(c[j++], CELL, "%s", vd);
	}
}

/* Markdown's fixed width of column J, for N files. */
static int md_col_width(size_t j, size_t n)
{
	if (j < 4)
		return md_width[j];
	if (j < 4 + n)
		return MD_VALUE;
	return (j - 4 - n) % 2 ? MD_VERDICT : MD_CHANGE;
}

/*
 * One line of the table. Text: columns as wide as their widest cell, two
 * spaces apart, the last one unpadded (no trailing spaces). Markdown: fixed
 * widths between pipes.
 */
static void print_line(char (*c)[CELL], size_t cols, const int *width, bool md, FILE *f)
{
	for (size_t j = 0; j < cols; j++) {
		if (md)
			fprintf(f, "%s%-*s", j ? " | " : "| ", width[j], c[j]);
		else if (j + 1 < cols)
			fprintf(f, "%-*s  ", width[j], c[j]);
		else
			fputs(c[j], f);
	}
	fputs(md ? " |\n" : "\n", f);
}

void compare_print(json_t *rows, json_t **docs, const char **names, size_t n,
		   const struct compare_opts *o, enum compare_format fmt, FILE *f)
{
	bool md = fmt == FMT_MARKDOWN;
	size_t cols = table_cols(n), i;
	char(*c)[CELL] = NULL;
	int *width = NULL;
	json_t *row;

	if (fmt == FMT_CSV) {
		print_csv(rows, names, f);
		return;
	}
	c = calloc(cols, sizeof(*c));
	width = calloc(cols, sizeof(*width));
	if (!c || !width)
		goto out;
	print_header(docs, names, n, md, f);
	/* Text: the widths of the widest cells, header included. */
	header_cells(n, c);
	for (size_t j = 0; j < cols; j++)
		width[j] = md ? md_col_width(j, n) : (int)strlen(c[j]);
	json_array_foreach(rows, i, row) {
		if (md)
			break;
		row_cells(row, n, md, c);
		for (size_t j = 0; j < cols; j++)
			if ((int)strlen(c[j]) > width[j])
				width[j] = (int)strlen(c[j]);
	}
	header_cells(n, c);
	print_line(c, cols, width, md, f);
	if (md) {
		fputs("|---|---|---|---|", f);
		for (size_t k = 0; k < n; k++)
			fputs("---:|", f);
		for (size_t k = 1; k < n; k++)
			fputs("---:|---|", f);
		fputc('\n', f);
	}
	json_array_foreach(rows, i, row) {
		row_cells(row, n, md, c);
		print_line(c, cols, width, md, f);
	}
	print_footer(rows, docs, n, o, md, f);
out:
	free(c);
	free(width);
}
