/* SPDX-License-Identifier: MIT */
#ifndef NSB_BENCH_H
#define NSB_BENCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench/detail.h"
#include "bench/rr.h"
#include "bench/stream.h"

enum bench_test {
	TEST_TCP_STREAM,
	TEST_TCP_REVERSE,
	TEST_UDP,
	TEST_TCP_RR,
	TEST_UDP_RR,
	TEST_TCP_CRR,
	TEST_TCP_STREAM_PAR, /* N parallel streams (stream.streams, at least 2; 4 by default) */
	TEST_COUNT
};

/*
 * Where client and server run. SAME pins both to one CPU: the default, since
 * on a small VM cross-CPU wake-ups (70-90 us) would hide the path's cost.
 */
enum bench_placement { PLACE_SAME, PLACE_SPLIT, PLACE_FREE };

struct bench_cpus {
	enum bench_placement policy;
	int client, server; /* -1: not pinned */
};

/* The IP family a measurement runs over: results key each one by it. */
enum bench_family { FAMILY_IPV4, FAMILY_IPV6, FAMILY_COUNT };

#define BENCH_ADDR_LEN 46 /* INET6_ADDRSTRLEN */

/* Where the endpoints of one measurement live (from the lab and the path). */
struct bench_target {
	const char *mode, *path;
	enum bench_family family; /* of the addresses below */
	char server_ns[32], client_ns[32];
	char server_bind[BENCH_ADDR_LEN];
	uint16_t server_port;
	char dst_addr[BENCH_ADDR_LEN];
	uint16_t dst_port;
	/* Both endpoints on CPU cpu, whatever the options' placement (a duet's side). */
	bool own_cpu;
	int cpu;
};

struct bench_opts {
	struct stream_opts stream;
	struct rr_opts rr;
	struct bench_cpus cpus;
	/* Called in the parent around the client's run: counters, CPU time. */
	void (*before_client)(void *arg);
	void (*after_client)(void *arg);
	void *hook_arg;
	/* Called in the parent as the clients run, at once and about every second: progress. */
	void (*tick)(void *arg, double elapsed_s, double total_s);
	void *tick_arg;
	struct bench_detail detail; /* what the result carries beyond its figures */
};

const char *bench_test_name(enum bench_test t);
/* libiperf's tests (stream_opts), as against the request/response engine's (rr_opts). */
bool bench_test_is_stream(enum bench_test t);
int bench_test_parse(const char *name, enum bench_test *t);
/* "ipv4", "ipv6"; parsed from those or from "4", "6". */
const char *bench_family_name(enum bench_family f);
int bench_family_parse(const char *name, enum bench_family *f);
const char *bench_placement_name(enum bench_placement p);
int bench_placement_parse(const char *name, enum bench_placement *p);
/* Fills client/server CPUs for the policy from the CPUs this process may use. */
int bench_cpus_resolve(struct bench_cpus *c);
/*
 * -EINVAL with WHY when a CPU named in C is not one this process may run on,
 * or when the CPUs contradict the policy (same: one CPU, split: two, free: none).
 */
int bench_cpus_check(const struct bench_cpus *c, char *why, size_t len);

void bench_opts_default(struct bench_opts *o);
/* -EINVAL with WHY when O's options for TEST are out of range (what bench_run refuses). */
int bench_check(enum bench_test test, const struct bench_opts *o, char *why, size_t len);
/*
 * One measurement: the server forked into its namespace, waited for until it
 * listens, the client run with a deadline, both ended by pid. *RESULT gets
 * {test, mode, path, family, placement, metrics, raw?}; on failure WHY names the
 * mode, path, endpoint and reason.
 */
int bench_run(enum bench_test test, const struct bench_opts *o, const struct bench_target *t,
	      json_t **result, char *why, size_t len);
/*
 * N pairs at once (tasks of one instance, driven concurrently): every server
 * listening first, then every client; RESULTS[i] as bench_run's, all or none.
 */
int bench_run_many(enum bench_test test, const struct bench_opts *o,
		   const struct bench_target *targets, unsigned int n, json_t **results, char *why,
		   size_t len);
/*
 * TCP_RR to N servers (at most RR_MAX_TARGETS) from one client in
 * TARGETS[0]'s client namespace and CPU, a transaction to each in turn, each
 * connection opened in its target's client namespace (rr_client_interleaved):
 * RESULTS[i] as bench_run's. The run lasts rr.duration_s in all; each target
 * has a 1/N share of its transactions.
 */
int bench_run_interleaved(const struct bench_opts *o, const struct bench_target *targets,
			  unsigned int n, json_t **results, char *why, size_t len);

#endif
