// SPDX-License-Identifier: MIT
/* The text tables: run's (one row per mode, ratios to host; density's), and claims' rows. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench/noise.h"
#include "harness/reports/answer.h"
#include "harness/reports/results.h"
#include "harness/reports/verdict.h"
#include "harness/reports/vshost.h"
#include "harness/reports/tables.h"

/* The median of METRIC of one entry; *OK false when there is none. */
static double median_at(json_t *doc, const char *mode, const char *path, const char *test,
			const char *metric, unsigned int tasks, const char *family, bool *ok)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		json_t *v;

		if (strcmp(json_string_value(json_object_get(e, "mode")), mode) ||
		    (path && strcmp(json_string_value(json_object_get(e, "path")) ?: "", path)) ||
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
	return median_at(doc, mode, NULL, test, metric, tasks, "ipv4", ok);
}

/* The table's rows are at the first task count of the run. */
static unsigned int first_tasks(json_t *doc)
{
	json_t *t = json_array_get(json_object_get(json_object_get(doc, "config"), "tasks"), 0);

	return json_is_integer(t) ? (unsigned int)json_integer_value(t) : 1;
}

/* A row of run's tables: a mode on a path over a family ("ipv4" for a file from before families).
 */
struct run_row {
	const char *mode, *path, *family;
};

static double median_of(json_t *doc, struct run_row r, const char *test, const char *metric,
			bool *ok)
{
	return median_at(doc, r.mode, r.path, test, metric, first_tasks(doc), r.family, ok);
}

static const char *estr(json_t *e, const char *k)
{
	return json_string_value(json_object_get(e, k)) ?: "";
}

/*
 * The groups of run's tables: each path and family measured (at the first
 * task count), in the order the run measured them; *GROUP's mode unset.
 */
static size_t run_groups(json_t *doc, struct run_row *groups, size_t max)
{
	unsigned int tasks = first_tasks(doc);
	size_t n = 0, i, g;
	json_t *e;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		struct run_row r = {NULL, estr(e, "path"), results_entry_family(e)};

		if (results_entry_ntasks(e) != tasks)
			continue;
		for (g = 0; g < n; g++)
			if (!strcmp(groups[g].path, r.path) && !strcmp(groups[g].family, r.family))
				break;
		if (g == n && n < max)
			groups[n++] = r;
	}
	return n;
}

/* The rows of group G: each mode of the run, in its order, with results there. */
static size_t run_rows(json_t *doc, struct run_row g, struct run_row *rows, size_t max)
{
	unsigned int tasks = first_tasks(doc);
	json_t *mv, *e;
	size_t n = 0, k, j;

	json_array_foreach(json_object_get(json_object_get(doc, "config"), "modes"), k, mv) {
		struct run_row r = {json_string_value(mv), g.path, g.family};

		json_array_foreach(json_object_get(doc, "results"), j, e)
			if (r.mode && !strcmp(estr(e, "mode"), r.mode) &&
			    !strcmp(estr(e, "path"), g.path) &&
			    !strcmp(results_entry_family(e), g.family) &&
			    results_entry_ntasks(e) == tasks) {
				if (n < max)
					rows[n++] = r;
				break;
			}
	}
	return n;
}

/* A group's heading: its path and family, what the path is. */
static void group_heading(FILE *f, struct run_row g)
{
	fprintf(f, "\npath %s, %s\n", g.path, strcmp(g.family, "ipv6") ? "IPv4" : "IPv6");
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

/* A median, or "-" where the run has none. */
static void cell(FILE *f, double v, bool ok, int decimals, int width)
{
	if (ok)
		fprintf(f, " %*.*f", width, decimals, v);
	else
		fprintf(f, " %*s", width, "-");
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

static bool run_has_test(json_t *doc, const char *test)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(doc, "config"), "tests"), i, t)
		if (!strcmp(json_string_value(t) ?: "", test))
			return true;
	return false;
}

