// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "results.h"
#include "summary.h"

static const struct {
	const char *name;
	int higher_is_better;
} metrics[] = {
	{"throughput_bps", 1},
	{"tps", 1},
	{"p50_us", 0},
	{"p99_us", 0},
	/* Ratios to host mode in the same repetition: immune to the machine's drift. */
	{"throughput_vs_host", 1},
	{"tps_vs_host", 1},
	{"p50_vs_host", 0},
	{"p99_vs_host", 0},
};

static json_t *find_entry(json_t *doc, json_t *like)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		if (json_equal(json_object_get(e, "mode"), json_object_get(like, "mode")) &&
		    json_equal(json_object_get(e, "path"), json_object_get(like, "path")) &&
		    json_equal(json_object_get(e, "test"), json_object_get(like, "test")) &&
		    results_entry_ntasks(e) == results_entry_ntasks(like))
			return e;
	}
	return NULL;
}

static int by_p(const void *x, const void *y)
{
	double a = json_number_value(json_object_get(*(json_t *const *)x, "p_value"));
	double b = json_number_value(json_object_get(*(json_t *const *)y, "p_value"));

	return a < b ? -1 : a > b;
}

/*
 * Holm-Bonferroni over every metric of one comparison (A against file K): a
 * table of a dozen metrics at p < 0.05 would otherwise raise a false alarm in
 * about every other run of two identical configurations.
 */
static void holm(json_t *rows, size_t k)
{
	json_t **tested, *row;
	size_t i, m = 0;
	double running = 0;

	tested = calloc(json_array_size(rows) + 1, sizeof(*tested));
	if (!tested)
		return;
	json_array_foreach(rows, i, row) {
		json_t *f = json_array_get(json_object_get(row, "files"), k);

		if (json_object_get(f, "p_value"))
			tested[m++] = f;
	}
	qsort(tested, m, sizeof(*tested), by_p);
	for (size_t j = 0; j < m; j++) {
		double p = json_number_value(json_object_get(tested[j], "p_value"));
		double adj = p * (double)(m - j);

		running = adj > running ? adj : running;
		adj = running > 1 ? 1 : running;
		json_object_set_new(tested[j], "p_adjusted", json_real(adj));
		if (adj >= COMPARE_ALPHA)
			json_object_set_new(tested[j], "verdict",
					    json_string("no significant change"));
	}
	free(tested);
}

json_t *compare_rows(json_t **docs, size_t n)
{
	json_t *rows = json_array(), *base;
	size_t i;

	json_array_foreach(json_object_get(docs[0], "results"), i, base) {
		for (size_t m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++) {
			double a[256], b[256];
			size_t na = results_rep_values(base, metrics[m].name, a, 256);
			struct summary sa;
			json_t *row, *files;

			if (na == 0 || summary_of(a, na, &sa))
				continue;
			files = json_array();
			json_array_append_new(files, json_pack("{s:f, s:f, s:f, s:i}", "median",
							       sa.median, "min", sa.min, "max",
							       sa.max, "n", (int)na));
			for (size_t k = 1; k < n; k++) {
				json_t *e = find_entry(docs[k], base);
				size_t nb = e ? results_rep_values(e, metrics[m].name, b, 256) : 0;
				struct summary sb;
				double p = NAN, change;
				const char *verdict;
				bool worse;

				if (nb == 0 || summary_of(b, nb, &sb)) {
					json_array_append_new(
						files, json_pack("{s:s}", "verdict", "missing"));
					continue;
				}
				change = sa.median != 0 ? (sb.median - sa.median) / sa.median * 100
							: 0;
				worse = metrics[m].higher_is_better ? sb.median < sa.median
								    : sb.median > sa.median;
				/* Decided after Holm's correction, over all rows: see holm(). */
				if (welch_test(a, na, b, nb, &p))
					verdict = "not testable";
				else if (sb.median == sa.median)
					verdict = "no significant change";
				else
					verdict = worse ? "slower" : "faster";
				row = json_pack("{s:f, s:f, s:f, s:i, s:f, s:s}", "median",
						sb.median, "min", sb.min, "max", sb.max, "n",
						(int)nb, "change_pct", change, "verdict", verdict);
				if (!isnan(p))
					json_object_set_new(row, "p_value", json_real(p));
				json_array_append_new(files, row);
			}
			row = json_pack("{s:O, s:i, s:O, s:O, s:s, s:s, s:o}", "mode",
					json_object_get(base, "mode"), "tasks",
					(int)results_entry_ntasks(base), "path",
					json_object_get(base, "path"), "test",
					json_object_get(base, "test"), "metric", metrics[m].name,
					"better", metrics[m].higher_is_better ? "higher" : "lower",
					"files", files);
			json_array_append_new(rows, row);
		}
	}
	for (size_t k = 1; k < n; k++)
		holm(rows, k);
	return rows;
}

