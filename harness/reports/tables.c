// SPDX-License-Identifier: MIT
/* The text tables: run's (one row per mode, ratios to host; density's), and claims' rows. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench/noise.h"
#include "harness/reports/results.h"
#include "harness/reports/tables.h"

static double median_nf(json_t *doc, const char *mode, const char *test, const char *metric,
			unsigned int tasks, const char *family, bool *ok)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		json_t *v;

		if (strcmp(json_string_value(json_object_get(e, "mode")), mode) ||
		    strcmp(json_string_value(json_object_get(e, "test")), test) ||
		    results_entry_ntasks(e) != tasks || strcmp(results_entry_family(e), family))
			continue;
		v = json_object_get(json_object_get(json_object_get(e, "summary"), metric),
				    "median");
		if (json_is_number(v)) {
			*ok = true;
			return json_number_value(v);
		}
	}
	*ok = false;
	return 0;
}

static double median_n(json_t *doc, const char *mode, const char *test, const char *metric,
		       unsigned int tasks, bool *ok)
{
	return median_nf(doc, mode, test, metric, tasks, "ipv4", ok);
}

/* The table's rows are at the first task count of the run. */
static unsigned int first_tasks(json_t *doc)
{
	json_t *t = json_array_get(json_object_get(json_object_get(doc, "config"), "tasks"), 0);

	return json_is_integer(t) ? (unsigned int)json_integer_value(t) : 1;
}

/* A row of run's tables: a mode over a family ("ipv4" for a file from before families). */
struct run_row {
	const char *mode, *family;
};

static double median_of(json_t *doc, struct run_row r, const char *test, const char *metric,
			bool *ok)
{
	return median_nf(doc, r.mode, test, metric, first_tasks(doc), r.family, ok);
}

/* The rows: each family the run measured, each mode with results in it. */
static size_t run_rows(json_t *doc, struct run_row *rows, size_t max)
{
	json_t *cfg = json_object_get(doc, "config"), *fv, *mv, *e;
	json_t *fams = json_object_get(cfg, "ip");
	size_t n = 0, i, k, j;

	if (!json_array_size(fams))
		fams = NULL;
	for (i = 0; i < (fams ? json_array_size(fams) : 1); i++) {
		fv = json_array_get(fams, i);
		json_array_foreach(json_object_get(cfg, "modes"), k, mv) {
			struct run_row r = {json_string_value(mv),
					    fv ? json_string_value(fv) : "ipv4"};
			bool any = !fams || i == 0;

			/* A second family's row only where it was measured. */
			json_array_foreach(json_object_get(doc, "results"), j, e)
				any |= !strcmp(json_string_value(json_object_get(e, "mode")) ?: "",
					       r.mode ?: "") &&
				       !strcmp(results_entry_family(e), r.family ?: "");
			if (any && r.mode && r.family && n < max)
				rows[n++] = r;
		}
	}
	return n;
}

static void row_label(FILE *f, struct run_row r)
{
	char label[32];

	snprintf(label, sizeof(label), "%s%s%s", r.mode, strcmp(r.family, "ipv4") ? " " : "",
		 strcmp(r.family, "ipv4") ? r.family : "");
	fprintf(f, "%-15s", label);
}

