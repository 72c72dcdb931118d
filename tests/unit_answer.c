// SPDX-License-Identifier: MIT
/*
 * run's answer: each mode against host paired by repetition (vshost.c) and
 * the text that says it (answer.c, tables.c), on documents with a known
 * answer and on the real fixtures.
 */
#include "testlib.h"
#include <errno.h>

#include <math.h>

#include "harness/reports/aggregate.h"
#include "harness/reports/compare.h"
#include "harness/reports/report.h"
#include "harness/reports/results.h"
#include "harness/reports/tables.h"
#include "harness/reports/verdict.h"
#include "harness/reports/vshost.h"

#define FIX_VM "tests/fixtures/vm-6.18.44-fc-v669-20261127T224345Z.json"

/* A repetition of a request/response test: p50, p99, tps and CPU per transaction. */
static json_t *rr_rep(int rep, double p50, double tps)
{
	return json_pack("{s:i, s:{s:f, s:f, s:f, s:f}}", "rep", rep, "metrics", "p50_us", p50,
			 "p99_us", p50 * 2, "tps", tps, "cpu_us_per_trans", p50 / 2);
}

static json_t *stream_rep(int rep, double gbps, double cpu_s_per_gb)
{
	return json_pack("{s:i, s:{s:f, s:f}}", "rep", rep, "metrics", "throughput_bps", gbps * 1e9,
			 "cpu_s_per_gb", cpu_s_per_gb);
}

static json_t *entry(const char *mode, const char *path, const char *test)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:[]}", "mode", mode, "path", path, "test",
			 test, "tasks", 1, "family", "ipv4", "reps");
}

static json_t *reps_of(json_t *e)
{
	return json_object_get(e, "reps");
}

/*
 * host, bridge and bridge-dynamic over 6 repetitions that drift together
 * (the machine's drift, up to 30% from one repetition to the next): bridge
 * adds exactly 2.5 us per round trip (with +/-0.05 us of its own noise) and
 * costs 0.9x host's throughput; bridge-dynamic is bridge again, within 0.5%.
 */
static json_t *known_doc(void)
{
	static const double drift[] = {1.0, 1.3, 0.8, 1.1, 0.9, 1.2};
	static const double own[] = {0.05, -0.05, 0.03, -0.02, 0.0, -0.01};
	json_t *doc = json_pack("{s:{s:[s, s, s], s:[i]}, s:[]}", "config", "modes", "host",
				"bridge", "bridge-dynamic", "tasks", 1, "results");
	const char *modes[] = {"host", "bridge", "bridge-dynamic"};

	for (int m = 0; m < 3; m++) {
		json_t *rr = entry(modes[m], "ingress", "tcp_rr");
		json_t *st = entry(modes[m], "ingress", "tcp_stream");

		for (int r = 0; r < 6; r++) {
			double p50 = 10 * drift[r] + (m ? 2.5 + own[r] : 0) + (m == 2 ? 0.01 : 0);
			double thr = 20 * drift[r] * (m ? 0.9 * (1 + own[r] / 10) : 1);

			json_array_append_new(reps_of(rr), rr_rep(r + 1, p50, 1e6 / p50));
			json_array_append_new(reps_of(st), stream_rep(r + 1, thr, 0.3 * drift[r]));
		}
		json_array_append_new(json_object_get(doc, "results"), rr);
		json_array_append_new(json_object_get(doc, "results"), st);
	}
	results_summarize(doc);
	return doc;
}

