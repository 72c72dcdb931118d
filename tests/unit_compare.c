// SPDX-License-Identifier: MIT
/*
 * Results files and compare, on crafted documents: the schema round trip, a
 * tight 10% regression flagged, noise of the same size not, nothing decided
 * on a file measured under emulation, and every kind of malformed file
 * refused with a reason. No root needed.
 */
#include "testlib.h"
#include <errno.h>
#include <math.h>
#include <csv.h>

#include "harness/reports/aggregate.h"
#include "harness/reports/compare.h"
#include "harness/reports/gate.h"
#include "harness/reports/results.h"
#include "harness/reports/summary.h"
#include "harness/reports/tables.h"

/* A results document with one bridge/ingress/tcp_stream entry of these throughputs. */
static json_t *crafted(const double *gbps, size_t n, int reps_cfg)
{
	json_t *doc = results_new(json_pack("{s:i, s:s}", "reps", reps_cfg, "preset", "test"));
	json_t *e = results_entry(doc, "bridge", "ingress", "tcp_stream");
	json_t *r = results_entry(doc, "host", "ingress", "tcp_rr");

	for (size_t i = 0; i < n; i++) {
		json_array_append_new(json_object_get(e, "reps"),
				      json_pack("{s:i, s:{s:f}}", "rep", (int)i + 1, "metrics",
						"throughput_bps", gbps[i] * 1e9));
		/* Latency that does not move between the crafted files. */
		json_array_append_new(json_object_get(r, "reps"),
				      json_pack("{s:i, s:{s:f, s:f, s:f, s:f}}", "rep", (int)i + 1,
						"metrics", "tps", 80000.0 + (double)i, "p50_us",
						12.0 + 0.1 * (double)i, "p99_us", 15.0, "min_us",
						11.0));
	}
	assert_int_equal(results_summarize(doc), 0);
	json_object_set_new(doc, "status", json_string("ok"));
	return doc;
}

static json_t *row_of(json_t *rows, const char *test, const char *metric)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row)
		if (!strcmp(json_string_value(json_object_get(row, "test")), test) &&
		    !strcmp(json_string_value(json_object_get(row, "metric")), metric))
			return row;
	fail_msg("no row %s %s", test, metric);
	return NULL;
}

static const char *verdict_of(json_t *rows, const char *test, const char *metric)
{
	return json_string_value(json_object_get(
		json_array_get(json_object_get(row_of(rows, test, metric), "files"), 1),
		"verdict"));
}

static void test_summary_gsl(void **state)
{
	double v[] = {3, 1, 2, 4};
	struct summary s;

	(void)state;
	assert_int_equal(summary_of(v, 4, &s), 0);
	assert_true(s.median == 2.5 && s.min == 1 && s.max == 4 && s.mean == 2.5);
	/* sd = sqrt(5/3); t(0.975, 3) = 3.182446: half-width 2.054 */
	assert_true(fabs(s.ci95_high - 2.5 - 3.182446305 * sqrt(5.0 / 3.0) / 2) < 1e-6);
	assert_true(fabs(s.ci95_low - (5.0 - s.ci95_high)) < 1e-9);
	assert_int_equal(summary_of(v, 1, &s), 0);
	assert_true(s.ci95_low == 3 && s.ci95_high == 3);
	assert_int_equal(summary_of(v, 0, &s), -EINVAL);
}

static void test_round_trip(void **state)
{
	double g[] = {10.0, 10.2, 9.8};
	json_t *doc = crafted(g, 3, 3), *back, *e;
	char path[4200], why[256];

	(void)state;
	assert_int_equal(results_check_dir(tl_dir, why, sizeof(why)), 0);
	assert_int_equal(results_write(doc, tl_dir, path, sizeof(path)), 0);
	assert_int_equal(results_load(path, &back, why, sizeof(why)), 0);
	assert_int_equal(json_integer_value(json_object_get(back, "schema_version")),
			 RESULTS_SCHEMA_VERSION);
	assert_non_null(json_object_get(json_object_get(back, "host"), "kernel_release"));
	assert_non_null(json_object_get(json_object_get(back, "nsbench"), "commit"));
	e = json_array_get(json_object_get(back, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "mode")), "bridge");
	assert_true(fabs(json_number_value(json_object_get(
				 json_object_get(json_object_get(e, "summary"), "throughput_bps"),
				 "median")) -
			 10.0e9) < 1);
	assert_true(
		json_object_get(json_object_get(json_object_get(e, "summary"), "throughput_bps"),
				"ci95_low") != NULL);
	/* What was written is what was read, number for number. */
	assert_true(json_equal(doc, back));
	json_decref(back);
	json_decref(doc);
	unlink(path);
}

static json_t *rows_of(json_t **docs)
{
	struct compare_opts o;

	compare_opts_default(&o);
	return compare_rows(docs, 2, &o);
}

static json_t *cell_of(json_t *rows, const char *test, const char *metric)
{
	return json_array_get(json_object_get(row_of(rows, test, metric), "files"), 1);
}