static void density_table(json_t *doc, FILE *f)
{
	json_t *d, *lim;
	size_t i;

	fprintf(f, "\n%-15s %5s %10s %14s %10s %12s %12s\n", "density", "tasks", "Gbit/s",
		"Gbit/s/task", "RR p50 us", "RR trans/s", "setup ms/task");
	json_array_foreach(json_object_get(doc, "density"), i, d) {
		const char *mode = json_string_value(json_object_get(d, "mode"));
		unsigned int n = (unsigned int)json_integer_value(json_object_get(d, "tasks"));
		bool a, b, c;
		double thr = median_n(doc, mode, "tcp_stream", "throughput_bps", n, &a);
		double p50 = median_n(doc, mode, "tcp_rr", "p50_us", n, &b);
		double tps = median_n(doc, mode, "tcp_rr", "tps", n, &c);
		char s1[16] = "-", s2[16] = "-", s3[16] = "-", s4[16] = "-";

		if (a) {
			snprintf(s1, sizeof(s1), "%.2f", thr / 1e9);
			snprintf(s2, sizeof(s2), "%.2f", thr / 1e9 / n);
		}
		if (b)
			snprintf(s3, sizeof(s3), "%.1f", p50);
		if (c)
			snprintf(s4, sizeof(s4), "%.0f", tps);
		fprintf(f, "%-15s %5u %10s %14s %10s %12s %12.2f\n", mode, n, s1, s2, s3, s4,
			json_number_value(json_object_get(d, "setup_ms_per_task")));
	}
	json_array_foreach(json_object_get(doc, "density_limits"), i, lim)
		fprintf(f, "%-15s %5lld refused: %s\n",
			json_string_value(json_object_get(lim, "mode")),
			(long long)json_integer_value(json_object_get(lim, "tasks")),
			json_string_value(json_object_get(lim, "refused")));
	fprintf(f, "tasks driven together; Gbit/s and trans/s are the sum over the tasks, "
		   "latency the median task's\n");
}

static void cell(FILE *f, double v, bool ok, double host, bool host_ok, int decimals)
{
	char buf[48], ratio[16] = "";

	if (!ok) {
		fprintf(f, " %16s", "-");
		return;
	}
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	if (host_ok && host != 0)
		snprintf(ratio, sizeof(ratio), " (%.2fx)", v / host);
	strncat(buf, ratio, sizeof(buf) - strlen(buf) - 1);
	fprintf(f, " %16s", buf);
}

/* The other nsbench processes that ran beside the run's repetitions, by lab. */
static void other_nsbench(json_t *others, FILE *f)
{
	const char *lab;
	json_t *o;
	size_t i = 0;

	if (!json_object_size(others))
		return;
	fprintf(f, "another nsbench ran beside this one (its repetitions are flagged noisy):");
	json_object_foreach(others, lab, o)
		fprintf(f, "%s lab %s (%s, pid %lld)", i++ ? "," : "", lab,
			json_string_value(json_object_get(o, "kind")) ?: "?",
			(long long)json_integer_value(json_object_get(o, "owner_pid")));
	fputc('\n', f);
}

size_t table_target_missed(json_t *doc, json_t **worst)
{
	size_t missed = 0, i;
	double widest = -1;
	json_t *e;

	if (worst)
		*worst = NULL;
	json_array_foreach(json_object_get(doc, "results"), i, e) {
		json_t *t = json_object_get(e, "target");
		double hw = json_number_value(json_object_get(t, "widest_halfwidth_pct"));

		if (!t || json_is_true(json_object_get(t, "met")))
			continue;
		missed++;
		/* -1: fewer than 2 repetitions, no interval at all: the widest there is. */
		if (hw < 0)
			hw = INFINITY;
		if (worst && hw > widest) {
			widest = hw;
			*worst = e;
		}
	}
	return missed;
}

/* --target's outcome: met everywhere, or where it was not and by how much. */
static void target_line(json_t *doc, FILE *f)
{
	json_t *tc = json_object_get(json_object_get(doc, "config"), "target"), *w, *t;
	size_t missed = table_target_missed(doc, &w);
	double hw;

	if (!tc)
		return;
	if (!missed) {
		fprintf(f, "--target %g%%: met by every result\n",
			json_number_value(json_object_get(tc, "pct")));
		return;
	}
	t = json_object_get(w, "target");
	hw = json_number_value(json_object_get(t, "widest_halfwidth_pct"));
	fprintf(f,
		"--target %g%%: NOT met by %zu of %zu results (the budget ran out); widest: %s %s "
		"%s %s +/-",
		json_number_value(json_object_get(tc, "pct")), missed,
		json_array_size(json_object_get(doc, "results")),
		json_string_value(json_object_get(w, "mode")),
		json_string_value(json_object_get(w, "path")),
		json_string_value(json_object_get(w, "test")),
		json_string_value(json_object_get(t, "widest_metric")));
	if (hw >= 0)
		fprintf(f, "%.1f%%", hw);
	else
		fprintf(f, "? (fewer than 2 repetitions)");
	fprintf(f, " after %lld repetitions\n",
		(long long)json_integer_value(json_object_get(t, "reps")));
}

