/* SPDX-License-Identifier: MIT */
#ifndef NSB_PERHOP_H
#define NSB_PERHOP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench/measurement.h"
#include "harness/lab/lab.h"
#include "harness/lab/path.h"

#define PERHOP_TRANSACTIONS 2000

struct perhop_opts {
	enum bench_test test;  /* TEST_UDP_RR or TEST_TCP_RR */
	uint32_t transactions; /* counted run, no warm-up */
	uint32_t sample_mask;  /* stamp transactions whose sequence number has none of these bits */
	bool no_probes;	       /* the same traced run without probes: what they cost */
};

void perhop_opts_default(struct perhop_opts *po);

/* The engine's own points of a round trip, as segments name them (the rest are hooks). */
#define PERHOP_CLIENT_SEND "client send"
#define PERHOP_SERVER_RECEIVE "server receive"
#define PERHOP_SERVER_SEND "server send"
#define PERHOP_CLIENT_RECEIVE "client receive"
bool perhop_engine_point(const char *name);

/*
 * Where the round trip of TASK on path P goes: a probe on every interface of
 * the path's typed route (harness/lab/mode.h), a traced request/response run, and per
 * transaction the waterfall client send -> each hop -> server receive ->
 * server send -> each hop back -> client receive. *OUT gets the hops with
 * their coverage, each segment's p50/p99/mean, and how the segments add up
 * against the engine's round trip. -EOPNOTSUPP with WHY naming the missing
 * kernel feature; probes are detached on every return. With NO_PROBES, the
 * same run without probes: *OUT has only the engine's figures.
 */
int perhop_measure(struct lab *lab, struct lab_task *task, enum lab_path p,
		   const struct bench_opts *bo, const struct perhop_opts *po, json_t **out,
		   char *why, size_t len);

#endif
