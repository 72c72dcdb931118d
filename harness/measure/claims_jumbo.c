// SPDX-License-Identifier: MIT
/*
 * The jumbo-frames claim: one lab with a VPC MTU of 9001 and a task of each
 * mode the VPC reaches; the path MTU a VPC client finds to each, and the
 * throughput each gets.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lab/build.h"
#include "harness/lab/lab.h"
#include "harness/lab/path.h"
#include "harness/measure/claims_row.h"
#include "netns/probe.h"
#include "netns/testhooks.h"

/* ECS's VPC and ENIs: jumbo frames; Docker's bridge stays at Ethernet's 1500. */
#define JUMBO_MTU 9001

static double stream_gbps(struct lab *lab, struct lab_task *t)
{
	struct bench_opts bo;
	struct bench_target tg;
	json_t *res = NULL;
	char why[512];
	double g = 0;

	bench_opts_default(&bo);
	bench_cpus_resolve(&bo.cpus);
	bo.stream.duration_s = 1;
	bo.stream.omit_s = 0;
	if (!path_target(lab, t, NULL, PATH_INGRESS, &tg, why, sizeof(why)) &&
	    !bench_run(TEST_TCP_STREAM, &bo, &tg, &res, why, sizeof(why)))
		g = json_number_value(json_object_get(json_object_get(res, "metrics"),
						      "throughput_bps")) /
		    1e9;
	json_decref(res);
	return g;
}

/*
 * One lab with --vpc-mtu 9001 and a task of each reachable mode: the path MTU
 * a client in the VPC finds to each (PMTU discovery, measured by what
 * arrives), and the throughput each gets.
 */
void claim_jumbo(struct claims_ctx *c, struct claim_result *r)
{
	static const enum lab_mode modes[3] = {MODE_AWSVPC, MODE_HOST, MODE_BRIDGE};
	struct lab *lab = calloc(1, sizeof(*lab));
	unsigned int mtu[3] = {0};
	double gbps[3] = {0};
	struct lab_config cfg;
	int ret = 0;

	(void)c;
	if (!lab) {
		claim_say(r, CLAIM_UNCHECKABLE, "out of memory");
		return;
	}
	claims_lab_config(&cfg);
	cfg.vpc_mtu = JUMBO_MTU;
	if (lab_init(lab, &cfg, "claims")) {
		claim_say(r, CLAIM_UNCHECKABLE, "cannot plan a lab");
		free(lab);
		return;
	}
	for (unsigned int i = 0; i < 3 && !ret; i++)
		ret = lab_plan_task(lab, modes[i], (uint16_t)(LAB_DEFAULT_PORT + i));
	if (ret || lab_up(lab)) {
		claim_say(r, CLAIM_UNCHECKABLE, "a lab with --vpc-mtu %d: %s", JUMBO_MTU, lab->err);
		lab_free(lab);
		free(lab);
		return;
	}
	testhook_phase("claims:lab");
	for (unsigned int i = 0; i < 3; i++) {
		struct lab_task *t = &lab->tasks[i];

		ret = probe_path_mtu(t->ns, t->mode == MODE_HOST ? lab->inst_addr : "0.0.0.0",
				     t->container_port, t->client_ns, t->ep_addr, t->ep_port,
				     &mtu[i]);
		if (ret) {
			claim_say(r, CLAIM_UNCHECKABLE, "path MTU to the %s task: %s",
			    lab_mode_name(t->mode), strerror(-ret));
			claim_lab_end(lab);
			return;
		}
		gbps[i] = stream_gbps(lab, t);
	}
	claim_say(r,
	    mtu[0] == JUMBO_MTU && mtu[1] == JUMBO_MTU && mtu[2] == LAB_DEFAULT_MTU
		    ? CLAIM_HOLDS
		    : CLAIM_FAILS,
	    "VPC MTU %d: path MTU from the VPC to awsvpc %u, host %u, bridge %u (its bridge "
	    "and veth stay at %d); tcp_stream awsvpc %.2f, host %.2f, bridge %.2f Gbit/s",
	    JUMBO_MTU, mtu[0], mtu[1], mtu[2], LAB_DEFAULT_MTU, gbps[0], gbps[1], gbps[2]);
	r->figures = json_pack("{s:i, s:i, s:{s:i, s:i, s:i}, s:{s:f, s:f, s:f}}", "vpc_mtu",
			       JUMBO_MTU, "bridge_mtu", LAB_DEFAULT_MTU, "path_mtu", "awsvpc",
			       (int)mtu[0], "host", (int)mtu[1], "bridge", (int)mtu[2],
			       "throughput_bps", "awsvpc", gbps[0] * 1e9, "host", gbps[1] * 1e9,
			       "bridge", gbps[2] * 1e9);
	claim_lab_end(lab);
}

