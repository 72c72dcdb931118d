// SPDX-License-Identifier: MIT
/*
 * The request/response engine, over IPv4 or IPv6: TCP_RR (one persistent
 * connection), UDP_RR (sequence-numbered, losses counted after a timeout) and
 * TCP_CRR (connect, request, response, close; the client closes first, so
 * TIME_WAIT lands on the client side, where the runner widens the port range
 * and allows reuse). One transaction at a time; each latency is recorded,
 * nothing is binned. Here its options and its result; the client in
 * rr_client.c, the server in rr_server.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/rr.h"
#include "nsbench/rr_wire.h"

const char *rr_kind_name(enum rr_kind k)
{
	switch (k) {
	case RR_TCP:
		return "tcp_rr";
	case RR_UDP:
		return "udp_rr";
	case RR_TCP_CRR:
		return "tcp_crr";
	}
	return "?";
}

void rr_opts_default(struct rr_opts *o, enum rr_kind kind)
{
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->req_size = 64;
	o->resp_size = 64;
	o->warmup_s = 0.2;
	o->duration_s = 5;
	o->timeout_ms = kind == RR_UDP ? 100 : 2000;
	o->max_samples = 16u << 20;
}

int rr_opts_check(const struct rr_opts *o, char *why, size_t len)
{
	uint32_t min = o->kind == RR_UDP ? RR_UDP_MIN_MSG : 1;
	uint32_t max_req = o->kind == RR_TCP ? RR_MAX_BULK : RR_MAX_MSG;

	if (o->req_size < min || o->req_size > max_req || o->resp_size < min ||
	    o->resp_size > RR_MAX_MSG) {
		snprintf(why, len,
			 "request sizes must be %u to %u bytes for %s, responses %u to %u", min,
			 (unsigned int)max_req, rr_kind_name(o->kind), min,
			 (unsigned int)RR_MAX_MSG);
		return -EINVAL;
	}
	if (o->window < 0 || o->window > (64 << 20)) {
		snprintf(why, len, "the socket buffer (window) must be 0 to 64 MiB");
		return -EINVAL;
	}
	if (!(o->duration_s >= 0.01 && o->duration_s <= 86400)) {
		snprintf(why, len, "duration must be 0.01 to 86400 seconds");
		return -EINVAL;
	}
	if (!(o->warmup_s >= 0 && o->warmup_s <= 3600)) {
		snprintf(why, len, "warm-up must be 0 to 3600 seconds");
		return -EINVAL;
	}
	if (o->trace && o->kind == RR_TCP_CRR) {
		snprintf(why, len, "tracing covers udp_rr and tcp_rr, not tcp_crr");
		return -EINVAL;
	}
	if (o->trace && o->req_size > RR_MAX_MSG) {
		snprintf(why, len,
			 "traced requests are at most %d bytes (a bulk one is not traced)",
			 RR_MAX_MSG);
		return -EINVAL;
	}
	if (o->trace && (o->req_size < RR_TRACE_MIN_MSG || o->resp_size < RR_TRACE_MIN_MSG)) {
		snprintf(why, len, "traced messages are at least %d bytes", RR_TRACE_MIN_MSG);
		return -EINVAL;
	}
	if (o->timeout_ms < 1 || o->timeout_ms > 60000) {
		snprintf(why, len, "transaction timeout must be 1 to 60000 ms");
		return -EINVAL;
	}
	return 0;
}

json_t *rr_result_json(const struct rr_opts *o, const struct rr_result *r)
{
	const struct stats_summary *s = &r->lat;
	json_t *doc;

	doc = json_pack("{s:s, s:i, s:i, s:f, s:I, s:f, s:I, s:I, s:I, s:b, s:{s:f, s:f, s:f, s:f, "
			"s:f, s:f, s:f, s:f, s:I}}",
			"test", rr_kind_name(o->kind), "request_bytes", (int)o->req_size,
			"response_bytes", (int)o->resp_size, "duration_s", r->elapsed_s,
			"transactions", (json_int_t)r->transactions, "tps",
			r->elapsed_s > 0 ? (double)r->transactions / r->elapsed_s : 0.0, "lost",
			(json_int_t)r->lost, "late", (json_int_t)r->late, "errors",
			(json_int_t)r->errors, "samples_capped", r->capped, "latency_us", "min",
			s->min / 1e3, "p50", s->p50 / 1e3, "p90", s->p90 / 1e3, "p99", s->p99 / 1e3,
			"p999", s->p999 / 1e3, "max", s->max / 1e3, "mean", s->mean / 1e3, "stddev",
			s->stddev / 1e3, "samples", (json_int_t)s->n);
	if (doc && r->err)
		json_object_set_new(doc, "error", json_string(r->why));
	if (doc && o->trace) {
		json_t *tr = json_array();

		for (size_t i = 0; i < r->nstamps; i++) {
			const struct rr_stamp *st = &r->stamps[i];

			json_array_append_new(tr, json_pack("[I, I, I, I, I]", (json_int_t)st->seq,
							    (json_int_t)st->c_tx,
							    (json_int_t)st->s_rx,
							    (json_int_t)st->s_tx,
							    (json_int_t)st->c_rx));
		}
		json_object_set_new(doc, "trace", tr);
	}
	return doc;
}

void rr_result_free(struct rr_result *r)
{
	free(r->samples);
	r->samples = NULL;
	free(r->stamps);
	r->stamps = NULL;
}