static json_t *fig(json_t *doc, const char *mode, const char *test, const char *metric)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "mode")), mode) &&
		    !strcmp(json_string_value(json_object_get(e, "test")), test))
			return json_object_get(
				json_object_get(json_object_get(e, "vs_host"), "metrics"), metric);
	return NULL;
}

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* The difference that transfers: 2.5 us added per round trip, its interval around it. */
static void test_difference_known(void **state)
{
	json_t *doc = known_doc(), *p50, *thr;

	(void)state;
	vshost_annotate(doc, VERDICT_MARGIN_PCT);
	p50 = fig(doc, "bridge", "tcp_rr", "p50_us");
	assert_non_null(p50);
	assert_int_equal(json_integer_value(json_object_get(p50, "n")), 6);
	assert_true(fabs(num(p50, "diff") - 2.5) < 0.01);
	assert_true(num(p50, "diff_low") < 2.5 && num(p50, "diff_high") > 2.5);
	assert_true(num(p50, "diff_high") - num(p50, "diff_low") < 0.2);
	assert_string_equal(json_string_value(json_object_get(p50, "unit")), "us");
	/* The ratio varies with the drift (2.5 us on 8 to 13 us), the difference does not. */
	assert_true(num(p50, "ci95_high") - num(p50, "ci95_low") > 0.05);
	assert_string_equal(json_string_value(json_object_get(p50, "verdict")), "slower");
	/* Throughput: 0.9x with a narrow interval, decided slower. */
	thr = fig(doc, "bridge", "tcp_stream", "throughput_bps");
	assert_true(fabs(num(thr, "ratio") - 0.9) < 0.005);
	assert_true(num(thr, "ci95_low") < 0.9 && num(thr, "ci95_high") > 0.9);
	assert_string_equal(json_string_value(json_object_get(thr, "verdict")), "slower");
	/* CRR time per transaction from tps: the same 2.5 us, as the difference of 1e6/tps. */
	assert_true(fabs(num(fig(doc, "bridge", "tcp_rr", "tps"), "diff") - 2.5) < 0.01);
	/* CPU per GB is host's in every repetition: the same, within the margin. */
	assert_string_equal(json_string_value(json_object_get(
				    fig(doc, "bridge", "tcp_stream", "cpu_s_per_gb"), "verdict")),
			    "unchanged");
	assert_null(fig(doc, "host", "tcp_rr", "p50_us"));
	json_decref(doc);
}

/* bridge-dynamic is bridge's data path: the pair shows no difference; bridge and host differ. */
static void test_alike_pairs(void **state)
{
	json_t *doc = known_doc(), *row;
	size_t i, found = 0;

	(void)state;
	vshost_annotate(doc, VERDICT_MARGIN_PCT);
	json_array_foreach(json_object_get(doc, "alike"), i, row) {
		assert_string_equal(json_string_value(json_object_get(row, "a")), "bridge");
		assert_string_equal(json_string_value(json_object_get(row, "b")), "bridge-dynamic");
		assert_string_equal(json_string_value(json_object_get(row, "verdict")),
				    "unchanged");
		found++;
	}
	assert_int_equal(found, 1);
	json_decref(doc);
}

/* The answer's line for the pair after bridge-dynamic's tcp_rr CPU per transaction times CPU[j]. */
static char *pair_line_with_cpu(const double *cpu)
{
	json_t *doc = known_doc(), *e, *r;
	char *out = NULL, *line, *end;
	size_t len = 0, i, j;
	FILE *f;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		if (strcmp(json_string_value(json_object_get(e, "mode")), "bridge-dynamic") ||
		    strcmp(json_string_value(json_object_get(e, "test")), "tcp_rr"))
			continue;
		json_array_foreach(reps_of(e), j, r) {
			json_t *m = json_object_get(r, "metrics");

			/* The p99 swings from one repetition to the next. */
			json_object_set_new(m, "p99_us",
					    json_real(num(m, "p99_us") * (j % 2 ? 1.6 : 0.6)));
			json_object_set_new(m, "cpu_us_per_trans",
					    json_real(num(m, "cpu_us_per_trans") * cpu[j]));
		}
	}
	results_summarize(doc);
	vshost_annotate(doc, VERDICT_MARGIN_PCT);
	f = open_memstream(&out, &len);
	table_run(doc, f);
	fclose(f);
	json_decref(doc);
	line = strstr(out, "    bridge and bridge-dynamic:");
	if (!line)
		fail_msg("%s", out);
	end = strchr(line, '\n');
	line = strndup(line, end ? (size_t)(end - line) : strlen(line));
	free(out);
	return line;
}

/*
 * bridge-dynamic's p99 swings from one repetition to the next while every
 * other figure of the answer's is bridge's: the pair is not "no difference"
 * as a whole, and the answer says metric by metric what is the same and
 * what is open, and names the ratios it does not show that are not the
 * same, each as what it is (not settled, or different with its ratio).
 */
