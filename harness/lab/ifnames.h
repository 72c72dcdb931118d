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

/* The instance's end of a bridge-mode task's veth. */
static inline void host_veth(const struct lab_task *t, char *buf, size_t len)
{
	snprintf(buf, len, "veth-t%u", t->id);
}

static inline bool is_bridged(const struct lab_task *t)
{
	return t->mode == MODE_BRIDGE || t->mode == MODE_BRIDGE_DYNAMIC;
}

#endif
