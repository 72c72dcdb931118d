// SPDX-License-Identifier: MIT
/*
 * compare: every metric of every mode, path and test as the ratio B/A with
 * its 95% interval and a verdict. The decisions are verdict.c's; this file
 * gathers the repetitions and forms the family of headline metrics;
 * compare_table.c lays out the table.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "harness/reports/compare.h"
#include "harness/reports/results.h"
#include "harness/reports/summary.h"
#include "harness/reports/verdict.h"

/* The headline metrics first (verdict.c's family), then the descriptive ones. */
static const struct {
	const char *name;
	bool higher_is_better;
	/* Compared as B - A, not B/A: a loss rate, whose baseline is often 0 (in points). */
	bool difference;
} metrics[] = {
	/* Ratios to host mode in the same repetition: immune to the machine's drift. */
	{"throughput_vs_host", true, false},
	{"tps_vs_host", true, false},
	{"p50_vs_host", false, false},
	{"p99_vs_host", false, false},
	{"throughput_bps", true, false},
	{"tps", true, false},
	{"p50_us", false, false},
	{"p99_us", false, false},
	{"p90_us", false, false},
	{"p999_us", false, false},
	{"cpu_s_per_gb", false, false},
	{"cpu_us_per_trans", false, false},
	/* UDP: the receiver's jitter, and its loss in percent as a difference in points. */
	{"jitter_ms", false, false},
	{"lost_percent", false, true},
	/*
	 * What a mode adds to host's in the same repetition, compared as B - A: the
	 * figures that transfer to a real VPC (how much bridge's added microseconds
	 * per round trip changed between two kernels).
	 */
	{"p50_minus_host_us", false, true},
	{"p99_minus_host_us", false, true},
	{"cpu_s_per_gb_minus_host", false, true},
	{"cpu_us_per_trans_minus_host", false, true},
};

#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))
#define MAX_REPS 256

void compare_opts_default(struct compare_opts *o)
{
	o->margin_pct = VERDICT_MARGIN_PCT;
	o->drop_noisy = false;
}

/* The repetitions' values of METRIC, without those measured under interference if asked. */
static size_t values(json_t *entry, const char *metric, bool drop_noisy, double *v, size_t max)
{
	json_t *rep;
	size_t i, n = 0;

	json_array_foreach(json_object_get(entry, "reps"), i, rep) {
		json_t *m = json_object_get(json_object_get(rep, "metrics"), metric);

		if (drop_noisy &&
		    json_is_true(json_object_get(json_object_get(rep, "noise"), "noisy")))
			continue;
		if (json_is_number(m) && n < max)
			v[n++] = json_number_value(m);
	}
	return n;
}

/* Both files say the same of KEY, or neither says anything (json_equal(NULL, NULL) is 0). */
static bool same_key(json_t **docs, size_t k, const char *key)
{
	json_t *a = json_object_get(json_object_get(docs[0], "host"), key);
	json_t *b = json_object_get(json_object_get(docs[k], "host"), key);

	return (!a && !b) || json_equal(a, b);
}

bool compare_hosts_differ(json_t **docs, size_t n)
{
	for (size_t k = 1; k < n; k++)
		if (!same_key(docs, k, "hostname") || !same_key(docs, k, "cpu_model") ||
		    !same_key(docs, k, "cpu_count") || !same_key(docs, k, "runner"))
			return true;
	return false;
}

bool compare_judged(json_t **docs, size_t k)
{
	return verdict_judges(results_virt(docs[0])) && verdict_judges(results_virt(docs[k]));
}

bool compare_emulated(json_t **docs, size_t n, size_t *which)
{
	for (size_t k = 0; k < n; k++)
		if (!verdict_judges(results_virt(docs[k]))) {
			*which = k;
			return true;
		}
	return false;
}

/* One file's cell of one row, with what the decision needs until the family is complete. */
struct cell {
	json_t *f;
	struct effect e;
	bool valid, headline, higher, difference;
};