/* A column of run's tables: the median of METRIC of TEST, times SCALE. */
struct run_col {
	const char *head, *test, *metric;
	int decimals;
	double scale;
};

static void medians_row(json_t *doc, struct run_row r, const struct run_col *cols, size_t ncols,
			FILE *f)
{
	fprintf(f, "%-15s", r.mode);
	for (size_t c = 0; c < ncols; c++) {
		bool ok;
		double x = median_of(doc, r, cols[c].test, cols[c].metric, &ok);

		cell(f, x * cols[c].scale, ok, cols[c].decimals, (int)strlen(cols[c].head));
	}
}

static void heads(const struct run_col *cols, size_t ncols, FILE *f)
{
	fprintf(f, "%-15s", "mode");
	for (size_t c = 0; c < ncols; c++)
		fprintf(f, " %s", cols[c].head);
}

/*
 * The reverse stream and UDP, when the run measured them. UDP at a fixed
 * offered rate: what it says is loss, and jitter, an absolute value (a ratio
 * of microseconds of jitter swings with nothing).
 */
static void stream_table(json_t *doc, struct run_row g, FILE *f)
{
	static const struct run_col cols[] = {
		{"reverse Gbit/s", "tcp_reverse", "throughput_bps", 2, 1e-9},
		{"UDP loss %", "udp", "lost_percent", 3, 1},
		{"UDP jitter us", "udp", "jitter_ms", 1, 1e3},
	};
	struct run_row rows[16];
	size_t nrows = run_rows(doc, g, rows, sizeof(rows) / sizeof(rows[0]));

	if (!run_has_test(doc, "tcp_reverse") && !run_has_test(doc, "udp"))
		return;
	fputc('\n', f);
	heads(cols, sizeof(cols) / sizeof(cols[0]), f);
	fputc('\n', f);
	for (size_t i = 0; i < nrows; i++) {
		medians_row(doc, rows[i], cols, sizeof(cols) / sizeof(cols[0]), f);
		fputc('\n', f);
	}
}

/* The hot path measured for row R: its hop count, or "-". */
static void hops_cell(json_t *doc, struct run_row r, FILE *f)
{
	json_t *v, *hp = NULL;
	const char *key;

	json_object_foreach(json_object_get(doc, "hot_paths"), key, v)
		if (!strcmp(estr(v, "mode"), r.mode) && !strcmp(estr(v, "path"), r.path) &&
		    !strcmp(results_entry_family(v), r.family) && !hp)
			hp = v;
	if (hp)
		fprintf(f, " %4zu%s\n", json_array_size(json_object_get(hp, "hops")),
			json_is_true(json_object_get(hp, "ok")) ? "" : " (unexpected!)");
	else
		fprintf(f, " %4s\n", "-");
}

/* An entry's repetitions (rounds): under duet host has one per round beside each other mode. */
static size_t distinct_reps(json_t *e)
{
	json_t *reps = json_object_get(e, "reps"), *r, *q;
	size_t n = 0, i, j;

	json_array_foreach(reps, i, r) {
		bool seen = false;

		json_array_foreach(reps, j, q) {
			if (j >= i)
				break;
			seen |= json_equal(json_object_get(q, "rep"), json_object_get(r, "rep"));
		}
		n += !seen;
	}
	return n;
}

