// SPDX-License-Identifier: MIT
/*
 * Results files and compare, on crafted documents: the schema round trip, a
 * tight 10% regression flagged, noise of the same size not, and every kind of
 * malformed file refused with a reason. No root needed.
 */
#include "testlib.h"
#include <errno.h>
#include <math.h>

#include "compare.h"
#include "results.h"
#include "summary.h"

static char dir[] = "/tmp/nsbench-unit-XXXXXX";

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
	double p;

	(void)state;
	assert_int_equal(summary_of(v, 4, &s), 0);
	assert_true(s.median == 2.5 && s.min == 1 && s.max == 4 && s.mean == 2.5);
	/* sd = sqrt(5/3); t(0.975, 3) = 3.182446: half-width 2.054 */
	assert_true(fabs(s.ci95_high - 2.5 - 3.182446305 * sqrt(5.0 / 3.0) / 2) < 1e-6);
	assert_true(fabs(s.ci95_low - (5.0 - s.ci95_high)) < 1e-9);
	assert_int_equal(summary_of(v, 1, &s), 0);
	assert_true(s.ci95_low == 3 && s.ci95_high == 3);
	assert_int_equal(summary_of(v, 0, &s), -EINVAL);
	/* Welch, by hand: a = {1,2,3}, b = {4,5,6}: t = -3.674, df = 4, p = 0.02131. */
	{
		double a[] = {1, 2, 3}, b[] = {4, 5, 6}, c[] = {5, 5, 5};

		assert_int_equal(welch_test(a, 3, b, 3, &p), 0);
		assert_true(fabs(p - 0.021311641) < 1e-6);
		assert_int_equal(welch_test(c, 3, c, 3, &p), 0);
		assert_true(p == 1);
		assert_int_equal(welch_test(a, 1, b, 3, &p), -EINVAL);
	}
}

static void test_paired_ratio(void **state)
{
	/* Drift shared by both series: b is a/1.1 in every round, whatever the round. */
	double a[] = {10, 14, 8, 12}, b[4], c[] = {10, 11, 9, 10}, p, r;

	(void)state;
	for (int i = 0; i < 4; i++)
		b[i] = a[i] / 1.1;
	assert_int_equal(paired_ratio_test(a, b, 4, &p, &r), 0);
	assert_true(fabs(r - 1.1) < 1e-12);
	assert_true(p == 0);
	/* Welch sees only the spread of the rounds: no significance there. */
	assert_int_equal(welch_test(a, 4, b, 4, &p), 0);
	assert_true(p > 0.5);
	/* log(a/c) = {0, 0.2412, -0.1178, 0.1823}: mean 0.07643, sd 0.16524, t = 0.925, df 3:
	 * p = 0.4232 (closed form of the t distribution with 3 degrees of freedom). */
	assert_int_equal(paired_ratio_test(a, c, 4, &p, &r), 0);
	assert_true(fabs(r - exp(0.0764251)) < 1e-6);
	assert_true(fabs(p - 0.423175) < 1e-5);
	assert_int_equal(paired_ratio_test(a, c, 1, &p, &r), -EINVAL);
	c[0] = 0;
	assert_int_equal(paired_ratio_test(a, c, 4, &p, &r), -EINVAL);
}

static void test_round_trip(void **state)
{
	double g[] = {10.0, 10.2, 9.8};
	json_t *doc = crafted(g, 3, 3), *back, *e;
	char path[4200], why[256];

	(void)state;
	assert_int_equal(results_check_dir(dir, why, sizeof(why)), 0);
	assert_int_equal(results_write(doc, dir, path, sizeof(path)), 0);
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

static void test_tight_regression_flagged(void **state)
{
	double a[] = {10.0, 10.1, 9.9}, b[] = {9.0, 9.1, 8.9};
	json_t *docs[2] = {crafted(a, 3, 3), crafted(b, 3, 3)}, *rows, *f;

	(void)state;
	rows = compare_rows(docs, 2);
	assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "slower");
	f = json_array_get(json_object_get(row_of(rows, "tcp_stream", "throughput_bps"), "files"),
			   1);
	assert_true(fabs(json_number_value(json_object_get(f, "change_pct")) + 10.0) < 1e-6);
	assert_true(json_number_value(json_object_get(f, "p_value")) < 0.01);
	/* The gate: 10% > 5% trips it, 10% < 15% does not. */
	assert_true(compare_worst_regression(rows) > 5);
	assert_true(compare_worst_regression(rows) < 15);
	/* Unchanged latency stays unflagged. */
	assert_string_equal(verdict_of(rows, "tcp_rr", "p99_us"), "no significant change");
	json_decref(rows);
	/* The other way round it is an improvement, not a regression. */
	{
		json_t *swapped[2] = {docs[1], docs[0]};

		rows = compare_rows(swapped, 2);
		assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "faster");
		assert_true(compare_worst_regression(rows) == 0);
		json_decref(rows);
	}
	json_decref(docs[0]);
	json_decref(docs[1]);
}

