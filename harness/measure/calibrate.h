/* SPDX-License-Identifier: MIT */
#ifndef NSB_CALIBRATE_H
#define NSB_CALIBRATE_H

#include <jansson.h>
#include <stdbool.h>

#include "harness/lab/lab.h"
#include "harness/lab/path.h"

/*
 * nsbench calibrate: the emulation measured against the real engine. Beside
 * the emulated lab (bridge and host tasks on the al2023 instance), a second
 * lab whose instance carries a real dockerd (harness/lab/engine.h): its
 * docker0, its rules and its docker-proxies; the bridge tasks are containers
 * of an image made on the spot, whose network namespaces the endpoints run
 * in; host mode runs in the instance namespace, as --network host does. The
 * VPC side of both is built by nsbench alike (same MTU and wire). The same
 * tests run through both, every round in turn (the order rotating), and each
 * metric is set emulated against real, paired by round.
 */
#define CALIBRATE_ROUNDS 10
#define CALIBRATE_MAX_ROUNDS 40
#define CALIBRATE_MARGIN 0.05

struct calibrate_opts {
	bool bridge, host;	/* --modes */
	bool paths[PATH_COUNT]; /* ingress, local, intra-host */
	unsigned int rounds;
	double rr_s;	 /* tcp_rr and tcp_crr per measurement */
	double stream_s; /* tcp_stream per measurement */
	struct lab_vpc_opts vpc;
};

void calibrate_opts_default(struct calibrate_opts *o);
/* The paths calibrate can measure: ingress, local, intra-host. */
bool calibrate_path_ok(enum lab_path p);

/*
 * Builds both labs and the engine, measures, removes everything. *OUT gets
 * the document (results/schema.md, "nsbench calibrate --format json") and
 * *VERDICT 0 (every metric within 5% of the real engine's), 1 (one outside),
 * 3 (undecided). -EINTR when stopped, -ENOENT when the engine is missing
 * (WHY names the fix).
 */
int calibrate_run(const struct calibrate_opts *o, json_t **out, int *verdict, char *why,
		  size_t len);

/* Where an interval of emulated/real lies: "within 5%", "outside 5%" or "undecided". */
const char *calibrate_within(double lo, double hi);
/*
 * EMU against REAL[0..N), paired by round: {emulated, real, ratio, ci95_low,
 * ci95_high, verdict}; *WORST becomes 1 when it lies outside, 3 when it is
 * undecided and nothing lay outside (it stays as it was when within).
 */
json_t *calibrate_pair(const double *real, const double *emu, unsigned int n, int *worst);

#endif