static void test_tight_regression_flagged(void **state)
{
	double a[] = {10.0, 10.1, 9.9}, b[] = {9.0, 9.1, 8.9};
	json_t *docs[2] = {crafted(a, 3, 3), crafted(b, 3, 3)}, *rows, *f;

	(void)state;
	rows = rows_of(docs);
	assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "slower");
	f = cell_of(rows, "tcp_stream", "throughput_bps");
	assert_true(fabs(json_number_value(json_object_get(f, "change_pct")) + 10.0) < 0.01);
	/* change_pct and the ratio are one estimator (geometric means), not medians and means. */
	assert_true(fabs(json_number_value(json_object_get(f, "change_pct")) -
			 (json_number_value(json_object_get(f, "ratio")) - 1) * 100) < 1e-9);
	/* The interval of the ratio holds the estimate and excludes 1. */
	assert_true(json_number_value(json_object_get(f, "ci95_low")) < 0.9);
	assert_true(json_number_value(json_object_get(f, "ci95_high")) < 0.95);
	assert_true(json_number_value(json_object_get(f, "q_value")) < 0.05);
	/* One machine (neither file names a runner): the absolute figures gate too. */
	assert_false(compare_hosts_differ(docs, 2));
	/* The gate: 10% > 5% trips it, 10% < 15% does not. */
	assert_true(compare_worst_regression(rows, false) > 5);
	assert_true(compare_worst_regression(rows, false) < 15);
	/* Latency that did not move, measured tightly: unchanged, within +/-5%. */
	assert_string_equal(verdict_of(rows, "tcp_rr", "p99_us"), "unchanged");
	json_decref(rows);
	/* The other way round it is an improvement, not a regression. */
	{
		json_t *swapped[2] = {docs[1], docs[0]};
		struct compare_opts o;

		compare_opts_default(&o);
		rows = compare_rows(swapped, 2, &o);
		assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "faster");
		assert_true(compare_worst_regression(rows, false) == 0);
		json_decref(rows);
	}
	json_decref(docs[0]);
	json_decref(docs[1]);
}

/* The case that failed before: +50% with every repetition of B above every one of A. */
static void test_large_effect_faster(void **state)
{
	double a[] = {14.5, 13.1, 15.2}, b[] = {21.3, 22.1, 22.9};
	json_t *docs[2] = {crafted(a, 3, 3), crafted(b, 3, 3)}, *rows, *f;

	(void)state;
	rows = rows_of(docs);
	assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "faster");
	f = cell_of(rows, "tcp_stream", "throughput_bps");
	assert_true(json_number_value(json_object_get(f, "ratio")) > 1.45);
	assert_true(json_number_value(json_object_get(f, "ci95_low")) > 1.2);
	assert_true(compare_worst_regression(rows, false) == 0);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

static void test_wide_noise_inconclusive(void **state)
{
	/* The same 10% drop in medians, inside repetitions that spread 40%. */
	double a[] = {10.0, 12.0, 8.0}, b[] = {9.0, 11.0, 7.0};
	json_t *docs[2] = {crafted(a, 3, 3), crafted(b, 3, 3)}, *rows, *f;

	(void)state;
	rows = rows_of(docs);
	/* Neither a change nor the absence of one: say how much more would tell. */
	assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "inconclusive");
	f = cell_of(rows, "tcp_stream", "throughput_bps");
	assert_true(json_integer_value(json_object_get(f, "reps_needed")) > 3);
	assert_true(compare_worst_regression(rows, false) == 0);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

/*
 * Ten metrics: one at p ~ 0.04 among nine that did not move is no discovery
 * (BH over the family); the same 5% drop in all ten together is.
 */
static void test_family_bh(void **state)
{
	double a[] = {10.0, 10.2, 9.8}, b[] = {9.5, 9.7, 9.3};
	json_t *docs[2], *rows, *row;
	size_t i, members, found;

	(void)state;
	for (int all = 0; all < 2; all++) {
		for (int d = 0; d < 2; d++) {
			docs[d] = results_new(json_object());
			for (int t = 0; t < 10; t++) {
				char test[16];
				json_t *e;

				snprintf(test, sizeof(test), "t%d", t);
				e = results_entry(docs[d], "bridge", "ingress", test);
				for (int r = 0; r < 3; r++)
					json_array_append_new(
						json_object_get(e, "reps"),
						json_pack("{s:{s:f}}", "metrics", "tps",
							  (d && (all || t == 0) ? b : a)[r]));
			}
			results_summarize(docs[d]);
		}
		rows = rows_of(docs);
		assert_int_equal(json_array_size(rows), 10);
		compare_family(rows, 1, &members, &found);
		assert_int_equal(members, 10);
		assert_int_equal(found, all ? 10 : 0);
		json_array_foreach(rows, i, row) {
			json_t *f = json_array_get(json_object_get(row, "files"), 1);
			const char *v = json_string_value(json_object_get(f, "verdict"));

			if (all || i == 0)
				assert_true(json_number_value(json_object_get(f, "p_value")) <
					    0.05);
			assert_string_equal(v, all ? "slower"
						   : (i == 0 ? "inconclusive" : "unchanged"));
		}
		assert_true(compare_worst_regression(rows, false) == (all ? 5.0 : 0.0) ||
			    (all && fabs(compare_worst_regression(rows, false) - 5) < 0.1));
		json_decref(rows);
		json_decref(docs[0]);
		json_decref(docs[1]);
	}
}

static void test_single_rep_inconclusive(void **state)
{
	double a[] = {10.0}, b[] = {5.0};
	json_t *docs[2] = {crafted(a, 1, 1), crafted(b, 1, 1)}, *rows;

	(void)state;
	rows = rows_of(docs);
	assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "inconclusive");
	assert_non_null(json_object_get(cell_of(rows, "tcp_stream", "throughput_bps"), "why"));
	assert_true(compare_worst_regression(rows, false) == 0);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

/*
 * The gate cannot judge a headline metric with fewer than 2 repetitions in a
 * file: it says which, with the repetitions each file has, and that 2 are
 * needed, instead of passing. With 3 in each, it judges (here: fails).
 */
