// SPDX-License-Identifier: MIT
/*
 * measure's detail without a network: the latency histogram's buckets (their
 * counts sum to the samples, each sample inside its bucket), libiperf's
 * intervals as the receiver saw them (the warm-up left out, sums equal to
 * iperf's own), and the request/response client's tap (every transaction
 * counted, the latencies kept in order).
 */
#include "testlib.h"
#include <math.h>

#include "bench/detail.h"
#include "bench/stats.h"

static long long count_of(json_t *b)
{
	return (long long)json_integer_value(json_object_get(b, "count"));
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static void test_histogram_buckets(void **state)
{
	/* ns: two in [10, 12.5) us, two in [12.5, 16), one in [16, 20), one at 1 ms. */
	uint32_t v[] = {10000, 12499, 12500, 15999, 16000, 1000000};
	size_t n = sizeof(v) / sizeof(v[0]), i, k = 0;
	long long sum = 0;
	json_t *h, *b;

	(void)state;
	stats_sort(v, n);
	h = detail_histogram(v, n);
	assert_string_equal(json_string_value(json_object_get(h, "unit")), "us");
	assert_int_equal(json_integer_value(json_object_get(h, "samples")), 6);
	/* Every bucket from 10 us to the one of 1000 us: two decades of ten, and one. */
	assert_int_equal(json_array_size(json_object_get(h, "buckets")), 21);
	b = json_array_get(json_object_get(h, "buckets"), 0);
	assert_true(num(b, "low_us") == 10 && num(b, "high_us") == 12.5 && count_of(b) == 2);
	b = json_array_get(json_object_get(h, "buckets"), 1);
	assert_true(num(b, "low_us") == 12.5 && num(b, "high_us") == 16 && count_of(b) == 2);
	b = json_array_get(json_object_get(h, "buckets"), 2);
	assert_true(num(b, "low_us") == 16 && num(b, "high_us") == 20 && count_of(b) == 1);
	b = json_array_get(json_object_get(h, "buckets"), 20);
	assert_true(num(b, "low_us") == 1000 && num(b, "high_us") == 1250 && count_of(b) == 1);
	json_array_foreach(json_object_get(h, "buckets"), i, b) {
		sum += count_of(b);
		/* Edges meet, and each sample lies in its bucket, low edge included. */
		if (i)
			assert_true(num(json_array_get(json_object_get(h, "buckets"), i - 1),
					"high_us") == num(b, "low_us"));
		for (long long c = 0; c < count_of(b); c++, k++)
			assert_true(v[k] / 1e3 >= num(b, "low_us") &&
				    v[k] / 1e3 < num(b, "high_us"));
	}
	assert_int_equal(sum, 6);
	json_decref(h);

	/* Nothing measured: no bucket. */
	h = detail_histogram(v, 0);
	assert_int_equal(json_array_size(json_object_get(h, "buckets")), 0);
	assert_int_equal(json_integer_value(json_object_get(h, "samples")), 0);
	json_decref(h);
}

/* A wide spread: the counts still sum to the samples; each decade has ten buckets. */
static void test_histogram_sums(void **state)
{
	size_t n = 100000, i;
	uint32_t *v = malloc(n * sizeof(*v));
	long long sum = 0;
	json_t *h, *b;

	(void)state;
	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = (uint32_t)(1000 + (i * 7919) % 9000000); /* 1 us to 9 ms */
	stats_sort(v, n);
	h = detail_histogram(v, n);
	json_array_foreach(json_object_get(h, "buckets"), i, b)
		sum += count_of(b);
	assert_int_equal(sum, (long long)n);
	/* 1 us to 10 ms: four decades. */
	assert_int_equal(json_array_size(json_object_get(h, "buckets")), 40);
	json_decref(h);
	free(v);
}

static void test_stream_intervals(void **state)
{
	json_t *iperf = json_load_file("tests/fixtures/iperf-udp-omit1.json", 0, NULL), *ivs, *iv;
	json_t *end = json_object_get(
		json_object_get(json_object_get(iperf, "server_output_json"), "end"), "sum");
	long long packets = 0, lost = 0;
	size_t i;

	(void)state;
	assert_non_null(iperf);
	/* The server received: its warm-up second is left out, its 0.2 ms tail joins the last. */
	ivs = detail_stream_intervals(iperf, 1);
	assert_int_equal(json_array_size(ivs), 2);
	json_array_foreach(ivs, i, iv) {
		packets += (long long)json_integer_value(json_object_get(iv, "packets"));
		lost += (long long)json_integer_value(json_object_get(iv, "lost_packets"));
		assert_true(fabs(num(iv, "throughput_bps") -
				 (double)json_integer_value(json_object_get(iv, "bytes")) * 8 /
					 num(iv, "seconds")) < 1e-6);
	}
	/* The same datagrams as iperf's own sum over the measured time. */
	assert_int_equal(packets, json_integer_value(json_object_get(end, "packets")));
	assert_int_equal(lost, json_integer_value(json_object_get(end, "lost_packets")));
	assert_true(fabs(num(json_array_get(ivs, 1), "end_s") - num(end, "end")) < 1e-9);
	json_decref(ivs);
	/* Two seconds a group: one. */
	ivs = detail_stream_intervals(iperf, 2);
	assert_int_equal(json_array_size(ivs), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ivs, 0), "packets")),
			 json_integer_value(json_object_get(end, "packets")));
	json_decref(ivs);
	/* No intervals at all: none. */
	ivs = detail_stream_intervals(json_object_get(iperf, "nosuch"), 1);
	assert_int_equal(json_array_size(ivs), 0);
	json_decref(ivs);
	json_decref(iperf);
}

