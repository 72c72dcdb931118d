/* SPDX-License-Identifier: MIT */
#ifndef NSB_EXPLAIN_OPTS_H
#define NSB_EXPLAIN_OPTS_H

#include <stdbool.h>

#include "harness/lab/lab.h"
#include "harness/lab/path.h"
#include "harness/measure/perhop.h"
#include "harness/measure/schedule.h"

/*
 * nsbench explain: where a mode's round trip goes (the per-hop waterfall),
 * and for bridge and awsvpc the cost of each part, measured side by side on
 * lab variants that add one part at a time (the ladder):
 *   bridge: host -> +veth (routed) -> +bridge -> +conntrack -> +DNAT (bridge mode)
 *   awsvpc: host -> +ENI (awsvpc mode: its ENI on the VPC switch, a macvlan of it) -> +security
 * group all on a bare instance, then the mode on the instance profile (+al2023: the AMI's rules,
 * and Docker's proxy when on): what the AMI's baseline costs.
 */
struct explain_opts {
	enum lab_mode mode;
	enum lab_path path;
	struct perhop_opts po;
	bool ladder;
	unsigned int rounds; /* of the ladder: every step measured once per round */
	int stream_s;	     /* tcp_stream per measurement */
	double rr_s;	     /* tcp_rr and tcp_crr per measurement */
	struct lab_vpc_opts vpc;
	bool security_group;
	enum lab_instance instance; /* the last step's profile; the steps before are bare */
	bool userland_proxy;
	unsigned int probe_cost_rounds; /* > 0: RR p50 with and without probes, alternating */
	/*
	 * The ladder's rounds: alternate (the order rotating each round), random,
	 * or duet (each step at once with the one before, CPUs swapped per round).
	 */
	enum schedule schedule;
	unsigned int seed;
};

#define EXPLAIN_ROUNDS 5
#define EXPLAIN_MAX_RUNGS 6

#endif