static void test_alike_by_metric(void **state)
{
	static const double same[] = {1, 1, 1, 1, 1, 1}, swing[] = {1.5, 0.7, 1.5, 0.7, 1.5, 0.7},
			    more[] = {1.5, 1.5, 1.5, 1.5, 1.5, 1.5};
	char *line;

	(void)state;
	line = pair_line_with_cpu(same);
	assert_string_equal(line, "    bridge and bridge-dynamic: no difference beyond +/-5% in "
				  "Gbit/s, CPU s/GB, RR p50; not settled: RR p99");
	free(line);
	line = pair_line_with_cpu(swing);
	assert_string_equal(line, "    bridge and bridge-dynamic: no difference beyond +/-5% in "
				  "Gbit/s, CPU s/GB, RR p50; not settled: RR p99; other ratios "
				  "not settled: RR CPU us/trans");
	free(line);
	/* A difference only in a ratio the answer does not show: named, with its ratio. */
	line = pair_line_with_cpu(more);
	assert_string_equal(line, "    bridge and bridge-dynamic: differ (bridge-dynamic/bridge) "
				  "in RR CPU us/trans 1.50x [1.50, 1.50]; no difference beyond "
				  "+/-5% in Gbit/s, CPU s/GB, RR p50; not settled: RR p99");
	free(line);
}

/* The row of ALIKE for modes A and B. */
static json_t *alike_row(json_t *doc, const char *a, const char *b)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(doc, "alike"), i, row)
		if (!strcmp(json_string_value(json_object_get(row, "a")), a) &&
		    !strcmp(json_string_value(json_object_get(row, "b")), b))
			return row;
	return NULL;
}

/*
 * Each pair of modes is a family of its own. bridge-dynamic is bridge in
 * every figure but its p99, 1.08x bridge's with a spread that leaves its
 * p-value near 0.02: alone among its pair's six ratios (the rest exactly 1)
 * that is not a discovery at 5% (BH's first bar, 0.05 / 6). awsvpc differs
 * from both by half on every metric: twelve discoveries which, pooled with
 * the pair's six, would lift the bar to 13/18 x 0.05 and call bridge and
 * bridge-dynamic different.
 */
static void test_alike_family_per_pair(void **state)
{
	static const double drift[] = {1.0, 1.3, 0.8, 1.1, 0.9, 1.2};
	static const double own[] = {0.05, -0.05, 0.03, -0.02, 0.0, -0.01};
	const char *modes[] = {"host", "bridge", "bridge-dynamic", "awsvpc"};
	json_t *doc = json_pack("{s:{s:[s, s, s, s], s:[i]}, s:[]}", "config", "modes", modes[0],
				modes[1], modes[2], modes[3], "tasks", 1, "results"),
	       *p99;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	for (int m = 0; m < 4; m++) {
		json_t *rr = entry(modes[m], "ingress", "tcp_rr");
		json_t *st = entry(modes[m], "ingress", "tcp_stream");

		for (int r = 0; r < 6; r++) {
			double k = m == 3 ? 0.5 * (1 + own[r]) : 1, p50 = 12 * drift[r] * k;
			json_t *rep = rr_rep(r + 1, p50, 1e6 / p50);

			if (m == 2)
				json_object_set_new(
					json_object_get(rep, "metrics"), "p99_us",
					json_real(2 * p50 * 1.08 * exp(r % 2 ? -0.05 : 0.05)));
			json_array_append_new(reps_of(rr), rep);
			json_array_append_new(reps_of(st), stream_rep(r + 1, 20 * drift[r] / k,
								      0.3 * drift[r] * k));
		}
		json_array_append_new(json_object_get(doc, "results"), rr);
		json_array_append_new(json_object_get(doc, "results"), st);
	}
	results_summarize(doc);
	vshost_annotate(doc, VERDICT_MARGIN_PCT);
	p99 = json_object_get(
		json_object_get(
			json_object_get(alike_row(doc, "bridge", "bridge-dynamic"), "tests"),
			"ingress/ipv4/tcp_rr/1"),
		"p99_us");
	assert_non_null(p99);
	/* Between the pair's own bar and the pooled one: the case this test is about. */
	assert_true(num(p99, "p_value") > 0.05 / 6 && num(p99, "p_value") < 0.05 * 13 / 18);
	assert_true(num(p99, "ci95_low") > 1.0);
	assert_string_equal(json_string_value(json_object_get(p99, "verdict")), "inconclusive");
	assert_string_equal(json_string_value(json_object_get(
				    alike_row(doc, "bridge", "bridge-dynamic"), "verdict")),
			    "inconclusive");
	assert_string_equal(
		json_string_value(json_object_get(alike_row(doc, "bridge", "awsvpc"), "verdict")),
		"different");
	assert_string_equal(json_string_value(json_object_get(
				    alike_row(doc, "bridge-dynamic", "awsvpc"), "verdict")),
			    "different");
	/* The answer names what differs, B against A, with its interval. */
	f = open_memstream(&out, &len);
	table_run(doc, f);
	fclose(f);
	if (!strstr(out, "bridge and awsvpc: differ (awsvpc/bridge) in Gbit/s 2.0") ||
	    !strstr(out, "bridge and bridge-dynamic: no difference beyond +/-5% in Gbit/s"))
		fail_msg("%s", out);
	free(out);
	json_decref(doc);
}