/* The client's side: the tap counts every transaction, and keeps the latencies in order. */
static void test_rr_tap(void **state)
{
	struct bench_detail d = {.interval_s = 1, .histogram = true, .samples = true};
	struct rr_result r = {0};
	struct rr_opts o;
	struct rr_detail *dt;
	json_t *doc = json_object(), *iv;
	size_t n = 1000;

	(void)state;
	rr_opts_default(&o, RR_TCP);
	o.duration_s = 1; /* one interval, whatever the clock says */
	o.warmup_s = 0;
	o.max_samples = 600; /* the engine's cap: transactions beyond are counted, not kept */
	dt = rr_detail_start(&d, &o);
	assert_non_null(dt);
	assert_true(o.tap != NULL);
	r.samples = malloc(o.max_samples * sizeof(*r.samples));
	for (size_t i = 0; i < n; i++) {
		uint64_t ns = 5000 + (i * 37) % 1000;

		o.tap(o.tap_arg, ns);
		r.transactions++;
		if (r.nsamples < o.max_samples)
			r.samples[r.nsamples++] = (uint32_t)ns;
	}
	r.capped = true;
	stats_summarize(r.samples, r.nsamples, &r.lat);
	rr_detail_finish(dt, &d, &r, doc);
	iv = json_array_get(json_object_get(doc, "intervals"), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "intervals")), 1);
	assert_int_equal(json_integer_value(json_object_get(iv, "transactions")), (long long)n);
	assert_true(num(iv, "p50_us") == r.lat.p50 / 1e3);
	assert_int_equal(json_array_size(json_object_get(doc, "samples_ns")), 600);
	for (size_t i = 0; i < 600; i++)
		assert_int_equal(
			json_integer_value(json_array_get(json_object_get(doc, "samples_ns"), i)),
			5000 + (i * 37) % 1000);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(doc, "histogram"), "samples")),
		600);
	assert_true(json_is_true(json_object_get(json_object_get(doc, "histogram"), "capped")));
	json_decref(doc);
	free(r.samples);

	/* Nothing asked that needs the tap: none set. */
	d = (struct bench_detail){.histogram = true};
	rr_opts_default(&o, RR_TCP);
	assert_null(rr_detail_start(&d, &o));
	assert_null(o.tap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_histogram_buckets),
		cmocka_unit_test(test_histogram_sums),
		cmocka_unit_test(test_stream_intervals),
		cmocka_unit_test(test_rr_tap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
