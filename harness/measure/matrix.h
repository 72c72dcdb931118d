/* SPDX-License-Identifier: MIT */
#ifndef NSB_RUNNER_H
#define NSB_RUNNER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "bench/measurement.h"
#include "harness/lab/lab.h"
#include "harness/lab/path.h"

struct run_config {
	enum lab_mode modes[MODE_COUNT];
	unsigned int nmodes;
	enum lab_path paths[PATH_COUNT];
	unsigned int npaths;
	enum bench_test tests[TEST_COUNT];
	unsigned int ntests;
	unsigned int reps;     /* with target_pct: the minimum */
	double target_pct;     /* --target: repeat until every headline interval is this narrow */
	unsigned int max_reps; /* --max-reps: the budget of --target */
	double max_time_s;     /* --max-time: the budget of --target, seconds of the run */
	unsigned int tasks_list[16]; /* tasks per instance, one lab per N: the density sweep */
	unsigned int ntasks_list;
	unsigned int max_enis;
	bool security_group; /* awsvpc tasks behind the security-group filter */
	int stream_s;	     /* libiperf tests: whole seconds */
	double rr_s;	     /* request/response tests */
	int par_streams;     /* tcp_stream_par */
	uint64_t shape_bps;  /* tbf on the wire (vpc0) in every lab; 0: none */
	bool hot_path;
	bool per_hop;			  /* per-hop latency (eBPF) of every mode and path */
	unsigned int vpc_mtu, bridge_mtu; /* 0: 1500 */
	const char *out_dir;
	const char *preset; /* "default", "quick", "full" */
	struct bench_opts bo;
};

void run_config_default(struct run_config *c);
void run_config_quick(struct run_config *c);
void run_config_full(struct run_config *c);
json_t *run_config_json(const struct run_config *c);
/* Planned measurement time, seconds (what the run's overhead is measured against). */
double run_config_seconds(const struct run_config *c);

/*
 * The matrix, repetition-major (every mode once, then again), in one lab per
 * mode. Returns 0 with *DOC complete (status "ok" or "failed"), or -EINTR /
 * -errno with WHY when it could not run; nothing is left behind either way.
 */
int runner_run(const struct run_config *c, json_t **doc, char *why, size_t len);
/* The table: one row per mode, ratios to host mode. */
void runner_print_table(json_t *doc, FILE *f);

#endif