static void test_gate_undecided(void **state)
{
	double a[] = {10.0}, b[] = {8.6}, a3[] = {10.0, 10.1, 9.9}, b3[] = {8.6, 8.7, 8.5};
	json_t *docs[2] = {crafted(a, 1, 1), crafted(b, 1, 1)}, *rows;
	struct gate g;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	rows = rows_of(docs);
	assert_int_equal(gate_judge(rows, 1, false, &g), GATE_UNDECIDED);
	/* throughput_bps, tps, p50_us, p99_us of the two crafted entries. */
	assert_int_equal(g.undecided, 4);
	assert_non_null(strstr(g.why, "bridge ingress tcp_stream throughput_bps (A 1, B 1)"));
	assert_non_null(strstr(g.why, "at least 2 repetitions per file"));
	f = open_memstream(&text, &len);
	gate_print(&g, true, f);
	fclose(f);
	assert_non_null(strstr(text, "**Gate (--fail-above 1%): cannot decide.**"));
	assert_non_null(strstr(text, "throughput_bps (A 1, B 1)"));
	free(text);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
	/* Only the ratios to host count across machines: none here, nothing to judge. */
	docs[0] = crafted(a, 1, 1);
	docs[1] = crafted(b, 1, 1);
	rows = rows_of(docs);
	assert_int_equal(gate_judge(rows, 1, true, &g), GATE_PASS);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
	docs[0] = crafted(a3, 3, 3);
	docs[1] = crafted(b3, 3, 3);
	rows = rows_of(docs);
	assert_int_equal(gate_judge(rows, 1, false, &g), GATE_FAIL);
	assert_int_equal(g.undecided, 0);
	assert_true(g.worst > 13 && g.worst < 15);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

/* run --target that ran out of budget: the table says where, not only the JSON. */
static void test_target_missed_in_table(void **state)
{
	double g[] = {10.0, 10.2};
	json_t *doc = crafted(g, 2, 2), *e;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	json_object_set_new(json_object_get(doc, "config"), "target",
			    json_pack("{s:f, s:i, s:i, s:f}", "pct", 1.0, "min_reps", 2, "max_reps",
				      2, "max_time_s", 8.0));
	json_array_foreach(json_object_get(doc, "results"), i, e)
		json_object_set_new(e, "target",
				    json_pack("{s:f, s:b, s:s, s:f, s:i}", "pct", 1.0, "met",
					      i == 1, "widest_metric", "throughput_bps",
					      "widest_halfwidth_pct", 12.7, "reps", 2));
	assert_int_equal(table_target_missed(doc, &e), 1);
	assert_string_equal(json_string_value(json_object_get(e, "test")), "tcp_stream");
	f = open_memstream(&text, &len);
	table_run(doc, f);
	fclose(f);
	assert_non_null(strstr(text, "--target 1%: NOT met by 1 of 2 results (the budget ran "
				     "out); widest: bridge ingress tcp_stream throughput_bps "
				     "+/-12.7% after 2 repetitions\n"));
	free(text);
	json_array_foreach(json_object_get(doc, "results"), i, e)
		json_object_set_new(json_object_get(e, "target"), "met", json_true());
	assert_int_equal(table_target_missed(doc, NULL), 0);
	json_decref(doc);
}

/* Repetitions flagged as noisy leave the decision when asked; the others decide. */
static void test_drop_noisy(void **state)
{
	double a[] = {10.0, 10.1, 9.9, 10.0}, b[] = {9.0, 9.1, 8.9, 30.0};
	json_t *docs[2] = {crafted(a, 4, 4), crafted(b, 4, 4)}, *rows, *rep;
	struct compare_opts o;

	(void)state;
	rep = json_array_get(
		json_object_get(json_array_get(json_object_get(docs[1], "results"), 0), "reps"), 3);
	json_object_set_new(rep, "noise", json_pack("{s:b, s:f}", "noisy", 1, "steal_pct", 30.0));
	compare_opts_default(&o);
	rows = compare_rows(docs, 2, &o);
	assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "inconclusive");
	json_decref(rows);
	o.drop_noisy = true;
	rows = compare_rows(docs, 2, &o);
	assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "slower");
	assert_int_equal(json_integer_value(json_object_get(
				 cell_of(rows, "tcp_stream", "throughput_bps"), "n")),
			 3);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

/* The CSV is read back by libcsv: every record has as many fields as the header. */
struct csv_count {
	size_t fields, header, records, bad;
	char verdict[32];
};

static void csv_field(void *s, size_t len, void *arg)
{
	struct csv_count *c = arg;

	c->fields++;
	if (c->records > 0 && c->fields == 19)
		snprintf(c->verdict, sizeof(c->verdict), "%.*s", (int)len, (const char *)s);
}

static void csv_record(int ch, void *arg)
{
	struct csv_count *c = arg;

	(void)ch;
	if (c->records == 0)
		c->header = c->fields;
	else if (c->fields != c->header)
		c->bad++;
	c->records++;
	c->fields = 0;
}

static void test_csv_shape(void **state)
{
	double a[] = {10.0, 10.1, 9.9}, b[] = {9.0, 9.1, 8.9}, one[] = {5.0};
	json_t *docs[3] = {crafted(a, 3, 3), crafted(b, 3, 3), crafted(one, 1, 1)}, *rows;
	const char *names[3] = {"a.json", "b.json", "c.json"};
	struct csv_count cnt = {0};
	struct csv_parser p;
	struct compare_opts o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	/* A missing entry too: C has no host tcp_rr. */
	json_array_remove(json_object_get(docs[2], "results"), 1);
	compare_opts_default(&o);
	rows = compare_rows(docs, 3, &o);
	compare_print(rows, docs, names, 3, &o, FMT_CSV, f);
	fclose(f);
	assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
	assert_int_equal(csv_parse(&p, buf, len, csv_field, csv_record, &cnt), len);
	assert_int_equal(csv_fini(&p, csv_field, csv_record, &cnt), 0);
	csv_free(&p);
	assert_int_equal(cnt.header, 24);
	assert_int_equal(cnt.bad, 0);
	/* A header and one line per file per row. */
	assert_int_equal(cnt.records, 1 + 3 * json_array_size(rows));
	assert_non_null(strstr(buf, ",missing,"));
	assert_non_null(strstr(buf, ",slower,"));
	free(buf);
	json_decref(rows);
	for (int i = 0; i < 3; i++)
		json_decref(docs[i]);
}

