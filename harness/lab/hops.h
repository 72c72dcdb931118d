/* SPDX-License-Identifier: MIT */
#ifndef NSB_HOPS_H
#define NSB_HOPS_H

#include <stdbool.h>
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

/* The interfaces a lab lists (mode_interfaces). */
struct iface_list {
	struct lab_iface *out;
	unsigned int max, n;
};

/* The parts every mode's hops are made of (hops.c), for the modes' files (mode_ops.h). */
void hops_push(struct lab_route *r, const struct lab_iface *i, enum hop_dir d);
void hops_push_route(struct lab_route *r, const struct lab_route *in);
void hops_push_reversed(struct lab_route *r, const struct lab_route *in);
/* Adds I to L, unless L has it already (a device tasks share: listed with the first). */
void hops_list(struct iface_list *l, const struct lab_iface *i);
void iface_set(struct lab_iface *i, const char *role, const char *ns, const char *name,
	       enum hop_kind kind, const char *addr, const struct ip4_net *net);
void iface_set6(struct lab_iface *i, const struct lab *lab, const char *addr6);
void iface_task_role(const struct lab_task *t, char *buf, size_t len);
void iface_vpc_switch(const struct lab *lab, struct lab_iface *i);
void iface_vpc_port(const struct lab *lab, const char *name, enum hop_kind kind,
		    struct lab_iface *i);
void iface_inst_link(const struct lab *lab, const char *name, struct lab_iface *i);
void iface_wire_inst(const struct lab *lab, struct lab_iface *i);
void iface_lo(const struct lab *lab, const struct lab_task *t, struct lab_iface *i);
/* From the VPC's switch to the instance's primary ENI (the path every non-awsvpc ingress takes). */
void hops_wire_in(const struct lab *lab, struct lab_route *r);
/* The instance's lo, both ways: a socket of the instance talking to another of it. */
void hops_inst_lo(const struct lab *lab, struct lab_route *r);
/* T's own interface (its mode's TASK_IF) as a hop of direction D. */
void hops_push_task(struct lab_route *r,
		    void (*task_if)(const struct lab *, const struct lab_task *,
				    struct lab_iface *),
		    const struct lab *lab, const struct lab_task *t, enum hop_dir d);

#endif
