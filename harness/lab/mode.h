/* SPDX-License-Identifier: MIT */
#ifndef NSB_MODE_H
#define NSB_MODE_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/lab/hops.h"
#include "harness/lab/model.h"

/*
 * The modes' builders (mode.c, each mode's own file), and the lab's path as
 * data (hops.h): the interfaces a lab holds and, per task and path, the
 * ordered hops a request crosses.
 */

/*
 * What a mode is, from its table (harness/lab/mode_*.c), for the layers above
 * the lab: they name modes, and ask these instead of switching on them.
 */
/* Behind the instance's bridge, published by a hostPort mapping (bridge, bridge-dynamic). */
bool mode_bridged(enum lab_mode m);
/* An ENI of its own: a security group, an IPv6 address, the agent's leg (awsvpc). */
bool mode_own_eni(enum lab_mode m);
/* Something outside the task reaches it (all but none). */
bool mode_reachable(enum lab_mode m);
/* Its tasks take the instance's own port, one task each (bridge's static hostPort, host). */
bool mode_static_port(enum lab_mode m);
/*
 * The parts of mode M one at a time, as explain's ladder adds them to host
 * mode on a bare instance: each step's name, the lab variant that builds it
 * and whether the security group is on; the last step is M as ECS builds it.
 * *STEPS: the mode's table's; the count (0: none, as host and none).
 */
unsigned int mode_steps(enum lab_mode m, const struct mode_step **steps);
/* The address a server in task T binds to for clients outside it: the instance's for host. */
const char *mode_server_bind(const struct lab *lab, const struct lab_task *t);

/* Every interface of the lab in the order a packet from the VPC meets them; the count. */
unsigned int mode_interfaces(const struct lab *lab, struct lab_iface *out, unsigned int max);
/*
 * The hops a request of TASK crosses on path P (PEER: the other task of the
 * intra-host path), in order. -EINVAL when the mode has no such path.
 */
int mode_route(const struct lab *lab, const struct lab_task *task, const struct lab_task *peer,
	       enum lab_path p, struct lab_route *r);
/* The VPC's end of the wire: where a known slowdown (tbf) is put. */
const char *mode_wire_ifname(void);
/* The instance's end of the wire: the parent of awsvpc ENIs. */
const char *mode_inst_ifname(void);

/* The builders lab_up() calls: the VPC, instance and wire; one task; the nftables rules. */
int mode_build_base(struct lab *lab);
int mode_build_task(struct lab *lab, struct lab_task *t);
int mode_build_portmap(struct lab *lab);
/* Deletes the lab's links one at a time (LAB_TEARDOWN_LINKS). */
int mode_teardown_links(struct lab *lab);

/*
 * The kernel features the modes are built from, and what trying each said:
 * doctor's diagnosis. Whether a mode is available is lab_try_mode()'s answer.
 */
enum lab_feature {
	FEATURE_VETH,
	FEATURE_BRIDGE,
	FEATURE_MACVLAN,
	FEATURE_NAT,
	FEATURE_VLAN, /* only --trunking needs it */
	FEATURE_COUNT
};

struct lab_features {
	int err[FEATURE_COUNT]; /* 0: works; else -errno */
	char why[FEATURE_COUNT][300];
};

const char *lab_feature_name(enum lab_feature f);
/* Tries every feature in the lab's VPC namespace (made already); -errno when it cannot start. */
int mode_probe_features(struct lab *lab, struct lab_features *f);

#endif