/* host.virt of DOC: a name, or NULL for a file written before it existed. */
static void set_virt(json_t *doc, const char *virt)
{
	json_t *h = json_object_get(doc, "host");

	if (virt)
		json_object_set_new(h, "virt", json_string(virt));
	else
		json_object_del(h, "virt");
}

/* What compare_print writes of ROWS in FMT; the caller frees it. */
static char *printed(json_t *rows, json_t **docs, size_t n, enum compare_format fmt)
{
	const char *names[3] = {"a.json", "b.json", "c.json"};
	struct compare_opts o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	compare_opts_default(&o);
	compare_print(rows, docs, names, n, &o, fmt, f);
	fclose(f);
	return buf;
}

/*
 * A file measured under QEMU's emulator decides nothing: the tight 10%
 * regression that is "slower" between real machines is "emulated" in every
 * cell, there is no family and nothing for the gate, and the table says why.
 * The same files as KVM guests, or without host.virt (older files), are
 * judged as before.
 */
static void test_emulated_not_judged(void **state)
{
	double a[] = {10.0, 10.1, 9.9}, b[] = {9.0, 9.1, 8.9};
	json_t *docs[3] = {crafted(a, 3, 3), crafted(b, 3, 3), crafted(b, 3, 3)}, *rows, *row;
	static const char *const judged_as[][2] = {
		{"kvm", "kvm"}, {NULL, NULL}, {"none", "kvm"}, {"other", NULL}};
	size_t i, m, r, which;
	char *text;

	(void)state;
	for (i = 0; i < sizeof(judged_as) / sizeof(judged_as[0]); i++) {
		set_virt(docs[0], judged_as[i][0]);
		set_virt(docs[1], judged_as[i][1]);
		assert_false(compare_emulated(docs, 2, &which));
		assert_true(compare_judged(docs, 1));
		rows = rows_of(docs);
		assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "slower");
		assert_true(compare_worst_regression(rows, false) > 5);
		json_decref(rows);
	}
	/* B under TCG, then A: either side of the pair is enough. */
	for (i = 0; i < 2; i++) {
		set_virt(docs[i], "tcg");
		set_virt(docs[1 - i], "kvm");
		assert_true(compare_emulated(docs, 2, &which));
		assert_int_equal(which, i);
		assert_false(compare_judged(docs, 1));
		rows = rows_of(docs);
		json_array_foreach(rows, r, row) {
			json_t *f = json_array_get(json_object_get(row, "files"), 1);

			assert_string_equal(json_string_value(json_object_get(f, "verdict")),
					    "emulated");
			assert_null(json_object_get(f, "q_value"));
			assert_null(json_object_get(f, "reps_needed"));
			/* The figures are still shown. */
			assert_non_null(json_object_get(f, "ratio"));
		}
		compare_family(rows, 1, &m, &r);
		assert_int_equal(m, 0);
		assert_true(compare_worst_regression(rows, false) == 0);
		text = printed(rows, docs, 2, FMT_TEXT);
		/* The text's prose is wrapped: read it as one paragraph. */
		for (char *nl = strchr(text, '\n'); nl; nl = strchr(nl, '\n'))
			*nl = ' ';
		assert_non_null(strstr(text, "was measured on an emulated CPU"));
		assert_non_null(strstr(text, "emulated (TCG) figures are not performance figures"));
		assert_non_null(strstr(text, "virt tcg"));
		assert_non_null(strstr(text, "B vs A: not judged (emulated)."));
		assert_null(strstr(text, " slower"));
		free(text);
		text = printed(rows, docs, 2, FMT_CSV);
		assert_non_null(strstr(text, ",emulated,"));
		assert_null(strstr(text, "not performance figures"));
		free(text);
		json_decref(rows);
	}
	/* Three files: B vs A is judged as usual, C vs A (emulated) is not. */
	set_virt(docs[0], "none");
	set_virt(docs[1], "kvm");
	set_virt(docs[2], "tcg");
	{
		struct compare_opts o;

		compare_opts_default(&o);
		rows = compare_rows(docs, 3, &o);
	}
	assert_true(compare_emulated(docs, 3, &which));
	assert_int_equal(which, 2);
	assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "slower");
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(row_of(rows, "tcp_stream", "throughput_bps"),
						       "files"),
				       2),
			"verdict")),
		"emulated");
	text = printed(rows, docs, 3, FMT_MARKDOWN);
	assert_non_null(strstr(text, "**Note:** C (c.json) was measured on an emulated CPU"));
	assert_non_null(strstr(text, "C vs A: not judged (emulated)."));
	assert_null(strstr(text, "B vs A: not judged"));
	free(text);
	json_decref(rows);
	for (i = 0; i < 3; i++)
		json_decref(docs[i]);
}

#define FIX_VM "tests/fixtures/vm-6.18.44-fc-v669-20261127T224345Z.json"
#define FIX_BOX "tests/fixtures/vm-6.18.44-fc-v657-gpu-20261127T224727Z.json"

