/* SPDX-License-Identifier: MIT */
#ifndef NSB_RUNCONFIG_H
#define NSB_RUNCONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench/measurement.h"
#include "harness/lab/model.h"
#include "harness/lab/path.h"
#include "harness/measure/schedule.h"

/* What `nsbench run` measures: its presets, and the config it records in the results file. */
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
	bool per_hop; /* per-hop latency (eBPF) of every mode and path */
	struct lab_vpc_opts vpc;
	enum lab_instance instance;
	bool userland_proxy;
	unsigned int families; /* --ip: a bit per enum bench_family; IPv6 builds dual-stack labs */
	const char *out_dir;
	const char *preset;	/* "default", "quick", "full" */
	enum schedule schedule; /* how the rounds are measured (schedule.h) */
	unsigned int seed;	/* --schedule random: the order's seed */
	struct bench_opts bo;
};

void run_config_default(struct run_config *c);
void run_config_quick(struct run_config *c);
void run_config_full(struct run_config *c);
json_t *run_config_json(const struct run_config *c);
/* The paths MODE runs into OUT: none mode has only loopback, whatever was asked. */
unsigned int run_config_paths(const struct run_config *c, enum lab_mode m, enum lab_path *out);
/* A path measured over one IP family. */
struct run_leg {
	enum lab_path path;
	enum bench_family family;
};

#define RUN_MAX_LEGS (PATH_COUNT * FAMILY_COUNT)
/*
 * The paths MODE runs, each over every family asked that it has there (the
 * agent's endpoint stays IPv4), into OUT: path by path, IPv4 first.
 */
unsigned int run_config_legs(const struct run_config *c, enum lab_mode m, struct run_leg *out);
/* One measurement of test T, seconds, warm-up included. */
double run_config_test_seconds(const struct run_config *c, enum bench_test t);
/* Planned measurement time, seconds (what the run's overhead is measured against). */
double run_config_seconds(const struct run_config *c);

#endif