static void test_wide_noise_not_flagged(void **state)
{
	/* The same 10% drop in medians, inside repetitions that spread 40%. */
	double a[] = {10.0, 12.0, 8.0}, b[] = {9.0, 11.0, 7.0};
	json_t *docs[2] = {crafted(a, 3, 3), crafted(b, 3, 3)}, *rows;

	(void)state;
	rows = compare_rows(docs, 2);
	assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"),
			    "no significant change");
	assert_true(compare_worst_regression(rows) == 0);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

/* Ten metrics each just under p = 0.05: alone each would be flagged; together, none is. */
static void test_holm_no_false_alarm(void **state)
{
	double a[] = {10.0, 10.2, 9.8}, b[] = {9.5, 9.7, 9.3};
	json_t *docs[2], *rows, *row;
	size_t i;

	(void)state;
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
					json_pack("{s:{s:f}}", "metrics", "tps", (d ? b : a)[r]));
		}
		results_summarize(docs[d]);
	}
	rows = compare_rows(docs, 2);
	assert_int_equal(json_array_size(rows), 10);
	json_array_foreach(rows, i, row) {
		json_t *f = json_array_get(json_object_get(row, "files"), 1);

		assert_true(json_number_value(json_object_get(f, "p_value")) < 0.05);
		assert_true(json_number_value(json_object_get(f, "p_adjusted")) >= 0.05);
		assert_string_equal(json_string_value(json_object_get(f, "verdict")),
				    "no significant change");
	}
	assert_true(compare_worst_regression(rows) == 0);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

static void test_single_rep_not_testable(void **state)
{
	double a[] = {10.0}, b[] = {5.0};
	json_t *docs[2] = {crafted(a, 1, 1), crafted(b, 1, 1)}, *rows;

	(void)state;
	rows = compare_rows(docs, 2);
	assert_string_equal(verdict_of(rows, "tcp_stream", "throughput_bps"), "not testable");
	assert_true(compare_worst_regression(rows) == 0);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
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
	};

	(void)state;
	assert_int_equal(results_load("/nonexistent/x.json", &out, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "No such file"));
	snprintf(bad, sizeof(bad), "%s/not.json", dir);
	write_text(bad, "this is not json\n");
	assert_int_equal(results_load(bad, &out, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "not a JSON document"));
	/* Truncated: half of a real file. */
	text = json_dumps(doc, JSON_INDENT(1));
	len = strlen(text);
	text[len / 2] = '\0';
	snprintf(bad, sizeof(bad), "%s/truncated.json", dir);
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
		else
			json_array_append_new(json_object_get(d, "results"), json_integer(1));
		assert_int_equal(results_write(d, dir, path, sizeof(path)), 0);
		assert_int_equal(results_load(path, &out, why, sizeof(why)), -EPROTO);
		if (!strstr(why, cases[i].reason))
			print_error("%s: got '%s'\n", m, why);
		assert_non_null(strstr(why, cases[i].reason));
		unlink(path);
		json_decref(d);
	}
	json_decref(doc);
}

static void test_check_dir(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(results_check_dir("/proc/nope", why, sizeof(why)) < 0, 1);
	assert_non_null(strstr(why, "/proc/nope"));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_gsl),
		cmocka_unit_test(test_paired_ratio),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tight_regression_flagged),
		cmocka_unit_test(test_wide_noise_not_flagged),
		cmocka_unit_test(test_holm_no_false_alarm),
		cmocka_unit_test(test_single_rep_not_testable),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_check_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