static json_t *stats_cell(const double *v, size_t n)
{
	struct summary s;
	json_t *c;
	double l = 0;

	if (summary_of(v, n, &s))
		return json_pack("{s:s}", "verdict", "missing");
	c = json_pack("{s:f, s:f, s:f, s:i}", "median", s.median, "min", s.min, "max", s.max, "n",
		      (int)n);
	/* The geometric mean: what the ratio compares, shown beside it. */
	for (size_t i = 0; i < n && s.min > 0; i++)
		l += log(v[i]);
	if (s.min > 0)
		json_object_set_new(c, "gmean", json_real(exp(l / (double)n)));
	return c;
}

/* Decide every cell of comparison K (A against file K): BH over its headline effects. */
static void decide(struct cell *cells, size_t ncells, double margin_pct)
{
	double *p = calloc(ncells + 1, sizeof(*p)), *q = calloc(ncells + 1, sizeof(*q));
	bool *rej = calloc(ncells + 1, sizeof(*rej));
	size_t *idx = calloc(ncells + 1, sizeof(*idx)), m = 0, r;

	if (!p || !q || !rej || !idx)
		goto out;
	for (size_t i = 0; i < ncells; i++)
		if (cells[i].valid && cells[i].headline) {
			idx[m] = i;
			p[m++] = cells[i].e.p;
		}
	r = verdict_bh(p, m, VERDICT_ALPHA, rej, q);
	for (size_t j = 0; j < m; j++) {
		struct cell *c = &cells[idx[j]];
		enum verdict v =
			verdict_decide(&c->e, VERDICT_ALPHA, margin_pct, c->higher, rej[j]);

		json_object_set_new(c->f, "q_value", json_real(q[j]));
		json_object_set_new(c->f, "verdict", json_string(verdict_name(v)));
		if (v == VERDICT_INCONCLUSIVE)
			/* The level a discovery would need next to the R already made. */
			json_object_set_new(
				c->f, "reps_needed",
				json_integer(verdict_reps_needed(
					&c->e, VERDICT_ALPHA,
					VERDICT_ALPHA * (double)(r + 1) / (double)m, margin_pct)));
	}
out:
	free(p);
	free(q);
	free(rej);
	free(idx);
}

/* Comparison K is not judged: every cell with a figure says so instead of a verdict. */
static void not_judged(struct cell *cells, size_t ncells)
{
	for (size_t i = 0; i < ncells; i++) {
		const char *v = json_string_value(json_object_get(cells[i].f, "verdict"));

		if (v && !strcmp(v, "missing"))
			continue;
		json_object_del(cells[i].f, "why");
		json_object_set_new(cells[i].f, "verdict", json_string(VERDICT_EMULATED_NAME));
	}
}

/* The effect of B against A for one cell, or why there is none. */
static void effect_cell(struct cell *c, const double *a, size_t na, const double *b, size_t nb)
{
	double lo, hi;

	if (na < 2 || nb < 2) {
		json_object_set_new(c->f, "verdict", json_string("inconclusive"));
		json_object_set_new(c->f, "why",
				    json_string("fewer than 2 repetitions: no interval"));
		return;
	}
	if (c->difference) {
		/* Never a headline metric: described, with its interval, never decided. */
		if (effect_difference(a, na, b, nb, &c->e)) {
			json_object_set_new(c->f, "verdict", json_string("descriptive"));
			json_object_set_new(c->f, "why", json_string("a value not finite"));
			return;
		}
		effect_difference_interval(&c->e, VERDICT_ALPHA, &lo, &hi);
		json_object_set_new(c->f, "diff", json_real(c->e.d));
		json_object_set_new(c->f, "diff_low", json_real(lo));
		json_object_set_new(c->f, "diff_high", json_real(hi));
		json_object_set_new(c->f, "p_value", json_real(c->e.p));
		json_object_set_new(c->f, "verdict", json_string("descriptive"));
		return;
	}
	if (effect_unpaired(a, na, b, nb, &c->e)) {
		json_object_set_new(c->f, "verdict", json_string("inconclusive"));
		json_object_set_new(c->f, "why", json_string("a value <= 0: no ratio"));
		return;
	}
	c->valid = true;
	effect_interval(&c->e, VERDICT_ALPHA, &lo, &hi);
	json_object_set_new(c->f, "ratio", json_real(effect_ratio(&c->e)));
	json_object_set_new(c->f, "ci95_low", json_real(lo));
	json_object_set_new(c->f, "ci95_high", json_real(hi));
	json_object_set_new(c->f, "p_value", json_real(c->e.p));
	if (!c->headline)
		json_object_set_new(c->f, "verdict", json_string("descriptive"));
}

