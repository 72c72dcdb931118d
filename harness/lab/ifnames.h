/* SPDX-License-Identifier: MIT */
#ifndef NSB_IFNAMES_H
#define NSB_IFNAMES_H

/*
 * The lab's interface names, which the builders (mode.c), the typed path
 * (route.c) and doctor's feature probe (features.c) must agree on: inside
 * harness/lab only.
 */
#include <stdbool.h>
#include <stdio.h>

#include "harness/lab/model.h"

#define WIRE_VPC "vpc0"
#define WIRE_INST "eth0"
#define BRIDGE "ecs0"
#define TASK_IF "eth0"
#define LOOPBACK "lo"
/*
 * An awsvpc task's way to the ECS agent (aws/amazon-ecs-cni-plugins'
 * ecs-bridge and ecs-ipam): its ecs-eth0 on the instance's ecs-bridge,
 * 169.254.172.0/22, and a route to the agent's endpoint via the bridge.
 */
#define AGENT_BRIDGE "ecs-bridge"
#define AGENT_TASK_IF "ecs-eth0"
#define AGENT_GATEWAY "169.254.172.1"
#define AGENT_PREFIX 22

/* The instance's end of a bridge-mode task's veth. */
static inline void host_veth(const struct lab_task *t, char *buf, size_t len)
{
	snprintf(buf, len, "veth-t%u", t->id);
}

/* The instance's end of an awsvpc task's ecs-eth0, and the task's address on it. */
static inline void agent_veth(const struct lab_task *t, char *buf, size_t len)
{
	snprintf(buf, len, "ecsv-t%u", t->id);
}

static inline void agent_addr(const struct lab_task *t, char *buf, size_t len)
{
	snprintf(buf, len, "169.254.172.%u", 1 + t->id);
}

/* Whether an awsvpc task gets its agent leg: on an instance profile (ECS builds it always). */
static inline bool has_agent_leg(const struct lab *lab, const struct lab_task *t)
{
	return t->mode == MODE_AWSVPC && lab_instance_iptables(&lab->cfg);
}

static inline bool is_bridged(const struct lab_task *t)
{
	return t->mode == MODE_BRIDGE || t->mode == MODE_BRIDGE_DYNAMIC;
}

#endif
