/* SPDX-License-Identifier: MIT */
#ifndef NSB_DETAIL_H
#define NSB_DETAIL_H

/*
 * What a measurement shows beyond its figures, on request (measure
 * --interval, --histogram, --samples): figures per interval, the latency
 * histogram, every latency in the order measured. The request/response
 * client keeps its samples in order through the engine's tap and sends them
 * with its result; libiperf's intervals are its own (one a second).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/rr.h"

struct bench_detail {
	unsigned int interval_s; /* figures per this many seconds; 0: none */
	bool histogram;		 /* request/response tests: the latency histogram */
	bool samples;		 /* request/response tests: every latency, in order */
};

/* In the request/response client, around rr_client(): */
struct rr_detail;
/*
 * Sets O's tap when D asks for intervals or samples (they need each latency
 * in order); NULL when nothing of that is asked or memory is short (then the
 * client's result carries the failure in its "error", as any other of the
 * client's, and bench_run() returns it with its reason).
 */
struct rr_detail *rr_detail_start(const struct bench_detail *d, struct rr_opts *o);
/*
 * Adds to DOC (rr_result_json's) what D asked: "intervals", "histogram",
 * "samples_ns"; frees DT. R's samples are sorted by then (rr_client).
 */
void rr_detail_finish(struct rr_detail *dt, const struct bench_detail *d, const struct rr_result *r,
		      json_t *doc);

/*
 * The histogram of N latencies SORTED (ns): buckets of the R10 series (10,
 * 12.5, 16, 20, 25, 31.5, 40, 50, 63, 80 us and each decade's likes), every
 * bucket from the first sample's to the last's: {"unit": "us", "samples": N,
 * "buckets": [{"low_us", "high_us", "count"}]}, low inclusive.
 */
json_t *detail_histogram(const uint32_t *sorted, size_t n);
/*
 * The receiver's intervals of IPERF (the client's JSON, the server's inside
 * it), those of the warm-up left out, INTERVAL_S of its reports of a second
 * a group (a last part under half a second, the test's end after the last report,
 * joins the one before): [{"start_s", "end_s",
 * "seconds", "bytes", "throughput_bps"}, and for UDP "packets",
 * "lost_packets"]. An empty array when IPERF has none.
 */
json_t *detail_stream_intervals(json_t *iperf, unsigned int interval_s);
/*
 * In the parent, once a measurement's RESULT is whole: what D asked, at its
 * top level ("intervals", "histogram", "samples_ns"), from the raw result.
 */
void detail_collect(bool stream, const struct bench_detail *d, json_t *result);

#endif