/* How many repetitions, and how many ran under interference, with who else ran. */
static void reps_line(json_t *doc, FILE *f)
{
	size_t lo = SIZE_MAX, hi = 0, noisy = 0, all = 0, i, j;
	json_t *e, *rep, *others = json_object();

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		size_t n = distinct_reps(e);

		lo = n < lo ? n : lo;
		hi = n > hi ? n : hi;
		json_array_foreach(json_object_get(e, "reps"), j, rep) {
			json_t *o;
			size_t k;

			all++;
			noisy += json_is_true(
				json_object_get(json_object_get(rep, "noise"), "noisy"));
			json_array_foreach(
				json_object_get(json_object_get(rep, "noise"), "other_nsbench"), k,
				o)
				json_object_set(others,
						json_string_value(json_object_get(o, "lab")) ?: "?",
						o);
		}
	}
	if (!all)
		fprintf(f, "\nno repetition measured");
	else if (lo == hi)
		fprintf(f, "\nmedians over %zu repetition(s)", hi);
	else
		fprintf(f, "\nmedians over %zu to %zu repetitions", lo, hi);
	fprintf(f, "; hops = interfaces crossed on the path%s\n",
		hi == 1 ? "; one repetition: no interval, nothing decided (--reps 3 or more)" : "");
	if (noisy)
		fprintf(f,
			"%zu of %zu repetitions ran under interference (CPU steal >= "
			"%.0f%%, other processes >= %.0f%% of the CPUs or %.0f%% of one, "
			"network load not the run's own >= %.0f%% of a CPU, or another nsbench "
			"running): see \"noise\" in the results file; compare --drop-noisy "
			"leaves them out\n",
			noisy, all, NOISE_STEAL_PCT, NOISE_OUTSIDE_PCT, NOISE_OUTSIDE_CPU_PCT,
			NOISE_NET_PCT);
	other_nsbench(others, f);
	json_decref(others);
}

/*
 * Modes the run asked for but could not measure at the table's task count:
 * ECS would refuse them (the ENI limit), or the lab could not be built.
 */
static void unmeasured(json_t *doc, FILE *f)
{
	unsigned int tasks = first_tasks(doc);
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(doc, "density_limits"), i, x)
		if ((unsigned int)json_integer_value(json_object_get(x, "tasks")) == tasks)
			fprintf(f, "\n%s: not measured: %s\n", estr(x, "mode"), estr(x, "refused"));
	json_array_foreach(json_object_get(doc, "errors"), i, x)
		if (!json_object_get(x, "test"))
			fprintf(f, "\n%s: not measured: %s\n", estr(x, "mode"), estr(x, "error"));
}

void table_run(json_t *in, FILE *f)
{
	static const struct run_col cols[] = {
		{"    Gbit/s", "tcp_stream", "throughput_bps", 2, 1e-9},
		{"RR p50 us", "tcp_rr", "p50_us", 1, 1},
		{"RR p99 us", "tcp_rr", "p99_us", 1, 1},
		{"CRR trans/s", "tcp_crr", "tps", 0, 1},
		{"CPU s/GB", "tcp_stream", "cpu_s_per_gb", 3, 1},
	};
	struct run_row groups[2 * 8], rows[16];
	/* A file from before the answers: they are computed on a copy. */
	bool old = !json_object_get(in, "vs_host_method");
	json_t *doc = old ? json_deep_copy(in) : json_incref(in);
	size_t ng;

	if (old)
		vshost_annotate(doc, VERDICT_MARGIN_PCT);
	ng = run_groups(doc, groups, sizeof(groups) / sizeof(groups[0]));

	for (size_t g = 0; g < ng; g++) {
		size_t nrows = run_rows(doc, groups[g], rows, sizeof(rows) / sizeof(rows[0]));

		group_heading(f, groups[g]);
		heads(cols, sizeof(cols) / sizeof(cols[0]), f);
		fprintf(f, " hops\n");
		for (size_t r = 0; r < nrows; r++) {
			medians_row(doc, rows[r], cols, sizeof(cols) / sizeof(cols[0]), f);
			hops_cell(doc, rows[r], f);
		}
		stream_table(doc, groups[g], f);
		answer_vs_host(doc, groups[g].path, groups[g].family, first_tasks(doc), f);
	}
	unmeasured(doc, f);
	reps_line(doc, f);
	target_line(doc, f);
	answer_closing(doc, first_tasks(doc), f);
	if (json_array_size(json_object_get(json_object_get(doc, "config"), "tasks")) > 1 ||
	    first_tasks(doc) > 1)
		density_table(doc, f);
	json_decref(doc);
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
