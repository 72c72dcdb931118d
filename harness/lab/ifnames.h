/* SPDX-License-Identifier: MIT */
#ifndef NSB_IFNAMES_H
#define NSB_IFNAMES_H

/*
 * The lab's interface names, which the builders (mode.c, vpc.c and the
 * modes' files), the hops (hops.c and the modes' files) and doctor's feature
 * probe (features.c) must agree on: inside harness/lab only.
 */
#include <stdio.h>

#include "harness/lab/model.h"

/*
 * The VPC's side: its switch (a bridge holding the router's address) and a
 * port per ENI; the instance's side: the primary ENI "eth0", an ENI link per
 * awsvpc task, or one trunk ENI whose VLANs are the tasks' branches.
 */
#define WIRE_VPC "vpc0"
#define SWITCH WIRE_VPC
#define WIRE_PORT "sw-eth0"
#define WIRE_INST "eth0"
#define TRUNK_ENI "trunk0"
#define TRUNK_PORT "sw-trunk0"
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

/* An awsvpc task's ENI in the instance, and its port on the VPC switch. */
static inline void eni_name(const struct lab_task *t, char *buf, size_t len)
{
	snprintf(buf, len, "eni-t%u", t->id);
}

static inline void eni_port(const struct lab_task *t, char *buf, size_t len)
{
	snprintf(buf, len, "sw-eni-t%u", t->id);
}

/* A trunked task's branch: its VLAN on the trunk, and that VLAN's port on the switch. */
static inline unsigned int branch_vlan(const struct lab_task *t)
{
	return LAB_VLAN_BASE + t->id;
}

static inline void branch_port(const struct lab_task *t, char *buf, size_t len)
{
	snprintf(buf, len, "sw-vl-t%u", t->id);
}

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

#endif