static const char *verdict_of(json_t *o)
{
	return json_string_value(json_object_get(o, "verdict")) ?: "(none)";
}

/*
 * Two modes differ only beyond the margin. bridge-dynamic's p50 is
 * bridge's times 1.04 (times 1.0 and 1.02 in turn: 1.050x [1.039, 1.062],
 * an interval that excludes 1 and reaches inside 5%), its stream 1.10x
 * bridge's: the p50 is not settled, though the same figure against host
 * reads "slower"; the stream differs, and so does the pair. Host's own
 * figures are bridge's, so bridge-dynamic against host is the same test.
 */
static void test_alike_beyond_margin(void **state)
{
	static const double drift[] = {1.0, 1.3, 0.8, 1.1, 0.9, 1.2};
	const char *modes[] = {"host", "bridge", "bridge-dynamic"};
	json_t *doc = json_pack("{s:{s:[s, s, s], s:[i]}, s:[]}", "config", "modes", modes[0],
				modes[1], modes[2], "tasks", 1, "results"),
	       *t;

	(void)state;
	for (int m = 0; m < 3; m++) {
		json_t *rr = entry(modes[m], "ingress", "tcp_rr");
		json_t *st = entry(modes[m], "ingress", "tcp_stream");

		for (int r = 0; r < 6; r++) {
			double k = m == 2 ? 1.04 * (r % 2 ? 1.02 : 1.0) : 1,
			       p50 = 12 * drift[r] * k;

			json_array_append_new(reps_of(rr),
					      rr_rep(r + 1, p50, 1e6 / (12 * drift[r])));
			json_array_append_new(reps_of(st),
					      stream_rep(r + 1, 20 * drift[r] * (m == 2 ? 1.10 : 1),
							 0.3 * drift[r]));
		}
		json_array_append_new(json_object_get(doc, "results"), rr);
		json_array_append_new(json_object_get(doc, "results"), st);
	}
	results_summarize(doc);
	vshost_annotate(doc, VERDICT_MARGIN_PCT);
	t = json_object_get(json_object_get(alike_row(doc, "bridge", "bridge-dynamic"), "tests"),
			    "ingress/ipv4/tcp_rr/1");
	assert_true(num(json_object_get(t, "p50_us"), "ci95_low") > 1.0);
	assert_true(num(json_object_get(t, "p50_us"), "ci95_low") < 1.05 &&
		    num(json_object_get(t, "p50_us"), "ci95_high") > 1.05);
	assert_string_equal(verdict_of(json_object_get(t, "p50_us")), "inconclusive");
	/* Against host, one family of ratios to a reference: the same figure is a finding. */
	assert_string_equal(verdict_of(fig(doc, "bridge-dynamic", "tcp_rr", "p50_us")), "slower");
	t = json_object_get(json_object_get(alike_row(doc, "bridge", "bridge-dynamic"), "tests"),
			    "ingress/ipv4/tcp_stream/1");
	assert_string_equal(verdict_of(json_object_get(t, "throughput_bps")), "faster");
	assert_string_equal(verdict_of(alike_row(doc, "bridge", "bridge-dynamic")), "different");
	json_decref(doc);
}