/* Loss in percent against host's, in percentage points: a 0% baseline has no ratio. */
static void loss_cell(FILE *f, double v, bool ok, double host, bool host_ok)
{
	char buf[48];

	if (!ok) {
		fprintf(f, " %18s", "-");
		return;
	}
	if (host_ok)
		snprintf(buf, sizeof(buf), "%.2f (%+.2f pp)", v, v - host);
	else
		snprintf(buf, sizeof(buf), "%.2f", v);
	fprintf(f, " %18s", buf);
}

static bool run_has_test(json_t *doc, const char *test)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(doc, "config"), "tests"), i, t)
		if (!strcmp(json_string_value(t) ?: "", test))
			return true;
	return false;
}

/* A column of run's tables: the median of METRIC of TEST, times SCALE, with its ratio to host. */
struct run_col {
	const char *head, *test, *metric;
	int decimals;
	double scale;
};

/* The reverse stream and UDP (throughput, loss, jitter), when the run measured them. */
static void stream_table(json_t *doc, FILE *f)
{
	static const struct run_col cols[] = {
		{"reverse Gbit/s", "tcp_reverse", "throughput_bps", 2, 1e-9},
		{"UDP Gbit/s", "udp", "throughput_bps", 3, 1e-9},
		{"UDP jitter ms", "udp", "jitter_ms", 4, 1},
	};
	struct run_row rows[2 * 16];
	size_t nrows = run_rows(doc, rows, sizeof(rows) / sizeof(rows[0]));

	if (!run_has_test(doc, "tcp_reverse") && !run_has_test(doc, "udp"))
		return;
	fprintf(f, "\n%-15s", "mode");
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		fprintf(f, " %16s", cols[c].head);
	fprintf(f, " %18s\n", "UDP loss %");
	for (size_t i = 0; i < nrows; i++) {
		struct run_row host = {"host", rows[i].family};
		bool ok, hok;
		double x, h;

		row_label(f, rows[i]);
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			x = median_of(doc, rows[i], cols[c].test, cols[c].metric, &ok);
			h = median_of(doc, host, cols[c].test, cols[c].metric, &hok);
			cell(f, x * cols[c].scale, ok, h * cols[c].scale, hok, cols[c].decimals);
		}
		x = median_of(doc, rows[i], "udp", "lost_percent", &ok);
		h = median_of(doc, host, "udp", "lost_percent", &hok);
		loss_cell(f, x, ok, h, hok);
		fputc('\n', f);
	}
}