/* A difference compares arithmetic means: shown instead of the geometric one. */
static json_t *diff_cell(json_t *c, const double *v, size_t n)
{
	double sum = 0;

	json_object_del(c, "gmean");
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	if (n)
		json_object_set_new(c, "mean", json_real(sum / (double)n));
	return c;
}

/* The row of one metric of one entry of A (none when A has no value of it). */
static void metric_row(json_t **docs, size_t n, json_t *base, size_t mi,
		       const struct compare_opts *o, json_t *rows, struct cell **cells,
		       size_t *ncells)
{
	double a[MAX_REPS], b[MAX_REPS];
	size_t na = values(base, metrics[mi].name, o->drop_noisy, a, MAX_REPS);
	json_t *files, *row;

	if (na == 0)
		return;
	files = json_array();
	json_array_append_new(files, metrics[mi].difference ? diff_cell(stats_cell(a, na), a, na)
							    : stats_cell(a, na));
	for (size_t k = 1; k < n; k++) {
		json_t *e = results_entry_like(docs[k], base);
		size_t nb = e ? values(e, metrics[mi].name, o->drop_noisy, b, MAX_REPS) : 0;
		struct cell *c = &cells[k][ncells[k]++];
		json_t *f = metrics[mi].difference ? diff_cell(stats_cell(b, nb), b, nb)
						   : stats_cell(b, nb);

		memset(c, 0, sizeof(*c));
		c->f = f;
		c->headline = verdict_is_headline(metrics[mi].name);
		c->higher = metrics[mi].higher_is_better;
		c->difference = metrics[mi].difference;
		json_array_append_new(files, f);
		if (nb == 0)
			continue;
		if (c->difference) {
			effect_cell(c, a, na, b, nb);
			continue;
		}
		/* The ratio's own estimator (geometric means), with or without an interval. */
		if (json_object_get(f, "gmean") &&
		    json_object_get(json_array_get(files, 0), "gmean"))
			json_object_set_new(
				f, "change_pct",
				json_real(json_number_value(json_object_get(f, "gmean")) /
						  json_number_value(json_object_get(
							  json_array_get(files, 0), "gmean")) *
						  100 -
					  100));
		effect_cell(c, a, na, b, nb);
	}
	row = json_pack("{s:O, s:i, s:O, s:O, s:s, s:s, s:b, s:o}", "mode",
			json_object_get(base, "mode"), "tasks", (int)results_entry_ntasks(base),
			"path", json_object_get(base, "path"), "test",
			json_object_get(base, "test"), "metric", metrics[mi].name, "better",
			metrics[mi].higher_is_better ? "higher" : "lower", "headline",
			verdict_is_headline(metrics[mi].name), "files", files);
	json_object_set_new(row, "family", json_string(results_entry_family(base)));
	if (metrics[mi].difference)
		json_object_set_new(row, "compared_as", json_string("difference"));
	json_array_append_new(rows, row);
}

