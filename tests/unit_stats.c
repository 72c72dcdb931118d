// SPDX-License-Identifier: MIT
/* Percentiles and summaries against hand-computed values; option validation. */
#include "testlib.h"
#include <errno.h>
#include <math.h>

#include "bench/measurement.h"
#include "bench/stats.h"
#include "harness/common/parse.h"

static void test_percentile_nearest_rank(void **state)
{
	/* 1..10: nearest rank p -> ceil(p/100 * 10)-th smallest. */
	uint32_t v[10] = {7, 3, 10, 1, 9, 2, 8, 4, 6, 5};
	struct stats_summary s;

	(void)state;
	stats_summarize(v, 10, &s);
	for (int i = 0; i < 10; i++)
		assert_int_equal(v[i], i + 1);
	assert_true(s.p50 == 5);   /* ceil(5.0) = 5th */
	assert_true(s.p90 == 9);   /* ceil(9.0) = 9th */
	assert_true(s.p99 == 10);  /* ceil(9.9) = 10th */
	assert_true(s.p999 == 10); /* ceil(9.99) = 10th */
	assert_true(s.min == 1 && s.max == 10);
	assert_true(fabs(s.mean - 5.5) < 1e-12);
	/* Sample standard deviation of 1..10: sqrt(82.5 / 9). */
	assert_true(fabs(s.stddev - sqrt(82.5 / 9.0)) < 1e-12);
	assert_true(stats_percentile(v, 10, 10) == 1);
	assert_true(stats_percentile(v, 10, 11) == 2);
	assert_true(stats_percentile(v, 10, 0) == 1);
	assert_true(stats_percentile(v, 10, 100) == 10);
}

static void test_percentile_tail(void **state)
{
	/* 1000 samples, one outlier: p99.9 is the 999th value, max the outlier. */
	uint32_t *v = malloc(1000 * sizeof(*v));
	struct stats_summary s;

	(void)state;
	for (int i = 0; i < 1000; i++)
		v[i] = 1000 + (uint32_t)i;
	v[500] = 4000000000u;
	stats_summarize(v, 1000, &s);
	/* Sorted: 1000..1499, 1501..1999, 4e9. */
	assert_true(s.p50 == 1499);  /* 500th */
	assert_true(s.p90 == 1900);  /* 900th: 1000 + 899 + 1 */
	assert_true(s.p99 == 1990);  /* 990th */
	assert_true(s.p999 == 1999); /* 999th */
	assert_true(s.max == 4000000000.0);
	assert_true(s.min == 1000);
	free(v);
}

static void test_summary_edge_cases(void **state)
{
	uint32_t one = 42, same[5] = {7, 7, 7, 7, 7};
	struct stats_summary s;

	(void)state;
	stats_summarize(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_true(s.p50 == 0 && s.max == 0);
	stats_summarize(&one, 1, &s);
	assert_true(s.p50 == 42 && s.p999 == 42 && s.stddev == 0);
	stats_summarize(same, 5, &s);
	assert_true(s.min == 7 && s.max == 7 && s.stddev == 0);
}

static void test_sort_large(void **state)
{
	size_t n = 200000;
	uint32_t *v = malloc(n * sizeof(*v)), x = 12345;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		v[i] = x;
	}
	stats_sort(v, n);
	for (size_t i = 1; i < n; i++)
		assert_true(v[i - 1] <= v[i]);
	free(v);
}

static void test_rr_opts(void **state)
{
	struct rr_opts o;
	char why[160];

	(void)state;
	rr_opts_default(&o, RR_TCP);
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), 0);
	o.req_size = 0;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "sizes"));
	rr_opts_default(&o, RR_UDP);
	o.resp_size = 4;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	o.resp_size = 8;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), 0);
	o.req_size = RR_MAX_MSG + 1;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	/* tcp_rr alone takes bulk requests, untraced; its responses stay small. */
	rr_opts_default(&o, RR_TCP);
	o.req_size = RR_MAX_BULK;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), 0);
	o.trace = true;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "traced"));
	o.trace = false;
	o.req_size = RR_MAX_BULK + 1;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	o.req_size = 64;
	o.resp_size = RR_MAX_MSG + 1;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	o.resp_size = 64;
	o.window = -1;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "window"));
	rr_opts_default(&o, RR_TCP_CRR);
	o.req_size = RR_MAX_MSG + 1;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	rr_opts_default(&o, RR_TCP_CRR);
	o.duration_s = 0;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "duration"));
	o.duration_s = NAN;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	o.duration_s = 1;
	o.timeout_ms = 0;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
	o.timeout_ms = 10;
	o.warmup_s = -1;
	assert_int_equal(rr_opts_check(&o, why, sizeof(why)), -EINVAL);
}

