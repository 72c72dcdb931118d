// SPDX-License-Identifier: MIT
/*
 * host: the task shares the instance's network stack. Nothing is built: it
 * lives in the instance's namespace, at the instance's addresses, and its
 * port is a port of the instance's own (one task each, as ECS checks).
 */
#include <errno.h>
#include <stdio.h>

#include "harness/lab/build.h"
#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"
#include "harness/lab/path.h"

static int place(struct lab *lab, struct lab_task *t)
{
	int ret = mode_claim_host_port(lab, t->id, t->container_port, "(host): port");

	if (ret)
		return ret;
	mode_scopy(t->ns, sizeof(t->ns), lab->ns_inst);
	mode_scopy(t->addr, sizeof(t->addr), lab->inst_addr);
	mode_scopy(t->ep_addr, sizeof(t->ep_addr), lab->inst_addr);
	mode_scopy(t->addr6, sizeof(t->addr6), lab->inst_addr6);
	t->host_port = t->container_port;
	t->ep_port = t->container_port;
	return 0;
}

static int build(struct lab *lab, struct lab_task *t, struct rt *rt)
{
	(void)rt;
	return lab_step(lab, "placing task t%u in %s", t->id, lab->ns_inst);
}

/*
 * ingress: the primary ENI, no more. intra-host, local and agent: the
 * instance's lo (the agent's endpoint by ecs-init's OUTPUT REDIRECT).
 */
static int route(const struct lab *lab, const struct lab_task *t, const struct lab_task *peer,
		 enum lab_path p, struct lab_route *r)
{
	struct lab_iface i;

	(void)t, (void)peer;
	switch (p) {
	case PATH_INGRESS:
		iface_vpc_switch(lab, &i);
		hops_push(r, &i, HOP_EGRESS);
		hops_wire_in(lab, r);
		return 0;
	case PATH_INTRA_HOST:
	case PATH_LOCAL:
	case PATH_AGENT:
		hops_inst_lo(lab, r);
		return 0;
	default:
		return -EINVAL;
	}
}

/* At the instance's address (its own socket is bound there); from the instance, over lo. */
static int reach(const struct lab *lab, const struct lab_task *srv, enum lab_path p,
		 enum bench_family f, struct bench_target *t, char *why, size_t len)
{
	bool v6 = f == FAMILY_IPV6;

	(void)why, (void)len;
	if (p == PATH_LOCAL) {
		snprintf(t->server_bind, sizeof(t->server_bind), "%s", v6 ? "::" : "0.0.0.0");
		snprintf(t->dst_addr, sizeof(t->dst_addr), "%s", v6 ? "::1" : "127.0.0.1");
		return 0;
	}
	snprintf(t->server_bind, sizeof(t->server_bind), "%s",
		 v6 ? lab->inst_addr6 : lab->inst_addr);
	if (v6)
		snprintf(t->dst_addr, sizeof(t->dst_addr), "%s", srv->addr6);
	return 0;
}

const struct mode_ops mode_host_ops = {
	.reachable = true,
	.static_port = true,
	.default_path = PATH_INGRESS,
	.place = place,
	.build = build,
	.task_if = iface_lo,
	.route = route,
	.reach = reach,
};
