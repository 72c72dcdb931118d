/* SPDX-License-Identifier: MIT */
#ifndef NSB_HOPS_H
#define NSB_HOPS_H

#include <stddef.h>

#include "harness/lab/model.h"

/*
 * The lab's path as data: the interfaces a lab holds and, per task and path,
 * the ordered hops a request crosses. The modes' tables (mode_ops.h) produce
 * it, from the names they build with (route.c lists and walks them); the
 * state file, the hot-path check, the per-hop probes and explain read it.
 * Nothing else spells an interface name.
 */
enum hop_kind { HOP_VETH, HOP_BRIDGE, HOP_MACVLAN, HOP_LOOPBACK, HOP_VLAN };
/* Which tc hook of the interface a request meets: leaving (egress) or arriving. */
enum hop_dir { HOP_EGRESS, HOP_INGRESS };

#define LAB_MAX_HOPS 8
#define LAB_MAX_IFACES (3 + 2 * LAB_MAX_TASKS)

struct lab_iface {
	char role[16]; /* "vpc", "inst" or the task's "tN" */
	char ns[LAB_NS_LEN];
	char name[16];
	enum hop_kind kind;
	char addr[24];		      /* CIDR, or "" */
	char addr6[IP6_ADDR_LEN + 4]; /* on a dual-stack VPC: its IPv6 CIDR, or "" */
};

struct lab_hop {
	struct lab_iface iface;
	enum hop_dir dir; /* of the request; the response crosses the other way */
};

struct lab_route {
	struct lab_hop hop[LAB_MAX_HOPS];
	unsigned int n;
};

const char *hop_kind_name(enum hop_kind k);
const char *hop_dir_name(enum hop_dir d);
/* "role:ifname", the name counters and probes report a hop by. */
void hop_label(const struct lab_iface *i, char *buf, size_t len);

#endif
