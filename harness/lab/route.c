// SPDX-License-Identifier: MIT
/*
 * The typed path: the interfaces a lab has and, for each task and path, the
 * hops a packet crosses in order (role, namespace, interface, direction). The
 * hot path's expectation, the per-hop probes and explain all read it. Each
 * mode's own hops are its file's (mode_ops.h); here are the parts they share,
 * the paths every mode has alike (loopback; egress, ingress backwards) and
 * the lab's own links (the VPC's switch, the primary ENI).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/lab/ifnames.h"
#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"

unsigned int mode_interfaces(const struct lab *lab, struct lab_iface *out, unsigned int max)
{
	struct iface_list l = {.out = out, .max = max};
	struct lab_iface i;

	iface_vpc_switch(lab, &i);
	hops_list(&l, &i);
	iface_vpc_port(lab, WIRE_PORT, HOP_VETH, &i);
	hops_list(&l, &i);
	iface_wire_inst(lab, &i);
	hops_list(&l, &i);
	for (unsigned int k = 0; k < lab->ntasks; k++)
		if (mode_ops(lab->tasks[k].mode)->interfaces)
			mode_ops(lab->tasks[k].mode)->interfaces(lab, &lab->tasks[k], &l);
	return l.n;
}

int mode_route(const struct lab *lab, const struct lab_task *task, const struct lab_task *peer,
	       enum lab_path p, struct lab_route *r)
{
	const struct mode_ops *ops = mode_ops(task->mode);
	struct lab_route in = {.n = 0};
	struct lab_iface i;

	memset(r, 0, sizeof(*r));
	if (mode_has_path(task->mode, p, FAMILY_IPV4, NULL, 0) ||
	    (!ops->route && p != PATH_LOOPBACK))
		return -EINVAL;
	switch (p) {
	case PATH_INGRESS:
	case PATH_LOCAL:
	case PATH_AGENT:
		return ops->route(lab, task, NULL, p, r);
	case PATH_EGRESS: {
		/* The ingress path backwards. */
		int ret = ops->route(lab, task, NULL, PATH_INGRESS, &in);

		if (!ret)
			hops_push_reversed(r, &in);
		return ret;
	}
	case PATH_INTRA_HOST:
		if (!peer || peer == task || peer->mode != task->mode)
			return -EINVAL;
		return ops->route(lab, task, peer, p, r);
	case PATH_LOOPBACK:
		iface_lo(lab, task, &i);
		hops_push(r, &i, HOP_EGRESS);
		hops_push(r, &i, HOP_INGRESS);
		return 0;
	default:
		return -EINVAL;
	}
}