void table_run(json_t *doc, FILE *f)
{
	static const struct run_col cols[] = {
		{"Gbit/s", "tcp_stream", "throughput_bps", 2, 1e-9},
		{"RR p50 us", "tcp_rr", "p50_us", 1, 1},
		{"RR p99 us", "tcp_rr", "p99_us", 1, 1},
		{"CRR trans/s", "tcp_crr", "tps", 0, 1},
		{"CPU s/GB", "tcp_stream", "cpu_s_per_gb", 3, 1},
	};
	struct run_row rows[2 * 16];
	size_t nrows = run_rows(doc, rows, sizeof(rows) / sizeof(rows[0])), i;

	fprintf(f, "%-15s", "mode");
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		fprintf(f, " %16s", cols[c].head);
	fprintf(f, " %5s\n", "hops");
	for (size_t r = 0; r < nrows; r++) {
		struct run_row host = {"host", rows[r].family};
		json_t *hp = NULL, *v;
		const char *key;

		row_label(f, rows[r]);
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			bool ok, hok;
			double x = median_of(doc, rows[r], cols[c].test, cols[c].metric, &ok);
			double h = median_of(doc, host, cols[c].test, cols[c].metric, &hok);

			cell(f, x * cols[c].scale, ok, h * cols[c].scale, hok, cols[c].decimals);
		}
		json_object_foreach(json_object_get(doc, "hot_paths"), key, v)
			if (!strcmp(json_string_value(json_object_get(v, "mode")), rows[r].mode) &&
			    !strcmp(results_entry_family(v), rows[r].family) && !hp)
				hp = v;
		if (hp)
			fprintf(f, " %5zu%s\n", json_array_size(json_object_get(hp, "hops")),
				json_is_true(json_object_get(hp, "ok")) ? "" : " (unexpected!)");
		else
			fprintf(f, " %5s\n", "-");
	}
	stream_table(doc, f);
	{
		size_t lo = SIZE_MAX, hi = 0, noisy = 0, all = 0, j;
		json_t *e, *rep, *others = json_object();

		json_array_foreach(json_object_get(doc, "results"), i, e) {
			size_t n = json_array_size(json_object_get(e, "reps"));

			lo = n < lo ? n : lo;
			hi = n > hi ? n : hi;
			json_array_foreach(json_object_get(e, "reps"), j, rep) {
				json_t *o;
				size_t k;

				all++;
				noisy += json_is_true(
					json_object_get(json_object_get(rep, "noise"), "noisy"));
				json_array_foreach(json_object_get(json_object_get(rep, "noise"),
								   "other_nsbench"),
						   k, o)
					json_object_set(others,
							json_string_value(json_object_get(o, "lab"))
								?: "?",
							o);
			}
		}
		if (!all)
			fprintf(f, "no repetition measured");
		else if (lo == hi)
			fprintf(f, "medians over %zu repetition(s)", hi);
		else
			fprintf(f, "medians over %zu to %zu repetitions", lo, hi);
		fprintf(f,
			"; (x) = ratio to host mode; hops = interfaces crossed on the first "
			"path%s\n",
			run_has_test(doc, "udp") ? "; (pp) = UDP loss minus host's, in points"
						 : "");
		if (noisy)
			fprintf(f,
				"%zu of %zu repetitions ran under interference (CPU steal >= "
				"%.0f%%, other processes >= %.0f%% of the CPUs or %.0f%% of one, "
				"or another nsbench running): see \"noise\" in the results file; "
				"compare --drop-noisy leaves them out\n",
				noisy, all, NOISE_STEAL_PCT, NOISE_OUTSIDE_PCT,
				NOISE_OUTSIDE_CPU_PCT);
		other_nsbench(others, f);
		json_decref(others);
	}
	target_line(doc, f);
	if (json_array_size(json_object_get(json_object_get(doc, "config"), "tasks")) > 1 ||
	    first_tasks(doc) > 1)
		density_table(doc, f);
}

void table_claims(json_t *rows, bool markdown, FILE *f)
{
	json_t *row;
	size_t i;

	if (markdown)
		fprintf(f, "| mode | claim | verdict | evidence |\n|---|---|---|---|\n");
	json_array_foreach(rows, i, row) {
		const char *mode = json_string_value(json_object_get(row, "mode"));
		const char *claim = json_string_value(json_object_get(row, "claim"));
		const char *verdict = json_string_value(json_object_get(row, "verdict"));
		const char *ev = json_string_value(json_object_get(row, "evidence"));

		if (markdown)
			fprintf(f, "| %s | %s | **%s** | %s |\n", mode, claim, verdict, ev);
		else
			fprintf(f, "%-7s %-70s %s\n        %s\n", mode, claim, verdict, ev);
	}
}