/* Two repetitions that disagree wildly: nothing is decided, and the text says "not settled". */
static void test_unsettled_says_so(void **state)
{
	json_t *doc = json_pack("{s:{s:[s, s], s:[i]}, s:[]}", "config", "modes", "host", "awsvpc",
				"tasks", 1, "results");
	json_t *h = entry("host", "ingress", "tcp_rr"), *a = entry("awsvpc", "ingress", "tcp_rr");
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	json_array_append_new(reps_of(h), rr_rep(1, 10, 1e5));
	json_array_append_new(reps_of(h), rr_rep(2, 10, 1e5));
	json_array_append_new(reps_of(a), rr_rep(1, 8, 1.25e5));
	json_array_append_new(reps_of(a), rr_rep(2, 12, 0.8e5));
	json_array_append_new(json_object_get(doc, "results"), h);
	json_array_append_new(json_object_get(doc, "results"), a);
	results_summarize(doc);
	vshost_annotate(doc, VERDICT_MARGIN_PCT);
	assert_string_equal(json_string_value(json_object_get(
				    fig(doc, "awsvpc", "tcp_rr", "p50_us"), "verdict")),
			    "inconclusive");
	f = open_memstream(&out, &len);
	table_run(doc, f);
	fclose(f);
	assert_non_null(strstr(out, "awsvpc: not settled: RR p50, RR p99\n"));
	/* And what would settle it. */
	assert_non_null(strstr(out, "more repetitions (--reps 10, or --target 3)"));
	assert_null(strstr(out, "awsvpc: no difference"));
	free(out);
	json_decref(doc);
}

/*
 * The real 2-vCPU fixture (3 repetitions, written before the answers): the
 * table is computed on a copy and the file is left as it was; a table per
 * path; every ratio printed carries its interval.
 */
static void test_fixture_table(void **state)
{
	json_t *doc = json_load_file(FIX_VM, 0, NULL), *before;
	char *out = NULL, *line, *save = NULL;
	size_t len = 0, ratios = 0;
	FILE *f;

	(void)state;
	assert_non_null(doc);
	before = json_deep_copy(doc);
	f = open_memstream(&out, &len);
	table_run(doc, f);
	fclose(f);
	assert_true(json_equal(doc, before));
	if (getenv("NSBENCH_TEST_PRINT"))
		fputs(out, stderr);
	assert_non_null(strstr(out, "\npath ingress, IPv4\n"));
	assert_non_null(strstr(out, "\npath loopback, IPv4\n"));
	assert_non_null(strstr(out, "\nAnswer: "));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *x = strstr(line, "x [");

		/* "1.27x [1.20, 1.35]": every ratio with an interval (or one repetition's). */
		for (char *p = line; (p = strstr(p, "x ")); p++)
			if (p > line && p[-1] >= '0' && p[-1] <= '9')
				assert_true(!strncmp(p, "x [", 3) || !strncmp(p, "x (1 rep)", 9));
		ratios += x != NULL;
	}
	assert_true(ratios > 10);
	free(out);
	json_decref(before);
	json_decref(doc);
}

/* report: ratios of one repetition are drawn pale and dashed, saying so; of three, with bars. */
static void test_report_single_rep(void **state)
{
	json_t *one = json_load_file(FIX_VM, 0, NULL), *e;
	json_t *three = json_load_file(FIX_VM, 0, NULL);
	const char *names[] = {"one.json"};
	char *out = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	assert_non_null(one);
	/* Keep each entry's first repetition only. */
	json_array_foreach(json_object_get(one, "results"), i, e) {
		json_array_remove(json_object_get(e, "reps"), 2);
		json_array_remove(json_object_get(e, "reps"), 1);
	}
	f = open_memstream(&out, &len);
	assert_int_equal(report_write(f, &one, names, 1, NULL, NULL, 0), 0);
	fclose(f);
	assert_non_null(strstr(out, "class=\"bar single\""));
	assert_non_null(strstr(out, "(one repetition: no interval)"));
	assert_null(strstr(out, "class=\"ci\""));
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(report_write(f, &three, names, 1, NULL, NULL, 0), 0);
	fclose(f);
	assert_null(strstr(out, "class=\"bar single\""));
	assert_non_null(strstr(out, "class=\"ci\""));
	free(out);
	json_decref(one);
	json_decref(three);
}