void compare_config_diff(json_t **docs, const char **names, size_t n, FILE *warn)
{
	json_t *base = json_object_get(docs[0], "config");

	for (size_t k = 1; k < n; k++) {
		json_t *cfg = json_object_get(docs[k], "config"), *v;
		const char *key;
		char list[1024] = "";
		size_t off = 0;

		json_object_foreach(base, key, v) {
			json_t *w = json_object_get(cfg, key);
			char *a, *b;

			if (w && json_equal(v, w))
				continue;
			a = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			b = w ? json_dumps(w, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
			off += (size_t)snprintf(list + off,
						off < sizeof(list) ? sizeof(list) - off : 0,
						"%s%s (%s vs %s)", off ? ", " : "", key,
						a ? a : "?", b ? b : "absent");
			free(a);
			free(b);
			if (off >= sizeof(list))
				break;
		}
		if (off)
			fprintf(warn,
				"nsbench: warning: %s and %s ran with different configurations: "
				"%s\n",
				names[0], names[k], list);
		if (!json_equal(json_object_get(json_object_get(docs[0], "host"), "cpu_model"),
				json_object_get(json_object_get(docs[k], "host"), "cpu_model")))
			fprintf(warn, "nsbench: warning: %s and %s ran on different CPUs\n",
				names[0], names[k]);
	}
}

double compare_worst_regression(json_t *rows)
{
	double worst = 0;
	json_t *row, *f;
	size_t i, k;

	json_array_foreach(rows, i, row)
		json_array_foreach(json_object_get(row, "files"), k, f) {
			double c = fabs(json_number_value(json_object_get(f, "change_pct")));

			if (!strcmp(json_string_value(json_object_get(f, "verdict")) ?: "",
				    "slower") &&
			    c > worst)
				worst = c;
		}
	return worst;
}

static double num_or0(json_t *o, const char *key)
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
	else
		snprintf(buf, len, "%.2f us", v);
}