static void test_stream_opts(void **state)
{
	struct stream_opts o;
	char why[160];

	(void)state;
	stream_opts_default(&o);
	assert_int_equal(stream_opts_check(&o, why, sizeof(why)), 0);
	o.streams = 0;
	assert_int_equal(stream_opts_check(&o, why, sizeof(why)), -EINVAL);
	o.streams = 129;
	assert_int_equal(stream_opts_check(&o, why, sizeof(why)), -EINVAL);
	o.streams = 4;
	o.duration_s = 0;
	assert_int_equal(stream_opts_check(&o, why, sizeof(why)), -EINVAL);
	o.duration_s = 2;
	o.udp = true;
	o.rate_bps = 10;
	assert_int_equal(stream_opts_check(&o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "rate"));
	o.rate_bps = 100000000;
	o.blksize = 65508;
	assert_int_equal(stream_opts_check(&o, why, sizeof(why)), -EINVAL);
	o.blksize = 1448;
	assert_int_equal(stream_opts_check(&o, why, sizeof(why)), 0);
	o.window = 512;
	assert_int_equal(stream_opts_check(&o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "socket buffer"));
	o.window = 2 << 20;
	assert_int_equal(stream_opts_check(&o, why, sizeof(why)), 0);
}

static void test_parse_rate_seconds(void **state)
{
	uint64_t r;
	unsigned long b;
	double s;

	(void)state;
	assert_int_equal(parse_rate("1G", &r), 0);
	assert_true(r == 1000000000ull);
	assert_int_equal(parse_rate("250M", &r), 0);
	assert_true(r == 250000000ull);
	assert_int_equal(parse_rate("1.5k", &r), 0);
	assert_true(r == 1500);
	assert_int_equal(parse_rate("100", &r), 0);
	assert_true(r == 100);
	assert_int_equal(parse_rate("1T", &r), -EINVAL);
	assert_int_equal(parse_rate("-1M", &r), -EINVAL);
	assert_int_equal(parse_rate("M", &r), -EINVAL);
	assert_int_equal(parse_rate("0", &r), -EINVAL);
	assert_int_equal(parse_bytes("2M", 1024, 1ul << 29, &b), 0);
	assert_true(b == 2097152);
	assert_int_equal(parse_bytes("256k", 1024, 1ul << 29, &b), 0);
	assert_true(b == 262144);
	assert_int_equal(parse_bytes("4096", 1024, 1ul << 29, &b), 0);
	assert_true(b == 4096);
	assert_int_equal(parse_bytes("1G", 1024, 1ul << 29, &b), -ERANGE);
	assert_int_equal(parse_bytes("100", 1024, 1ul << 29, &b), -ERANGE);
	assert_int_equal(parse_bytes("2MB", 1024, 1ul << 29, &b), -EINVAL);
	assert_int_equal(parse_bytes("1.5M", 1024, 1ul << 29, &b), -EINVAL);
	assert_int_equal(parse_bytes("-1", 1024, 1ul << 29, &b), -EINVAL);
	assert_int_equal(parse_bytes("99999999999999999999M", 1024, 1ul << 29, &b), -EINVAL);
	assert_int_equal(parse_seconds("0.5", 0.01, 10, &s), 0);
	assert_true(s == 0.5);
	assert_int_equal(parse_seconds("11", 0.01, 10, &s), -ERANGE);
	assert_int_equal(parse_seconds("nan", 0.01, 10, &s), -EINVAL);
	assert_int_equal(parse_seconds("1s", 0.01, 10, &s), -EINVAL);
	assert_int_equal(parse_seconds("-1", 0, 10, &s), -EINVAL);
}

static void test_names(void **state)
{
	enum bench_test t;
	enum bench_placement p;

	(void)state;
	for (int i = 0; i < TEST_COUNT; i++) {
		assert_int_equal(bench_test_parse(bench_test_name((enum bench_test)i), &t), 0);
		assert_int_equal(t, i);
	}
	assert_int_equal(bench_test_parse("tcp_rrr", &t), -EINVAL);
	assert_int_equal(bench_placement_parse("split", &p), 0);
	assert_int_equal(p, PLACE_SPLIT);
	assert_int_equal(bench_placement_parse("both", &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile_nearest_rank),
		cmocka_unit_test(test_percentile_tail),
		cmocka_unit_test(test_summary_edge_cases),
		cmocka_unit_test(test_sort_large),
		cmocka_unit_test(test_rr_opts),
		cmocka_unit_test(test_stream_opts),
		cmocka_unit_test(test_parse_rate_seconds),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
