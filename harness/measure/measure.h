/* SPDX-License-Identifier: MIT */
#ifndef NSB_MEASURE_H
#define NSB_MEASURE_H

/*
 * `nsbench measure MODE TEST`: one measurement of MODE on path P, once per IP
 * family asked, on a lab of its own or on one `topo up` left; with the hot
 * path counted instead, or the per-hop probes after it. The rules between
 * its options and the work itself are here; the CLI parses and prints.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "bench/measurement.h"
#include "harness/lab/options.h"
#include "harness/lab/path.h"

#define MEASURE_MAX_GIVEN 64

struct measure_req {
	enum lab_mode mode;
	enum bench_test test;
	enum lab_path path;
	bool path_set;
	double duration; /* seconds */
	bool duration_set, cpu_set;
	bool hot, per_hop;
	const char *lab_id;  /* a lab topo up left, or NULL: one of its own */
	const char *samples; /* --samples FILE, or NULL */
	struct lab_options lab;
	struct bench_opts bo; /* bo.tick: the CLI's progress; tick_arg is set per family */
	/* The options given, by their long names ("warmup"): where each applies is a rule. */
	const char *given[MEASURE_MAX_GIVEN];
	unsigned int ngiven;
};

void measure_req_default(struct measure_req *r);
/*
 * The rules between the options, once parsed: 0, or -EINVAL with WHY (the
 * CLI points to --help) or -EOPNOTSUPP with WHY (the options are right, the
 * mode, path or machine cannot). Settles R's path, durations and CPUs.
 */
int measure_check(struct measure_req *r, char *why, size_t len);
/*
 * The measurement: builds (or attaches to) the lab, measures each family, and
 * removes what it built. *OUT: an array of results, one per family. Else
 * -errno with WHY (-EINTR when a stop was asked for), and *REFUSED when ECS
 * would refuse the lab: nothing was built, and the options are to blame.
 */
int measure_run(const struct measure_req *r, json_t **out, bool *refused, char *why, size_t len);

#endif