json_t *compare_rows(json_t **docs, size_t n, const struct compare_opts *o)
{
	json_t *entries = json_object_get(docs[0], "results"), *rows = json_array(), *base;
	size_t cap = json_array_size(entries) * NMETRICS + 1, ncells[COMPARE_MAX_FILES] = {0}, i;
	struct cell *cells[COMPARE_MAX_FILES] = {0};

	if (n > COMPARE_MAX_FILES)
		n = COMPARE_MAX_FILES;
	for (size_t k = 1; k < n; k++) {
		cells[k] = calloc(cap, sizeof(*cells[k]));
		if (!cells[k])
			goto out;
	}
	/*
	 * Entry by entry when both ran on one machine; metric by metric, the
	 * ratios to host first, when not: only they compare the kernels' cost of
	 * each mode.
	 */
	if (compare_hosts_differ(docs, n)) {
		for (size_t m = 0; m < NMETRICS; m++)
			json_array_foreach(entries, i, base)
				metric_row(docs, n, base, m, o, rows, cells, ncells);
	} else {
		json_array_foreach(entries, i, base)
			for (size_t m = 0; m < NMETRICS; m++)
				metric_row(docs, n, base, m, o, rows, cells, ncells);
	}
	for (size_t k = 1; k < n; k++) {
		if (compare_judged(docs, k))
			decide(cells[k], ncells[k], o->margin_pct);
		else
			not_judged(cells[k], ncells[k]);
	}
out:
	for (size_t k = 1; k < n; k++)
		free(cells[k]);
	return rows;
}

void compare_family(json_t *rows, size_t k, size_t *members, size_t *discoveries)
{
	json_t *row;
	size_t i;

	*members = *discoveries = 0;
	json_array_foreach(rows, i, row) {
		json_t *f = json_array_get(json_object_get(row, "files"), k);
		const char *v = json_string_value(json_object_get(f, "verdict"));

		if (!json_object_get(f, "q_value"))
			continue;
		(*members)++;
		*discoveries += v && (!strcmp(v, "faster") || !strcmp(v, "slower"));
	}
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
			a = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
			b = w ? json_dumps(w,
					   JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10))
			      : NULL;
			off += (size_t)snprintf(list + off,
						off < sizeof(list) ? sizeof(list) - off : 0,
						"%s%s (%s vs %s)", off ? ", " : "", key,
						a ? a : "?", b ? b : "absent");
			free(a);
			free(b);
			if (off >= sizeof(list))
				break;
		}
		/* A setting only the later file records (an older nsbench's file lacks it). */
		json_object_foreach(cfg, key, v) {
			char *b;

			if (json_object_get(base, key) || off >= sizeof(list))
				continue;
			b = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
			off += (size_t)snprintf(
				list + off, off < sizeof(list) ? sizeof(list) - off : 0,
				"%s%s (absent vs %s)", off ? ", " : "", key, b ? b : "?");
			free(b);
		}
		if (off)
			fprintf(warn,
				"nsbench: warning: %s and %s ran with different configurations: "
				"%s\n",
				names[0], names[k], list);
	}
}

double compare_worst_regression(json_t *rows, bool ratios_only)
{
	return compare_worst_regression_at(rows, ratios_only, NULL, NULL);
}

double compare_worst_regression_at(json_t *rows, bool ratios_only, json_t **at, size_t *file)
{
	double worst = 0;
	json_t *row, *f;
	size_t i, k;

	if (at)
		*at = NULL;

	json_array_foreach(rows, i, row) {
		if (ratios_only &&
		    !strstr(json_string_value(json_object_get(row, "metric")), "_vs_host"))
			continue;
		json_array_foreach(json_object_get(row, "files"), k, f) {
			double r = json_number_value(json_object_get(f, "ratio")), c;

			if (strcmp(json_string_value(json_object_get(f, "verdict")) ?: "",
				   "slower"))
				continue;
			/* The estimate of the loss, in percent of A, whichever way is better. */
			if (!strcmp(json_string_value(json_object_get(row, "better")), "lower"))
				c = (r - 1) * 100;
			else
				c = (1 - r) * 100;
			if (c > worst) {
				worst = c;
				if (at)
					*at = row;
				if (file)
					*file = k;
			}
		}
	}
	return worst;
}
