// SPDX-License-Identifier: MIT
/*
 * measure's detail on request (root): the figures per interval, the latency
 * histogram and every latency in a file agree with each other and with the
 * measurement (the intervals' transactions sum to its transactions, the
 * histogram's counts and the file's lines to its samples, the file's median
 * is its p50); libiperf's intervals carry what the receiver got; progress
 * shows on a terminal only; what does not apply is refused.
 */
#include "testlib.h"
#include <math.h>

#include "harness/lab/clean.h"

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static long long integer(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The latencies of FILE (us, one a line); *N gets how many. */
static double *read_samples(const char *path, size_t *n)
{
	FILE *f = fopen(path, "re");
	size_t cap = 1024;
	double *v = malloc(cap * sizeof(*v)), x;

	assert_non_null(f);
	*n = 0;
	while (fscanf(f, "%lf", &x) == 1) {
		if (*n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		v[(*n)++] = x;
	}
	assert_true(feof(f));
	fclose(f);
	return v;
}

static void test_rr_detail_agrees(void **state)
{
	size_t before = clean_count_leftovers(), n, i;
	json_t *doc, *iv, *b, *m;
	long long trans = 0, counted = 0;
	char path[300], *out;
	double *v;

	(void)state;
	SKIP_UNLESS_ROOT();
	snprintf(path, sizeof(path), "%s/latencies.txt", tl_dir);
	out = tl_run(0,
		     NSB " measure host tcp_rr --duration 2 --interval 1 --histogram --samples %s "
			 "--json 2>/dev/null",
		     path);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	m = json_object_get(doc, "metrics");
	/* Two intervals of a second; their transactions are the measurement's. */
	assert_int_equal(json_array_size(json_object_get(doc, "intervals")), 2);
	json_array_foreach(json_object_get(doc, "intervals"), i, iv) {
		trans += integer(iv, "transactions");
		assert_true(num(iv, "start_s") == (double)i && num(iv, "end_s") == (double)i + 1);
		assert_true(num(iv, "p50_us") <= num(iv, "p99_us") &&
			    num(iv, "p99_us") <= num(iv, "max_us"));
		assert_true(num(iv, "max_us") <= num(m, "max_us"));
	}
	assert_int_equal(trans, integer(m, "transactions"));
	/* The histogram's counts sum to the samples, which are every transaction here. */
	json_array_foreach(json_object_get(json_object_get(doc, "histogram"), "buckets"), i, b)
		counted += integer(b, "count");
	assert_int_equal(counted, integer(json_object_get(doc, "histogram"), "samples"));
	assert_int_equal(counted, integer(json_object_get(json_object_get(doc, "rr"), "latency_us"),
					  "samples"));
	assert_int_equal(counted, integer(m, "transactions"));
	/* The file: one line per sample, its median the p50, its extremes min and max. */
	assert_int_equal(integer(json_object_get(doc, "samples_file"), "samples"), counted);
	assert_null(json_object_get(doc, "samples_ns"));
	v = read_samples(path, &n);
	assert_int_equal((long long)n, counted);
	qsort(v, n, sizeof(*v), cmp_double);
	assert_true(fabs(v[(size_t)ceil(n * 0.5) - 1] - num(m, "p50_us")) < 0.0005);
	assert_true(fabs(v[0] - num(m, "min_us")) < 0.0005);
	assert_true(fabs(v[n - 1] - num(m, "max_us")) < 0.0005);
	free(v);
	json_decref(doc);
	free(out);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

/* As text: the intervals' table and the histogram, whose counts sum to what its footer says. */
static void test_rr_detail_text(void **state)
{
	long long sum = 0, total = -1, c;
	char *out, *line, *save = NULL;
	double lo, hi;
	int rows = 0;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(0, NSB " measure host udp_rr --duration 1 --interval 1 --histogram "
			    "2>/dev/null");
	assert_non_null(strstr(out, "interval          trans/s    p50 us    p99 us    max us\n"
				    "0.0-1.0 s  "));
	assert_non_null(strstr(out, "latency us                 count       %   cum %\n"));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%lf - %lf %lld", &lo, &hi, &c) == 3) {
			assert_true(lo < hi);
			sum += c;
			rows++;
		}
		sscanf(line, "%lld latencies in", &total);
	}
	assert_true(rows > 0);
	assert_int_equal(sum, total);
	free(out);
}

/* libiperf's intervals: the receiver's bytes, the warm-up left out, every second of the test. */
static void test_stream_intervals(void **state)
{
	long long bytes = 0;
	double lo, hi, gbps;
	json_t *doc, *iv;
	char *out, *p;
	int rows = 0;
	size_t i;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(0, NSB " measure host tcp_stream --duration 2 --interval 1 --json "
			    "2>/dev/null");
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	if (json_array_size(json_object_get(doc, "intervals")) != 2) {
		char *s = json_dumps(json_object_get(json_object_get(json_object_get(doc, "iperf"),
								     "server_output_json"),
						     "intervals"),
				     JSON_COMPACT);

		print_error("iperf's reports: %s\n", s);
		free(s);
	}
	assert_int_equal(json_array_size(json_object_get(doc, "intervals")), 2);
	json_array_foreach(json_object_get(doc, "intervals"), i, iv) {
		bytes += integer(iv, "bytes");
		assert_true(num(iv, "throughput_bps") > 0);
	}
	assert_int_equal(
		bytes,
		integer(json_object_get(
				json_object_get(json_object_get(json_object_get(doc, "iperf"),
								"server_output_json"),
						"end"),
				"sum_received"),
			"bytes"));
	json_decref(doc);
	free(out);
	out = tl_run(0, NSB " measure host tcp_stream --duration 2 --interval 1 2>/dev/null");
	/* Two rows under the header; their edges are iperf's clock, which drifts when loaded. */
	p = strstr(out, "interval           Gbit/s\n");
	assert_non_null(p);
	for (p = strchr(p, '\n'); p && sscanf(p + 1, "%lf-%lf s %lf", &lo, &hi, &gbps) == 3;
	     p = strchr(p + 1, '\n')) {
		assert_true(lo < hi && gbps > 0);
		rows++;
	}
	assert_int_equal(rows, 2);
	free(out);
}

/*
 * On a terminal, how far the measurement has come, rewritten in place and
 * erased before the result; on a file, nothing. The result itself is the same.
 */
static void test_progress_on_a_terminal(void **state)
{
	char *text, *first, *result;

	(void)state;
	SKIP_UNLESS_ROOT();
	if (system("command -v script >/dev/null 2>&1")) {
		print_message("SKIP: script(1) (bsdutils) is needed for a terminal\n");
		skip();
	}
	text = tl_run(0,
		      "script -qec '" NSB " measure host tcp_rr --duration 2' %s/typescript "
		      ">/dev/null && cat %s/typescript",
		      tl_dir, tl_dir);
	/* At once (0 s): no wait for a tick; the total is the warm-up and the duration. */
	first = strstr(text, "\r\033[Khost ingress tcp_rr: 0 s of 3  00:03 left");
	result = strstr(text, "\r\033[Khost ingress tcp_rr (cpu same ");
	if (!first || !result)
		print_error("typescript: %s\n", text);
	assert_true(first && result && first < result);
	free(text);
	/* Not a terminal: stderr says nothing of it. */
	text = tl_run(0, NSB " measure host tcp_rr --duration 0.5 2>&1 >/dev/null");
	assert_string_equal(text, "");
	free(text);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"measure host tcp_stream --histogram",
		"measure host udp --samples x.txt",
		"measure host udp_rr --hot-path --interval 1",
		"measure host udp_rr --hot-path --histogram",
		"measure host tcp_rr --interval 0",
		"measure host tcp_rr --interval 0.5",
		"measure host tcp_rr --samples /nonexistent/folder/x.txt",
	};
	char cmd[300], *out;
	int st;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), NSB " %s 2>&1", bad[i]);
		out = tl_capture(cmd, &st);
		if (st != 2)
			print_error("'%s' exited %d: %s\n", bad[i], st, out);
		assert_int_equal(st, 2);
		assert_true(strncmp(out, "nsbench: error: ", 16) == 0);
		free(out);
	}
	out = tl_capture(NSB " measure host tcp_stream --histogram 2>&1", &st);
	assert_non_null(strstr(out, "--histogram applies to the request/response tests"));
	free(out);
	out = tl_capture(NSB " measure host tcp_rr --samples /nonexistent/folder/x.txt 2>&1", &st);
	assert_non_null(strstr(out, "cannot create a file in /nonexistent/folder: No such file or "
				    "directory"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_rr_detail_agrees),
		cmocka_unit_test(test_rr_detail_text),
		cmocka_unit_test(test_stream_intervals),
		cmocka_unit_test(test_progress_on_a_terminal),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group_tmpdir, tl_teardown_group_tmpdir);
}