/*
 * compare's text on the fixtures: no line ends in a space, the table is as
 * wide as its widest cells (not 150 columns of padding), every row's columns
 * start where the header's do, and the prose around it wraps at 100 columns.
 */
static void test_text_layout(void **state)
{
	const char *fix[2][2] = {{FIX_VM, FIX_BOX}, {FIX_BOX, FIX_VM}};
	json_t *docs[2], *rows;
	char why[256];

	(void)state;
	for (int o = 0; o < 2; o++) {
		char *text, *line, *save = NULL, *verdict_col = NULL;
		size_t vcol = 0, table = 0;

		for (int i = 0; i < 2; i++)
			assert_int_equal(results_load(fix[o][i], &docs[i], why, sizeof(why)), 0);
		rows = rows_of(docs);
		text = printed(rows, docs, 2, FMT_TEXT);
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			size_t len = strlen(line);

			if (len && line[len - 1] == ' ')
				print_error("trailing space: '%s'\n", line);
			assert_false(len && line[len - 1] == ' ');
			if (!strncmp(line, "mode  ", 6)) {
				verdict_col = strstr(line, "verdict");
				assert_non_null(verdict_col);
				vcol = (size_t)(verdict_col - line);
				continue;
			}
			if (!vcol || table > json_array_size(rows) - 1) {
				/* Prose around the table wraps at 100 columns. */
				assert_true(len <= 100);
				continue;
			}
			/* A row of the table: the verdict starts in the header's column. */
			table++;
			assert_true(len > vcol);
			assert_true(line[vcol - 1] == ' ' && line[vcol - 2] == ' ' &&
				    line[vcol] != ' ');
			assert_true(len < 150);
		}
		assert_int_equal(table, json_array_size(rows));
		free(text);
		json_decref(rows);
		for (int i = 0; i < 2; i++)
			json_decref(docs[i]);
	}
}

/*
 * compare --format json: the document survives a round trip through the
 * parser and carries, per row, each file's value, the change with its
 * interval and the verdict, and the gate's outcome (here, cannot decide).
 */
static void test_json_format(void **state)
{
	double a[] = {10.0, 10.1, 9.9}, b[] = {9.0, 9.1, 8.9}, one[] = {5.0};
	json_t *docs[2] = {crafted(a, 3, 3), crafted(b, 3, 3)}, *rows, *doc, *back, *row, *fl;
	const char *names[2] = {"a.json", "b.json"};
	struct compare_opts o;
	json_error_t err;
	struct gate g;
	char *text;
	size_t i;

	(void)state;
	compare_opts_default(&o);
	rows = rows_of(docs);
	gate_judge(rows, 5, false, &g);
	doc = compare_json(rows, docs, names, 2, &o, &g, NULL);
	text = json_dumps(doc, JSON_INDENT(1));
	back = json_loads(text, 0, &err);
	assert_non_null(back);
	assert_true(json_equal(doc, back));
	assert_int_equal(json_array_size(json_object_get(back, "rows")), json_array_size(rows));
	json_array_foreach(json_object_get(back, "rows"), i, row) {
		assert_non_null(json_object_get(row, "mode"));
		assert_non_null(json_object_get(row, "path"));
		assert_non_null(json_object_get(row, "test"));
		assert_non_null(json_object_get(row, "metric"));
		assert_int_equal(json_array_size(json_object_get(row, "files")), 2);
		fl = json_array_get(json_object_get(row, "files"), 1);
		assert_true(json_is_number(json_object_get(fl, "value")));
		assert_true(json_is_string(json_object_get(fl, "verdict")));
		assert_non_null(json_object_get(json_object_get(fl, "change"), "ci95_low"));
		assert_non_null(json_object_get(json_object_get(fl, "change"), "pct_high"));
	}
	row = json_array_get(json_object_get(back, "rows"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "metric")), "throughput_bps");
	fl = json_array_get(json_object_get(row, "files"), 1);
	assert_string_equal(json_string_value(json_object_get(fl, "verdict")), "slower");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(back, "gate"), "result")),
		"fails");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(back, "files"), 1), "name")),
			    "b.json");
	assert_true(json_is_true(
		json_object_get(json_array_get(json_object_get(back, "files"), 0), "judged")));
	free(text);
	json_decref(back);
	json_decref(doc);
	/* A baseline measured under TCG is not judged either: its own entry says so. */
	set_virt(docs[0], "tcg");
	doc = compare_json(rows, docs, names, 2, &o, &g, NULL);
	back = json_object_get(doc, "files");
	assert_false(json_is_true(json_object_get(json_array_get(back, 0), "judged")));
	assert_true(json_is_true(json_object_get(json_array_get(back, 1), "judged")));
	json_decref(doc);
	set_virt(docs[0], NULL);
	json_decref(rows);
	/* Without --fail-above the gate is null; with one repetition it cannot decide. */
	for (i = 0; i < 2; i++) {
		json_decref(docs[i]);
		docs[i] = crafted(one, 1, 1);
	}
	rows = rows_of(docs);
	doc = compare_json(rows, docs, names, 2, &o, NULL, NULL);
	assert_true(json_is_null(json_object_get(doc, "gate")));
	json_decref(doc);
	gate_judge(rows, 5, false, &g);
	doc = compare_json(rows, docs, names, 2, &o, &g, NULL);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(doc, "gate"), "result")),
		"cannot decide");
	assert_non_null(
		strstr(json_string_value(json_object_get(json_object_get(doc, "gate"), "why")),
		       "at least 2 repetitions"));
	fl = json_array_get(
		json_object_get(json_array_get(json_object_get(doc, "rows"), 0), "files"), 1);
	assert_true(json_is_null(json_object_get(fl, "change")));
	json_decref(doc);
	json_decref(rows);
	for (i = 0; i < 2; i++)
		json_decref(docs[i]);
}

