// SPDX-License-Identifier: MIT
/*
 * The jumbo-frames claim: ECS's ENIs and VPC carry 9001-byte
 * frames, Docker's bridge stays at 1500. What a client in the VPC finds
 * (the path MTU to each mode's task), and what it costs: each mode's
 * throughput, CPU per GB and frames per GB where the stream enters the
 * instance, against 1e9 / MSS (with --wire nic, frames arrive one by one).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lab/lab.h"
#include "harness/lab/mode.h"
#include "harness/measure/claims_ctx.h"
#include "harness/measure/claims_row.h"
#include "harness/measure/wireframes.h"
#include "netns/probe.h"
#include "netns/testhooks.h"

#define JUMBO_MODES 3
/* Frames per GB within this of 1e9 / MSS: MTU-sized frames, headers and ACKs aside. */
#define FRAMES_TOLERANCE 0.10

struct jumbo_mode {
	unsigned int pmtu;
	json_t *frames;
};

static double field(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* One lab with a task of each mode the VPC reaches: its path MTU, then its stream's frames. */
static int measure_modes(struct lab *lab, struct jumbo_mode *m, struct claim_result *r)
{
	struct bench_opts bo;
	char why[512];
	int ret;

	bench_opts_default(&bo);
	bench_cpus_resolve(&bo.cpus);
	bo.stream.duration_s = 1;
	bo.stream.omit_s = 0;
	for (unsigned int i = 0; i < JUMBO_MODES; i++) {
		struct lab_task *t = &lab->tasks[i];

		ret = probe_path_mtu(t->ns, mode_server_bind(lab, t), t->container_port,
				     t->client_ns, t->ep_addr, t->ep_port, &m[i].pmtu);
		if (ret) {
			claim_say(r, CLAIM_UNCHECKABLE, "path MTU to the %s task: %s",
				  lab_mode_name(t->mode), strerror(-ret));
			return ret;
		}
		ret = wire_frames(lab, t, &bo, &m[i].frames, why, sizeof(why));
		if (ret) {
			claim_say(r, CLAIM_UNCHECKABLE, "the %s task's stream: %s",
				  lab_mode_name(t->mode), why);
			return ret;
		}
	}
	return 0;
}

void claim_jumbo(struct claims_ctx *c, struct claim_result *r)
{
	static const enum lab_mode modes[JUMBO_MODES] = {MODE_AWSVPC, MODE_HOST, MODE_BRIDGE};
	struct jumbo_mode m[JUMBO_MODES] = {{0}};
	struct lab *lab = calloc(1, sizeof(*lab));
	struct lab_config cfg;
	unsigned int vpc_mtu, bridge_mtu;
	bool holds, nic;
	int ret = 0;

	if (!lab) {
		claim_say(r, CLAIM_UNCHECKABLE, "out of memory");
		return;
	}
	claims_lab_config(&c->opts, &cfg);
	vpc_mtu = lab_vpc_mtu(&cfg);
	bridge_mtu = lab_bridge_mtu(&cfg);
	nic = cfg.wire == LAB_WIRE_NIC;
	if (lab_init(lab, &cfg, "claims")) {
		claim_say(r, CLAIM_UNCHECKABLE, "cannot plan a lab");
		free(lab);
		return;
	}
	for (unsigned int i = 0; i < JUMBO_MODES && !ret; i++)
		ret = lab_plan_task(lab, modes[i], (uint16_t)(LAB_DEFAULT_PORT + i));
	if (ret || lab_up(lab)) {
		claim_say(r, CLAIM_UNCHECKABLE, "a lab with VPC MTU %u: %s", vpc_mtu, lab->err);
		lab_free(lab);
		free(lab);
		return;
	}
	testhook_phase("claims:lab");
	if (measure_modes(lab, m, r))
		goto out;
	holds = m[0].pmtu == vpc_mtu && m[1].pmtu == vpc_mtu && m[2].pmtu == bridge_mtu;
	/* Frame by frame as a NIC delivers them, each mode's frames follow its MSS. */
	for (unsigned int i = 0; nic && i < JUMBO_MODES; i++)
		holds = holds && fabs(field(m[i].frames, "ratio") - 1) <= FRAMES_TOLERANCE;
	claim_say(r, holds ? CLAIM_HOLDS : CLAIM_FAILS,
		  "VPC MTU %u, bridge %u, --wire %s: path MTU awsvpc %u, host %u, bridge %u; "
		  "tcp_stream awsvpc %.2f, host %.2f, bridge %.2f Gbit/s, CPU %.2f, %.2f, %.2f "
		  "s/GB; frames per GB entering the instance %.0f, %.0f, %.0f (1e9/MSS: %.0f, "
		  "%.0f, %.0f)",
		  vpc_mtu, bridge_mtu, lab_wire_name(cfg.wire), m[0].pmtu, m[1].pmtu, m[2].pmtu,
		  field(m[0].frames, "gbps"), field(m[1].frames, "gbps"),
		  field(m[2].frames, "gbps"), field(m[0].frames, "cpu_s_per_gb"),
		  field(m[1].frames, "cpu_s_per_gb"), field(m[2].frames, "cpu_s_per_gb"),
		  field(m[0].frames, "packets_per_gb"), field(m[1].frames, "packets_per_gb"),
		  field(m[2].frames, "packets_per_gb"), field(m[0].frames, "mss_packets_per_gb"),
		  field(m[1].frames, "mss_packets_per_gb"),
		  field(m[2].frames, "mss_packets_per_gb"));
	r->figures = json_pack("{s:i, s:i, s:s, s:{s:i, s:i, s:i}, s:{s:f, s:f, s:f}, s:{s:O, s:O, "
			       "s:O}}",
			       "vpc_mtu", (int)vpc_mtu, "bridge_mtu", (int)bridge_mtu, "wire",
			       lab_wire_name(cfg.wire), "path_mtu", "awsvpc", (int)m[0].pmtu,
			       "host", (int)m[1].pmtu, "bridge", (int)m[2].pmtu, "throughput_bps",
			       "awsvpc", field(m[0].frames, "gbps") * 1e9, "host",
			       field(m[1].frames, "gbps") * 1e9, "bridge",
			       field(m[2].frames, "gbps") * 1e9, "frames", "awsvpc", m[0].frames,
			       "host", m[1].frames, "bridge", m[2].frames);
out:
	for (unsigned int i = 0; i < JUMBO_MODES; i++)
		json_decref(m[i].frames);
	claim_lab_end(lab);
}
