/* SPDX-License-Identifier: MIT */
#ifndef NSB_MODE_OPS_H
#define NSB_MODE_OPS_H

/*
 * One ECS task network mode, whole: how its task is placed and built, its
 * interfaces and the hops of its paths, how a client reaches it, which paths
 * it has. Each mode fills one table in a file of its own, as iproute2 fills a
 * struct link_util per link type:
 *   harness/lab/mode_awsvpc.c  awsvpc (an ENI of its own)
 *   harness/lab/mode_bridge.c  bridge and bridge-dynamic (veth, ecs0, DNAT)
 *   harness/lab/mode_host.c    host (the instance's own stack)
 *   harness/lab/mode_none.c    none (loopback only)
 * The rest of the lab calls through mode_ops() and does not switch on the
 * mode. Inside harness/lab only; above it, the lab's functions answer.
 */
#include <stdbool.h>
#include <stddef.h>

#include "bench/measurement.h"
#include "harness/lab/hops.h"
#include "harness/lab/model.h"

struct rt;

struct mode_ops {
	/* A namespace of its own (host lives in the instance's). */
	bool own_ns;
	/* Behind the instance's bridge, published by a hostPort mapping. */
	bool bridged;
	/* An ENI of its own: a security group, an IPv6 address, the agent leg (ECS builds one). */
	bool own_eni;
	/* A client elsewhere can reach it (none has loopback only). */
	bool reachable;
	/* Takes the instance's own port, one task each (bridge's static hostPort, host). */
	bool static_port;
	/* The path measured when none is asked for. */
	enum lab_path default_path;
	/* Its parts one at a time, from host mode (explain's ladder; mode.h). */
	const struct mode_step *steps;
	unsigned int nsteps;
	/*
	 * Placement (ECS's rules, nothing built): T's addresses, endpoint and
	 * hostPort, with t->id, mode, ns, client_ns and container_port set;
	 * -errno with lab->err saying what ECS refuses (lab_refuse).
	 */
	int (*place)(struct lab *lab, struct lab_task *t);
	/*
	 * The hooks below may be NULL where the mode has nothing of the kind:
	 * nothing to build or unlink, no interfaces of its own, every path
	 * (has_path), no path but loopback (route, reach).
	 */
	/* Builds T, its namespace made and settled (RT: rtnetlink in it; NULL without one). */
	int (*build)(struct lab *lab, struct lab_task *t, struct rt *rt);
	/* Deletes T's links one at a time (LAB_TEARDOWN_LINKS). */
	void (*unlink)(struct lab *lab, struct lab_task *t);
	/* Adds T's interfaces to the lab's list, in the order a packet from the VPC meets them. */
	void (*interfaces)(const struct lab *lab, const struct lab_task *t, struct iface_list *l);
	/* T's own interface in its namespace (own_ns modes). */
	void (*task_if)(const struct lab *lab, const struct lab_task *t, struct lab_iface *i);
	/*
	 * The hops of a request of T on path P: ingress, intra-host (to PEER, a
	 * task of the same mode), local and agent; -EINVAL where the mode has no
	 * such path. mode_route() does loopback and egress for every mode.
	 */
	int (*route)(const struct lab *lab, const struct lab_task *t, const struct lab_task *peer,
		     enum lab_path p, struct lab_route *r);
	/*
	 * Whether mode M (this table's, named in WHY) has path P over family F,
	 * as the mode itself decides it (the instance's part is path.c's): 0, or
	 * -EINVAL with WHY.
	 */
	int (*has_path)(enum lab_mode m, enum lab_path p, enum bench_family f, char *why,
			size_t len);
	/*
	 * SRV reached as the server of path P (ingress, intra-host, local) over
	 * family F: its bind address and the client's destination, set over the
	 * path's generic target T; -EINVAL with WHY when nothing answers.
	 */
	int (*reach)(const struct lab *lab, const struct lab_task *srv, enum lab_path p,
		     enum bench_family f, struct bench_target *t, char *why, size_t len);
};

extern const struct mode_ops mode_awsvpc_ops, mode_bridge_ops, mode_bridge_dynamic_ops,
	mode_host_ops, mode_none_ops;

/* The table of mode M. */
const struct mode_ops *mode_ops(enum lab_mode m);

static inline bool is_bridged(const struct lab_task *t)
{
	return mode_ops(t->mode)->bridged;
}

/* Whether a task gets its agent leg: an ENI of its own on an instance profile (ECS builds it
 * always). */
static inline bool has_agent_leg(const struct lab *lab, const struct lab_task *t)
{
	return mode_ops(t->mode)->own_eni && lab_agent_legs(&lab->cfg);
}

/* The table's has_path for mode M (every path when it has none): 0, or -EINVAL with WHY. */
int mode_has_path(enum lab_mode m, enum lab_path p, enum bench_family f, char *why, size_t len);

/* The parts the modes' files share (mode_parts.c, below them). */
int mode_task_addr(struct lab *lab, struct lab_task *t, struct rt *rt, const struct ip4_net *net,
		   const char *gw);
int mode_set_mtu(struct lab *lab, struct rt *rt, const char *ifname, const char *ns,
		 unsigned int mtu);
/* Tasks of mode M placed so far. */
unsigned int mode_count(const struct lab *lab, enum lab_mode m);
/* Like snprintf("%s"), for fields of one struct (gcc's -Wrestrict cannot tell them apart). */
void mode_scopy(char *dst, size_t len, const char *src);
/* Claims a port of the instance's own stack (a static hostPort, host mode) for task ID. */
int mode_claim_host_port(struct lab *lab, unsigned int id, uint16_t port, const char *what);

#endif