/* report: a file measured over IPv6 too gets charts of its IPv6 entries (it drew IPv4 only). */
static void test_report_ipv6(void **state)
{
	json_t *doc = json_load_file(FIX_VM, 0, NULL), *e, *copy;
	json_t *results;
	const char *names[] = {"dual.json"};
	char *out = NULL;
	size_t len = 0, i, n;
	FILE *f;

	(void)state;
	assert_non_null(doc);
	results = json_object_get(doc, "results");
	n = json_array_size(results);
	for (i = 0; i < n; i++) {
		e = json_array_get(results, i);
		if (strcmp(json_string_value(json_object_get(e, "mode")), "host") &&
		    strcmp(json_string_value(json_object_get(e, "mode")), "awsvpc"))
			continue;
		copy = json_deep_copy(e);
		json_object_set_new(copy, "family", json_string("ipv6"));
		json_array_append_new(results, copy);
	}
	f = open_memstream(&out, &len);
	assert_int_equal(report_write(f, &doc, names, 1, NULL, NULL, 0), 0);
	fclose(f);
	assert_non_null(strstr(out, "data-family=\"ipv6\""));
	assert_non_null(strstr(out, "TCP throughput, ratio to host mode (IPv6)</h3>"));
	free(out);
	json_decref(doc);
}

/*
 * Under duet host has a repetition beside each mode per round ("partner"):
 * each mode is set against the host repetition measured beside it.
 */
static void test_duet_partner_pairing(void **state)
{
	json_t *doc = json_pack("{s:{s:[s, s, s], s:[i]}, s:[]}", "config", "modes", "host",
				"awsvpc", "bridge", "tasks", 1, "results");
	json_t *h = entry("host", "ingress", "tcp_rr"), *a = entry("awsvpc", "ingress", "tcp_rr");
	json_t *b = entry("bridge", "ingress", "tcp_rr"), *p50;

	(void)state;
	for (int r = 1; r <= 4; r++) {
		json_t *ha = rr_rep(r, 10 * r, 1e5), *hb = rr_rep(r, 20 * r, 1e5);

		/* host beside awsvpc at 10r us, beside bridge at 20r us (another CPU, say). */
		json_object_set_new(ha, "partner", json_string("awsvpc"));
		json_object_set_new(hb, "partner", json_string("bridge"));
		json_array_append_new(reps_of(h), ha);
		json_array_append_new(reps_of(h), hb);
		json_t *ar = rr_rep(r, 10 * r + 1, 1e5),
		       *br = rr_rep(r, 20 * r + 3 + (r % 2) * 0.01, 1e5);

		/* As run records them: every mode's repetition names host beside it. */
		json_object_set_new(ar, "partner", json_string("host"));
		json_object_set_new(br, "partner", json_string("host"));
		json_array_append_new(reps_of(a), ar);
		json_array_append_new(reps_of(b), br);
	}
	json_array_append_new(json_object_get(doc, "results"), h);
	json_array_append_new(json_object_get(doc, "results"), a);
	json_array_append_new(json_object_get(doc, "results"), b);
	results_summarize(doc);
	vshost_annotate(doc, VERDICT_MARGIN_PCT);
	p50 = fig(doc, "awsvpc", "tcp_rr", "p50_us");
	assert_int_equal(json_integer_value(json_object_get(p50, "n")), 4);
	assert_true(fabs(num(p50, "diff") - 1.0) < 1e-9);
	p50 = fig(doc, "bridge", "tcp_rr", "p50_us");
	assert_true(fabs(num(p50, "diff") - 3.005) < 1e-9);
	/* Two modes other than host are set against each other by round, partners aside. */
	{
		json_t *row = json_array_get(json_object_get(doc, "alike"), 0), *t;

		assert_non_null(row);
		t = json_object_get(json_object_get(row, "tests"), "ingress/ipv4/tcp_rr/1");
		assert_int_equal(
			json_integer_value(json_object_get(json_object_get(t, "p50_us"), "n")), 4);
	}
	/* The per-repetition ratios too. */
	aggregate_host_ratios(doc);
	assert_true(fabs(json_number_value(json_object_get(
				 json_object_get(json_array_get(reps_of(b), 0), "metrics"),
				 "p50_vs_host")) -
			 23.01 / 20) < 1e-9);
	json_decref(doc);
}