void compare_print(json_t *rows, const char **names, size_t n, enum compare_format fmt, FILE *f)
{
	const char *sep = fmt == FMT_MARKDOWN ? " | " : "  ";
	json_t *row;
	size_t i;

	if (fmt == FMT_CSV) {
		fprintf(f,
			"mode,path,test,metric,file,median,min,max,n,change_pct,p_value,verdict\n");
		json_array_foreach(rows, i, row) {
			json_t *fl;
			size_t k;

			json_array_foreach(json_object_get(row, "files"), k, fl) {
				const char *verdict =
					json_string_value(json_object_get(fl, "verdict"));
				long long ntasks =
					json_integer_value(json_object_get(row, "tasks"));

				fprintf(f, "%s,%s,%s,%s,%s,",
					json_string_value(json_object_get(row, "mode")),
					json_string_value(json_object_get(row, "path")),
					json_string_value(json_object_get(row, "test")),
					json_string_value(json_object_get(row, "metric")),
					names[k]);
				if (verdict && !strcmp(verdict, "missing")) {
					fprintf(f, ",,,,,,,missing,%lld\n", ntasks);
					continue;
				}
				fprintf(f, "%.6g,%.6g,%.6g,%lld,", num_or0(fl, "median"),
					num_or0(fl, "min"), num_or0(fl, "max"),
					(long long)json_integer_value(json_object_get(fl, "n")));
				if (k == 0) {
					fprintf(f, ",,,baseline,%lld\n", ntasks);
					continue;
				}
				fprintf(f, "%.2f,", num_or0(fl, "change_pct"));
				if (json_object_get(fl, "p_value"))
					fprintf(f, "%.4g,%.4g", num_or0(fl, "p_value"),
						num_or0(fl, "p_adjusted"));
				else
					fputc(',', f);
				fprintf(f, ",%s,%lld\n", verdict, ntasks);
			}
		}
		return;
	}
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%s%c = %s\n", fmt == FMT_MARKDOWN ? "- " : "", (int)('A' + k),
			names[k]);
	fputc('\n', f);
	if (fmt == FMT_MARKDOWN)
		fputs("| ", f);
	fprintf(f, "%-14s%s%-10s%s%-14s%s%-18s", "mode", sep, "path", sep, "test", sep, "metric");
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%s%-16c", sep, (int)('A' + k));
	for (size_t k = 1; k < n; k++) {
		char ch[16];

		snprintf(ch, sizeof(ch), "%c vs A", (int)('A' + k));
		fprintf(f, "%s%8s%s%7s%s%-21s", sep, ch, sep, "p", sep, "verdict");
	}
	fputs(fmt == FMT_MARKDOWN ? " |\n" : "\n", f);
	if (fmt == FMT_MARKDOWN) {
		fputs("|---|---|---|---|", f);
		for (size_t k = 0; k < n; k++)
			fputs("---:|", f);
		for (size_t k = 1; k < n; k++)
			fputs("---:|---:|---|", f);
		fputc('\n', f);
	}
	json_array_foreach(rows, i, row) {
		const char *metric = json_string_value(json_object_get(row, "metric"));
		json_t *fl;
		size_t k;

		char mode[40];
		long long ntasks = json_integer_value(json_object_get(row, "tasks"));

		snprintf(mode, sizeof(mode), "%s", json_string_value(json_object_get(row, "mode")));
		if (ntasks > 1)
			snprintf(mode + strlen(mode), sizeof(mode) - strlen(mode), " x%lld",
				 ntasks);
		if (fmt == FMT_MARKDOWN)
			fputs("| ", f);
		fprintf(f, "%-14s%s%-10s%s%-14s%s%-18s", mode, sep,
			json_string_value(json_object_get(row, "path")), sep,
			json_string_value(json_object_get(row, "test")), sep, metric);
		json_array_foreach(json_object_get(row, "files"), k, fl) {
			char v[32] = "-";

			if (json_object_get(fl, "median"))
				fmt_value(v, sizeof(v), metric, num_or0(fl, "median"));
			fprintf(f, "%s%-16s", sep, v);
		}
		json_array_foreach(json_object_get(row, "files"), k, fl) {
			char ch[16] = "-", p[16] = "-";

			if (k == 0)
				continue;
			if (json_object_get(fl, "change_pct"))
				snprintf(ch, sizeof(ch), "%+.1f%%", num_or0(fl, "change_pct"));
			if (json_object_get(fl, "p_adjusted"))
				snprintf(p, sizeof(p), "%.3f", num_or0(fl, "p_adjusted"));
			fprintf(f, "%s%8s%s%7s%s%-21s", sep, ch, sep, p, sep,
				json_string_value(json_object_get(fl, "verdict")));
		}
		fputs(fmt == FMT_MARKDOWN ? " |\n" : "\n", f);
	}
}
