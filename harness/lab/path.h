/* SPDX-License-Identifier: MIT */
#ifndef NSB_PATH_H
#define NSB_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/measurement.h"
#include "harness/lab/model.h"

/* The path a mode measures when none is asked for: ingress, or loopback for none. */
enum lab_path path_default(enum lab_mode m);
/* The other task of TASK's intra-host path (the lab's second task, or its first); NULL otherwise.
 */
const struct lab_task *path_peer(const struct lab *lab, const struct lab_task *task,
				 enum lab_path p);
/*
 * Where server and client of TASK run for path P: ingress (client in the VPC
 * to the task's endpoint), egress (client in the task to a server in the
 * VPC; in bridge mode through the masquerade), intra-host (task -> PEER's
 * endpoint), loopback (both inside the task, 127.0.0.1). -EINVAL with WHY
 * when the mode has no such path (none mode has only loopback).
 */
int path_target(const struct lab *lab, const struct lab_task *task, const struct lab_task *peer,
		enum lab_path p, struct bench_target *t, char *why, size_t len);
/*
 * The same over family F: path_target() for IPv4; for IPv6 the lab's IPv6
 * addresses (dual stack), -EINVAL with WHY where there are none
 * (path_family_available).
 */
int path_target_family(const struct lab *lab, const struct lab_task *task,
		       const struct lab_task *peer, enum lab_path p, enum bench_family f,
		       struct bench_target *t, char *why, size_t len);
/*
 * Whether mode M has path P over family F: 0 for IPv4; for IPv6, -EINVAL with
 * WHY for the modes without it (bridge: Docker's default bridge is IPv4-only;
 * none: loopback only) and the paths that stay IPv4 (the agent's endpoint,
 * loopback).
 */
int path_family_available(enum lab_mode m, enum lab_path p, enum bench_family f, char *why,
			  size_t len);
/*
 * Whether mode M has path P on instance profile INST: 0, or -EINVAL with WHY
 * (none has only loopback; the agent's endpoint needs ecs-init's rules).
 */
int path_available(enum lab_mode m, enum lab_path p, enum lab_instance inst, char *why, size_t len);
/*
 * Whether UDP fails on TASK's path P as on a real instance: a bridge task
 * reaching another's hostPort through Docker 25's userland proxy, which
 * answers UDP from the bridge's address, and the agent's endpoint, which is
 * TCP only (WHY says so, with the sources). The path's hop and per-hop probes
 * then count TCP_RR instead of UDP_RR.
 */
bool path_udp_broken(const struct lab *lab, const struct lab_task *task, enum lab_path p, char *why,
		     size_t len);

#endif