/*
 * What bridge adds per round trip, compared between two files as B - A in
 * microseconds: bridge adds 2.5 us in A; in B everything is 20% slower and
 * bridge 1 us more on top (1.2 x 2.5 + 1 = 4.0 us): +1.5 us.
 */
static void test_compare_differences(void **state)
{
	json_t *docs[2] = {known_doc(), known_doc()}, *rows, *row, *e, *rep;
	struct compare_opts o;
	size_t i, j, found = 0;

	(void)state;
	json_array_foreach(json_object_get(docs[1], "results"), i, e) {
		bool bridge = !strcmp(json_string_value(json_object_get(e, "mode")), "bridge");

		json_array_foreach(reps_of(e), j, rep) {
			json_t *m = json_object_get(rep, "metrics");
			json_t *p = json_object_get(m, "p50_us");

			/* B: host 20% slower everywhere, bridge adding 1 us more on top. */
			if (p)
				json_real_set(p, json_number_value(p) * 1.2 + (bridge ? 1.0 : 0));
		}
	}
	for (i = 0; i < 2; i++) {
		aggregate_host_ratios(docs[i]);
		results_summarize(docs[i]);
	}
	compare_opts_default(&o);
	rows = compare_rows(docs, 2, &o);
	json_array_foreach(rows, i, row) {
		json_t *f = json_array_get(json_object_get(row, "files"), 1);

		if (strcmp(json_string_value(json_object_get(row, "metric")),
			   "p50_minus_host_us") ||
		    strcmp(json_string_value(json_object_get(row, "mode")), "bridge"))
			continue;
		found++;
		assert_string_equal(json_string_value(json_object_get(row, "compared_as")),
				    "difference");
		assert_true(fabs(num(f, "diff") - 1.5) < 0.05);
		assert_true(num(f, "diff_low") < 1.5 && num(f, "diff_high") > 1.5);
	}
	assert_int_equal(found, 1);
	json_decref(rows);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

/* The paired difference: mean of b - a, its t interval; fewer than 2 pairs refused. */
static void test_paired_difference(void **state)
{
	const double a[] = {10, 20, 30, 40}, b[] = {12, 22.5, 31.5, 42};
	struct effect e;
	double lo, hi;

	(void)state;
	assert_int_equal(effect_paired_difference(a, b, 4, &e), 0);
	assert_true(fabs(e.d - 2.0) < 1e-12);
	/* differences 2, 2.5, 1.5, 2: sd 0.408, se 0.204, t(3) 3.182 */
	effect_difference_interval(&e, 0.05, &lo, &hi);
	assert_true(fabs(hi - 2.0 - 3.182446 * 0.2041241) < 1e-4);
	assert_true(fabs((hi + lo) / 2 - 2.0) < 1e-12);
	assert_int_equal(effect_paired_difference(a, b, 1, &e), -EINVAL);
	{
		const double c[] = {1, NAN};

		assert_int_equal(effect_paired_difference(a, c, 2, &e), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paired_difference),
		cmocka_unit_test(test_difference_known),
		cmocka_unit_test(test_alike_pairs),
		cmocka_unit_test(test_alike_by_metric),
		cmocka_unit_test(test_alike_family_per_pair),
		cmocka_unit_test(test_alike_beyond_margin),
		cmocka_unit_test(test_unsettled_says_so),
		cmocka_unit_test(test_fixture_table),
		cmocka_unit_test(test_report_single_rep),
		cmocka_unit_test(test_report_ipv6),
		cmocka_unit_test(test_duet_partner_pairing),
		cmocka_unit_test(test_compare_differences),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
