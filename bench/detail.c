// SPDX-License-Identifier: MIT
/*
 * A measurement's detail on request: figures per interval, the latency
 * histogram and the latencies in order (bench/detail.h).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/detail.h"
#include "bench/stats.h"

struct rr_detail {
	uint64_t start_ns, width_ns; /* the measured time's start; an interval's length */
	size_t nint;		     /* intervals over the duration (the last may be short) */
	double duration_s;
	uint64_t *trans; /* transactions per interval */
	size_t *kept;	 /* of them, latencies kept (the engine's cap) per interval */
	uint32_t *v;	 /* the latencies in order, ns */
	size_t n, max;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Each recorded transaction, as the engine records it: its interval, and its latency in order. */
static void tap(void *arg, uint64_t ns)
{
	struct rr_detail *dt = arg;
	uint64_t now = mono_ns();
	size_t k = now > dt->start_ns ? (size_t)((now - dt->start_ns) / dt->width_ns) : 0;

	if (k >= dt->nint)
		k = dt->nint - 1;
	dt->trans[k]++;
	if (dt->n >= dt->max)
		return;
	dt->kept[k]++;
	dt->v[dt->n++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static void rr_detail_free(struct rr_detail *dt)
{
	if (!dt)
		return;
	free(dt->trans);
	free(dt->kept);
	free(dt->v);
	free(dt);
}

struct rr_detail *rr_detail_start(const struct bench_detail *d, struct rr_opts *o)
{
	struct rr_detail *dt;
	double width;

	if (!d->interval_s && !d->samples)
		return NULL;
	dt = calloc(1, sizeof(*dt));
	if (!dt)
		return NULL;
	/* Without intervals asked, one interval: the whole measurement. */
	width = d->interval_s ? d->interval_s : fmax(o->duration_s, 1);
	dt->duration_s = o->duration_s;
	dt->width_ns = (uint64_t)(width * 1e9);
	dt->nint = (size_t)ceil(o->duration_s / width - 1e-9);
	if (dt->nint < 1)
		dt->nint = 1;
	dt->max = o->max_samples;
	dt->trans = calloc(dt->nint, sizeof(*dt->trans));
	dt->kept = calloc(dt->nint, sizeof(*dt->kept));
	/* Room for the engine's cap, as the engine takes it: pages are touched as they fill. */
	dt->v = malloc(dt->max * sizeof(*dt->v));
	if (!dt->trans || !dt->kept || !dt->v) {
		rr_detail_free(dt);
		return NULL;
	}
	/* The engine starts its clock next; its warm-up is not measured (rr_client's window). */
	dt->start_ns = mono_ns() + (o->count ? 0 : (uint64_t)(o->warmup_s * 1e9));
	o->tap = tap;
	o->tap_arg = dt;
	return dt;
}

static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* Each interval: its transactions and rate, and the p50, p99 and max of the latencies kept. */
static json_t *rr_intervals(const struct rr_detail *dt)
{
	json_t *a = json_array();
	size_t from = 0;

	for (size_t k = 0; k < dt->nint; k++) {
		double lo = (double)k * (double)dt->width_ns / 1e9;
		double hi = fmin((double)(k + 1) * (double)dt->width_ns / 1e9, dt->duration_s);
		uint32_t *s = malloc((dt->kept[k] ? dt->kept[k] : 1) * sizeof(*s));
		json_t *o = json_pack("{s:f, s:f, s:I}", "start_s", lo, "end_s", hi, "transactions",
				      (json_int_t)dt->trans[k]);

		json_object_set_new(o, "tps", jnum((double)dt->trans[k] / (hi - lo)));
		if (s && dt->kept[k]) {
			memcpy(s, dt->v + from, dt->kept[k] * sizeof(*s));
			stats_sort(s, dt->kept[k]);
			json_object_set_new(o, "p50_us",
					    json_real(stats_percentile(s, dt->kept[k], 50) / 1e3));
			json_object_set_new(o, "p99_us",
					    json_real(stats_percentile(s, dt->kept[k], 99) / 1e3));
			json_object_set_new(o, "max_us", json_real(s[dt->kept[k] - 1] / 1e3));
		} else {
			json_object_set_new(o, "p50_us", json_null());
			json_object_set_new(o, "p99_us", json_null());
			json_object_set_new(o, "max_us", json_null());
		}
		free(s);
		from += dt->kept[k];
		json_array_append_new(a, o);
	}
	return a;
}

void rr_detail_finish(struct rr_detail *dt, const struct bench_detail *d, const struct rr_result *r,
		      json_t *doc)
{
	if (!doc) {
		rr_detail_free(dt);
		return;
	}
	if (d->histogram) {
		json_t *h = detail_histogram(r->samples, r->nsamples);

		json_object_set_new(h, "transactions", json_integer((json_int_t)r->transactions));
		json_object_set_new(h, "capped", json_boolean(r->capped));
		json_object_set_new(doc, "histogram", h);
	}
	/* The client's failure, as the parent reads every one of them (bench_run's why). */
	if ((d->interval_s || d->samples) && !dt) {
		json_object_set_new(doc, "error",
				    json_string("out of memory keeping the latencies in order"));
		return;
	}
	if (d->interval_s)
		json_object_set_new(doc, "intervals", rr_intervals(dt));
	if (d->samples) {
		json_t *a = json_array();

		for (size_t i = 0; i < dt->n; i++)
			json_array_append_new(a, json_integer(dt->v[i]));
		json_object_set_new(doc, "samples_ns", a);
	}
	rr_detail_free(dt);
}

/* R10, times 100: a bucket's lower edge in a decade. */
static const unsigned int r10[] = {100, 125, 160, 200, 250, 315, 400, 500, 630, 800};
#define R10_N 10

static uint64_t pow10u(unsigned int d)
{
	uint64_t p = 1;

	while (d--)
		p *= 10;
	return p;
}

/* The bucket of X ns: decade * 10 + step, the step the largest whose edge is <= X. */
static unsigned int bucket_of(uint32_t x)
{
	uint64_t x100 = (uint64_t)(x ? x : 1) * 100;
	unsigned int d = 0, i = 0;

	while (d < 9 && pow10u(d + 1) * 100 <= x100)
		d++;
	while (i + 1 < R10_N && (uint64_t)r10[i + 1] * pow10u(d) <= x100)
		i++;
	return d * R10_N + i;
}

/* Bucket B's lower edge, in ns. */
static double bucket_low(unsigned int b)
{
	return (double)r10[b % R10_N] * (double)pow10u(b / R10_N) / 100;
}

json_t *detail_histogram(const uint32_t *sorted, size_t n)
{
	json_t *buckets = json_array();
	size_t j = 0;

	if (n) {
		for (unsigned int b = bucket_of(sorted[0]); b <= bucket_of(sorted[n - 1]); b++) {
			size_t c = 0;

			while (j < n && bucket_of(sorted[j]) == b) {
				c++;
				j++;
			}
			json_array_append_new(buckets, json_pack("{s:f, s:f, s:I}", "low_us",
								 b ? bucket_low(b) / 1e3 : 0.0,
								 "high_us", bucket_low(b + 1) / 1e3,
								 "count", (json_int_t)c));
		}
	}
	return json_pack("{s:s, s:I, s:o}", "unit", "us", "samples", (json_int_t)n, "buckets",
			 buckets);
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* The receiver's intervals: the client's when it received (reverse), else the server's. */
static json_t *receiver_intervals(json_t *iperf)
{
	json_t *iv = json_object_get(iperf, "intervals");
	json_t *sum = json_object_get(json_array_get(iv, 0), "sum");

	if (sum && json_is_false(json_object_get(sum, "sender")))
		return iv;
	iv = json_object_get(json_object_get(iperf, "server_output_json"), "intervals");
	return iv ? iv : json_object_get(iperf, "intervals");
}

json_t *detail_stream_intervals(json_t *iperf, unsigned int interval_s)
{
	json_t *out = json_array(), *reports = receiver_intervals(iperf), *iv, *last = NULL;
	unsigned int per = interval_s ? interval_s : 1, in_last = 0;
	size_t i;

	json_array_foreach(reports, i, iv) {
		json_t *sum = json_object_get(iv, "sum");
		double secs = json_object_get(sum, "seconds") ? num(sum, "seconds")
							      : num(sum, "end") - num(sum, "start");
		bool udp = json_object_get(sum, "packets") != NULL;

		/* The warm-up (--omit) is not measured. */
		if (!sum || json_is_true(json_object_get(sum, "omitted")))
			continue;
		/*
		 * iperf reports each second: INTERVAL_S of them a group (their edges
		 * jitter); the last report, the test's end after the one before, joins
		 * that one when it is under half a second.
		 */
		if (last && (in_last < per || (secs < 0.5 && i + 1 == json_array_size(reports)))) {
			in_last++;
			json_object_set_new(last, "end_s", json_real(num(sum, "end")));
			json_object_set_new(last, "seconds",
					    json_real(num(last, "seconds") + secs));
			json_object_set_new(
				last, "bytes",
				json_integer(json_integer_value(json_object_get(last, "bytes")) +
					     json_integer_value(json_object_get(sum, "bytes"))));
			if (udp) {
				json_object_set_new(last, "packets",
						    json_integer(json_integer_value(json_object_get(
									 last, "packets")) +
								 json_integer_value(json_object_get(
									 sum, "packets"))));
				json_object_set_new(last, "lost_packets",
						    json_integer(json_integer_value(json_object_get(
									 last, "lost_packets")) +
								 json_integer_value(json_object_get(
									 sum, "lost_packets"))));
			}
		} else {
			last = json_pack("{s:f, s:f, s:f, s:I}", "start_s", num(sum, "start"),
					 "end_s", num(sum, "end"), "seconds", secs, "bytes",
					 json_integer_value(json_object_get(sum, "bytes")));
			if (udp) {
				json_object_set(last, "packets", json_object_get(sum, "packets"));
				json_object_set(last, "lost_packets",
						json_object_get(sum, "lost_packets"));
			}
			json_array_append_new(out, last);
			in_last = 1;
		}
	}
	json_array_foreach(out, i, iv)
		json_object_set_new(
			iv, "throughput_bps",
			jnum(num(iv, "seconds") > 0
				     ? (double)json_integer_value(json_object_get(iv, "bytes")) *
					       8 / num(iv, "seconds")
				     : NAN));
	return out;
}

void detail_collect(bool stream, const struct bench_detail *d, json_t *result)
{
	static const char *const keys[] = {"intervals", "histogram", "samples_ns"};
	json_t *rr = json_object_get(result, "rr");

	if (stream) {
		if (d->interval_s)
			json_object_set_new(
				result, "intervals",
				detail_stream_intervals(json_object_get(result, "iperf"),
							d->interval_s));
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(rr, keys[i]);

		if (!v)
			continue;
		json_object_set(result, keys[i], v);
		json_object_del(rr, keys[i]);
	}
}