/* Every repetition's and the summary's METRIC of MODE's TEST set to V. */
static void set_metric(json_t *doc, const char *mode, const char *test, const char *metric,
		       double v)
{
	json_t *e, *rep;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		if (strcmp(json_string_value(json_object_get(e, "mode")), mode) ||
		    strcmp(json_string_value(json_object_get(e, "test")), test))
			continue;
		json_array_foreach(json_object_get(e, "reps"), j, rep)
			json_object_set_new(json_object_get(rep, "metrics"), metric, json_real(v));
		json_object_set_new(json_object_get(json_object_get(e, "summary"), metric),
				    "median", json_real(v));
	}
}

/*
 * UDP loss and jitter, and tcp_reverse, on a results file: in run's table
 * (loss against host in percentage points) and in compare's rows (loss as
 * B - A in points with its interval, descriptive); a 0% baseline gives
 * finite figures, never a ratio of 0.
 */
static void test_udp_and_reverse(void **state)
{
	json_t *docs[2], *rows, *row, *fl;
	char why[256], *text = NULL;
	size_t len = 0, i, loss_rows = 0, jitter_rows = 0;
	FILE *f;

	(void)state;
	assert_int_equal(results_load(FIX_VM, &docs[0], why, sizeof(why)), 0);
	assert_int_equal(results_load(FIX_BOX, &docs[1], why, sizeof(why)), 0);
	/* host lost nothing in A: the baseline of every loss figure of host is 0. */
	set_metric(docs[0], "host", "udp", "lost_percent", 0);
	f = open_memstream(&text, &len);
	table_run(docs[0], f);
	fclose(f);
	assert_non_null(strstr(text, "reverse Gbit/s"));
	/* Jitter as an absolute value in microseconds, never a ratio. */
	assert_non_null(strstr(text, "UDP jitter us"));
	assert_null(strstr(text, "UDP jitter ms"));
	assert_non_null(strstr(text, "UDP loss %"));
	/* host's 0% and bridge's median loss, as measured. */
	assert_non_null(strstr(text, "\nhost           "));
	assert_non_null(strstr(text, "25.962"));
	/* Against host: bridge's loss as the mean of its repetitions' points above host's 0. */
	{
		json_t *e = json_array_get(json_object_get(docs[0], "results"), 7), *rep;
		double sum = 0;
		size_t j;
		char want[64], *at = strstr(text, "\nbridge          Gbit/s");

		assert_string_equal(json_string_value(json_object_get(e, "test")), "udp");
		assert_string_equal(json_string_value(json_object_get(e, "mode")), "bridge");
		json_array_foreach(json_object_get(e, "reps"), j, rep)
			sum += json_number_value(
				json_object_get(json_object_get(rep, "metrics"), "lost_percent"));
		snprintf(want, sizeof(want), "%+.2f [", sum / 3);
		assert_non_null(at);
		at = strstr(at, "UDP loss");
		assert_non_null(at);
		assert_non_null(strstr(at, want));
		assert_true(strstr(at, want) < strstr(at, "pp"));
	}
	assert_null(strstr(text, "inf"));
	assert_null(strstr(text, "nan"));
	free(text);

	rows = rows_of(docs);
	json_array_foreach(rows, i, row) {
		const char *metric = json_string_value(json_object_get(row, "metric"));
		const char *mode = json_string_value(json_object_get(row, "mode"));

		fl = json_array_get(json_object_get(row, "files"), 1);
		if (!strcmp(metric, "jitter_ms")) {
			jitter_rows++;
			assert_string_equal(json_string_value(json_object_get(fl, "verdict")),
					    "descriptive");
		}
		if (strcmp(metric, "lost_percent"))
			continue;
		loss_rows++;
		assert_string_equal(json_string_value(json_object_get(row, "compared_as")),
				    "difference");
		assert_false(json_is_true(json_object_get(row, "headline")));
		assert_string_equal(json_string_value(json_object_get(fl, "verdict")),
				    "descriptive");
		assert_null(json_object_get(fl, "ratio"));
		assert_true(isfinite(json_number_value(json_object_get(fl, "diff"))));
		assert_true(json_number_value(json_object_get(fl, "diff_low")) <=
			    json_number_value(json_object_get(fl, "diff_high")));
		if (!strcmp(mode, "host")) {
			/* From 0% in A: B's mean loss, in points. */
			assert_true(fabs(json_number_value(json_object_get(fl, "diff")) -
					 json_number_value(json_object_get(fl, "mean"))) < 1e-9);
		}
	}
	assert_int_equal(loss_rows, 5);
	assert_int_equal(jitter_rows, 5);
	assert_non_null(row_of(rows, "tcp_reverse", "throughput_bps"));
	text = printed(rows, docs, 2, FMT_TEXT);
	assert_non_null(strstr(text, " pp ["));
	assert_non_null(strstr(text, "lost_percent"));
	assert_null(strstr(text, "inf"));
	free(text);
	/* Nothing the gate judges: loss and jitter are descriptive. */
	json_decref(rows);
	for (i = 0; i < 2; i++)
		json_decref(docs[i]);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_malformed_refused(void **state)
{
	double g[] = {10.0, 10.2, 9.8};
	json_t *doc = crafted(g, 3, 3);
	char path[4200], bad[4300], why[256], *text;
	json_t *out = NULL;
	size_t len;
	static const struct {
		const char *mutation, *reason;
	} cases[] = {
		{"schema", "schema version 2"},	  {"results", "missing \"results\""},
		{"reps", "missing \"reps\""},	  {"kernel", "missing \"kernel_release\""},
		{"config", "missing \"config\""}, {"type", "wrong type for \"results\""},
		{"entry", "not an object"},
		/* Corrupted values, refused naming the field (issue 29): they were read. */
		{"string", "results[0].reps[1].metrics.throughput_bps: not a number"},
		{"zero", "results[0].reps[1].metrics.throughput_bps: not above 0"},
		{"huge", "results[0].reps[1].metrics.throughput_bps: out of range"},
		{"mode", "results[0]: unknown mode \"warp\""},
	};

	(void)state;
	assert_int_equal(results_load("/nonexistent/x.json", &out, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "No such file"));
	snprintf(bad, sizeof(bad), "%s/not.json", tl_dir);
	write_text(bad, "this is not json\n");
	assert_int_equal(results_load(bad, &out, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "not a JSON document"));
	/* Truncated: half of a real file. */
	text = json_dumps(doc, JSON_INDENT(1));
	len = strlen(text);
	text[len / 2] = '\0';
	snprintf(bad, sizeof(bad), "%s/truncated.json", tl_dir);
	write_text(bad, text);
	free(text);
	assert_int_equal(results_load(bad, &out, why, sizeof(why)), -EBADMSG);
	write_text(bad, "");
	assert_int_equal(results_load(bad, &out, why, sizeof(why)), -EBADMSG);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *d = json_deep_copy(doc);
		const char *m = cases[i].mutation;

		if (!strcmp(m, "schema"))
			json_object_set_new(d, "schema_version", json_integer(2));
		else if (!strcmp(m, "results"))
			json_object_del(d, "results");
		else if (!strcmp(m, "reps"))
			json_object_del(json_array_get(json_object_get(d, "results"), 0), "reps");
		else if (!strcmp(m, "kernel"))
			json_object_del(json_object_get(d, "host"), "kernel_release");
		else if (!strcmp(m, "config"))
			json_object_del(d, "config");
		else if (!strcmp(m, "type"))
			json_object_set_new(d, "results", json_string("none"));
		else if (!strcmp(m, "string") || !strcmp(m, "zero") || !strcmp(m, "huge"))
			json_object_set_new(
				json_object_get(json_array_get(json_object_get(json_array_get(
								       json_object_get(d, "results"), 0),
							       "reps"),
							       1),
						"metrics"),
				"throughput_bps",
				!strcmp(m, "string") ? json_string("fast")
				: !strcmp(m, "zero") ? json_real(0)
						     : json_real(1e308));
		else if (!strcmp(m, "mode"))
			json_object_set_new(json_array_get(json_object_get(d, "results"), 0), "mode",
					    json_string("warp"));
		else
			json_array_append_new(json_object_get(d, "results"), json_integer(1));
		assert_int_equal(results_write(d, tl_dir, path, sizeof(path)), 0);
		assert_int_equal(results_load(path, &out, why, sizeof(why)), -EPROTO);
		if (!strstr(why, cases[i].reason))
			print_error("%s: got '%s'\n", m, why);
		assert_non_null(strstr(why, cases[i].reason));
		unlink(path);
		json_decref(d);
	}
	json_decref(doc);
}

/* The configurations' difference prints numbers as given (0.3, not 0.29999999999999999). */
static void test_config_diff_numbers(void **state)
{
	json_t *docs[2] = {results_new(json_pack("{s:f}", "rr_duration_s", 0.3)),
			   results_new(json_pack("{s:f}", "rr_duration_s", 0.5))};
	const char *names[] = {"A.json", "B.json"};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	compare_config_diff(docs, names, 2, f);
	fclose(f);
	assert_non_null(strstr(text, "rr_duration_s (0.3 vs 0.5)"));
	free(text);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

static void test_check_dir(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(results_check_dir("/proc/nope", why, sizeof(why)) < 0, 1);
	assert_non_null(strstr(why, "/proc/nope"));
	/*
	 * --out makes the folder it names, as mkdir does, but not missing parents:
	 * a mistyped path is refused, not created (issue 29).
	 */
	{
		char dir[] = "/tmp/nsbench-out-XXXXXX", deep[128], cmd[160];

		assert_non_null(mkdtemp(dir));
		snprintf(deep, sizeof(deep), "%s/a/b/c", dir);
		assert_int_equal(results_check_dir(deep, why, sizeof(why)), -ENOTDIR);
		assert_non_null(strstr(why, "/a/b is not a directory that exists"));
		assert_int_equal(access(deep, F_OK), -1);
		snprintf(deep, sizeof(deep), "%s/a", dir);
		assert_int_equal(results_check_dir(deep, why, sizeof(why)), 0);
		assert_int_equal(access(deep, W_OK), 0);
		/* Again, and with a trailing slash: what exists is fine. */
		snprintf(deep, sizeof(deep), "%s/a/", dir);
		assert_int_equal(results_check_dir(deep, why, sizeof(why)), 0);
		/* A file is no folder. */
		snprintf(deep, sizeof(deep), "%s/a/f", dir);
		{
			FILE *fp = fopen(deep, "w");

			assert_non_null(fp);
			fclose(fp);
		}
		assert_int_equal(results_check_dir(deep, why, sizeof(why)), -ENOTDIR);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* MODE's tcp_rr over FAMILY in DOC, its p50 P50 in each of 3 repetitions (noise apart). */
static void rr_entry(json_t *doc, const char *mode, const char *family, double p50)
{
	json_t *e = results_entry_key(doc, mode, "ingress", "tcp_rr", 1, family);

	for (int i = 0; i < 3; i++)
		json_array_append_new(json_object_get(e, "reps"),
				      json_pack("{s:i, s:{s:f, s:f}}", "rep", i + 1, "metrics",
						"p50_us", p50 * (1 + 0.01 * i), "tps", 1e6 / p50));
}

static json_t *family_doc(bool v4, bool v6)
{
	json_t *doc = results_new(json_pack("{s:i, s:[s,s], s:[s,s]}", "reps", 3, "modes", "awsvpc",
					    "host", "ip", "ipv4", "ipv6"));

	if (v4) {
		rr_entry(doc, "host", "ipv4", 10);
		rr_entry(doc, "awsvpc", "ipv4", 12);
	}
	if (v6) {
		rr_entry(doc, "host", "ipv6", 20);
		rr_entry(doc, "awsvpc", "ipv6", 30);
	}
	aggregate_host_ratios(doc);
	assert_int_equal(results_summarize(doc), 0);
	json_object_set_new(doc, "status", json_string("ok"));
	return doc;
}

static json_t *family_row(json_t *rows, const char *mode, const char *family, const char *metric)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row)
		if (!strcmp(json_string_value(json_object_get(row, "mode")), mode) &&
		    !strcmp(json_string_value(json_object_get(row, "family")), family) &&
		    !strcmp(json_string_value(json_object_get(row, "metric")), metric))
			return row;
	return NULL;
}

/* IPv4 and IPv6 are different tests: never compared, nor put in a ratio, with each other. */
static void test_ip_families(void **state)
{
	json_t *docs[2] = {family_doc(true, true), family_doc(true, true)}, *rows, *row, *rep;
	const char *fam;
	struct compare_opts o;
	char *text, why[256];
	size_t i;

	(void)state;
	/* Ratios to host over the same family: awsvpc 30/20 over IPv6, 12/10 over IPv4. */
	json_array_foreach(json_object_get(docs[0], "results"), i, row) {
		fam = results_entry_family(row);
		rep = json_object_get(json_array_get(json_object_get(row, "reps"), 0), "metrics");
		if (!strcmp(json_string_value(json_object_get(row, "mode")), "awsvpc"))
			assert_float_equal(json_number_value(json_object_get(rep, "p50_vs_host")),
					   !strcmp(fam, "ipv6") ? 1.5 : 1.2, 1e-9);
	}
	compare_opts_default(&o);
	rows = compare_rows(docs, 2, &o);
	/* Each family its own rows, A against B of the same family: no change in either. */
	row = family_row(rows, "awsvpc", "ipv6", "p50_us");
	assert_non_null(row);
	assert_non_null(family_row(rows, "awsvpc", "ipv4", "p50_us"));
	assert_float_equal(json_number_value(json_object_get(
				   json_array_get(json_object_get(row, "files"), 1), "ratio")),
			   1.0, 1e-9);
	text = printed(rows, docs, 2, FMT_TEXT);
	assert_non_null(strstr(text, "awsvpc ipv6"));
	free(text);
	text = printed(rows, docs, 2, FMT_CSV);
	assert_non_null(strstr(text, ",ipv6\n"));
	free(text);
	json_decref(rows);
	json_decref(docs[1]);
	/* B measured IPv6 only: A's IPv4 rows find nothing in it. */
	docs[1] = family_doc(false, true);
	rows = compare_rows(docs, 2, &o);
	row = family_row(rows, "host", "ipv4", "p50_us");
	assert_non_null(row);
	assert_null(json_object_get(json_array_get(json_object_get(row, "files"), 1), "n"));
	row = family_row(rows, "host", "ipv6", "p50_us");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(row, "files"), 1), "n")),
			 3);
	json_decref(rows);
	/* The run table: a row per mode and family, IPv6's ratios to IPv6's host. */
	text = NULL;
	{
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		table_run(docs[0], f);
		fclose(f);
	}
	/* A table per path and family: IPv6's rows under their own heading. */
	assert_non_null(strstr(text, "\npath ingress, IPv4\n"));
	assert_non_null(strstr(text, "\npath ingress, IPv6\n"));
	assert_non_null(strstr(strstr(text, "IPv6\n"), "\nawsvpc "));
	assert_non_null(strstr(strstr(text, "IPv6\n"), "\nhost "));
	free(text);
	json_decref(docs[0]);
	json_decref(docs[1]);
	/* A family that is not a string is refused. */
	text = strdup("{\"schema_version\": 1, \"nsbench\": {}, \"host\": {\"kernel_release\": "
		      "\"6\"}, \"config\": {}, \"results\": [{\"mode\": \"host\", \"path\": "
		      "\"ingress\", \"test\": \"tcp_rr\", \"family\": 6, \"reps\": [], "
		      "\"summary\": {}}]}");
	docs[0] = NULL;
	assert_int_equal(results_parse(text, strlen(text), &docs[0], why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "family"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_gsl),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tight_regression_flagged),
		cmocka_unit_test(test_large_effect_faster),
		cmocka_unit_test(test_wide_noise_inconclusive),
		cmocka_unit_test(test_family_bh),
		cmocka_unit_test(test_single_rep_inconclusive),
		cmocka_unit_test(test_gate_undecided),
		cmocka_unit_test(test_target_missed_in_table),
		cmocka_unit_test(test_drop_noisy),
		cmocka_unit_test(test_csv_shape),
		cmocka_unit_test(test_emulated_not_judged),
		cmocka_unit_test(test_text_layout),
		cmocka_unit_test(test_json_format),
		cmocka_unit_test(test_udp_and_reverse),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_check_dir),
		cmocka_unit_test(test_config_diff_numbers),
		cmocka_unit_test(test_ip_families),
	};

	return cmocka_run_group_tests(tests, tl_tmpdir_setup, tl_tmpdir_teardown);
}
