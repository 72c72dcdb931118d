// SPDX-License-Identifier: MIT
/*
 * ECS's placement rules: where each task's address and ports come from, and
 * what ECS refuses (a taken hostPort or host-mode port, the ENI limit, an
 * address plan that is full). Nothing is built here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/lab/build.h"
#include "harness/lab/placement.h"
#include "netns/testhooks.h"

/* Like snprintf("%s"), for fields of one struct (gcc's -Wrestrict cannot tell them apart). */
static void scopy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memmove(dst, src, n);
	dst[n] = '\0';
}

static unsigned int lab_count_mode(const struct lab *lab, enum lab_mode m)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < lab->ntasks; i++)
		n += lab->tasks[i].mode == m;
	return n;
}

/* A port of the instance's own stack (a static hostPort, host mode): one task each. */
static int claim_host_port(struct lab *lab, unsigned int id, uint16_t port, const char *what)
{
	int holder = 0, ret = port_claim(&lab->ports, port, (int)id, &holder);

	if (ret == -EADDRINUSE)
		return lab_refuse(
			lab, ret,
			"task t%u %s %u is already taken on the instance by task t%d (%s)", id,
			what, port, holder, lab_mode_name(lab->tasks[holder - 1].mode));
	if (ret)
		return lab_refuse(lab, ret, "task t%u: too many host ports", id);
	return 0;
}

int lab_plan_task(struct lab *lab, enum lab_mode mode, uint16_t container_port)
{
	struct lab_task *t;
	unsigned int id = lab->ntasks + 1;
	int ret;

	if ((unsigned int)mode >= MODE_COUNT || container_port == 0)
		return lab_refuse(lab, -EINVAL, "task t%u: invalid mode or port", id);
	if (lab->ntasks >= LAB_MAX_TASKS)
		return lab_refuse(lab, -ENOSPC, "task t%u: a lab holds at most %d tasks", id,
				  LAB_MAX_TASKS);
	/* Only an ENI of its own has a security group: the state must not claim one elsewhere. */
	if (lab->cfg.security_group && mode != MODE_AWSVPC)
		return lab_refuse(lab, -EINVAL,
				  "task t%u (%s): a security group is an awsvpc task's (its own "
				  "ENI's); %s tasks have none",
				  id, lab_mode_name(mode), lab_mode_name(mode));
	t = &lab->tasks[lab->ntasks];
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->mode = mode;
	t->container_port = container_port;
	t->protos = LAB_PROTO_TCP | (lab->cfg.publish_udp ? LAB_PROTO_UDP : 0);
	t->own_ns = mode != MODE_HOST;
	{
		char ns[LAB_NS_LEN];

		snprintf(ns, sizeof(ns), "nsb-%s-t%u", lab->id, id);
		scopy(t->ns, sizeof(t->ns), ns);
	}
	scopy(t->client_ns, sizeof(t->client_ns), lab->ns_vpc);

	switch (mode) {
	case MODE_AWSVPC: {
		unsigned int n = lab_count_mode(lab, MODE_AWSVPC);

		if (lab->cfg.max_enis && n + 1 > lab->cfg.max_enis - 1)
			return lab_refuse(lab, -ENOSPC,
					  "task t%u (awsvpc): ENI limit reached: the instance has "
					  "%u ENIs, the primary one is its own, so at most %u "
					  "awsvpc tasks",
					  id, lab->cfg.max_enis, lab->cfg.max_enis - 1);
		ret = ip4_net_host(&lab->cfg.vpc_net, lab->cfg.awsvpc_offset + id, t->addr);
		if (ret)
			return lab_refuse(lab, -ENOSPC,
					  "task t%u (awsvpc): the VPC subnet has no address left",
					  id);
		scopy(t->ep_addr, sizeof(t->ep_addr), t->addr);
		t->ep_port = container_port;
		if (lab->cfg.dual_stack &&
		    ip6_net_host(&lab->cfg.vpc_net6, lab->cfg.awsvpc_offset + id, t->addr6))
			return lab_refuse(lab, -ENOSPC,
					  "task t%u (awsvpc): the VPC's IPv6 subnet has no address "
					  "left",
					  id);
		break;
	}
	case MODE_BRIDGE:
	case MODE_BRIDGE_DYNAMIC:
		ret = ip4_net_host(&lab->cfg.bridge_net, 1 + id, t->addr);
		if (ret)
			return lab_refuse(lab, -ENOSPC,
					  "task t%u (%s): the bridge subnet has no address left",
					  id, lab_mode_name(mode));
		if (lab->cfg.variant != LAB_VARIANT_ECS) {
			/* explain's steps before DNAT: no hostPort, the task's own address. */
			if (lab->cfg.variant == LAB_VARIANT_VETH &&
			    lab_count_mode(lab, MODE_BRIDGE) +
				    lab_count_mode(lab, MODE_BRIDGE_DYNAMIC))
				return lab_refuse(
					lab, -ENOSPC,
					"task t%u: a routed-veth lab holds one bridge task", id);
			scopy(t->ep_addr, sizeof(t->ep_addr), t->addr);
			t->ep_port = container_port;
			break;
		}
		if (mode == MODE_BRIDGE && testhook_break("port-conflict")) {
			/* A lab without ECS's conflict check, for the test that breaks a claim. */
			t->host_port = container_port;
		} else if (mode == MODE_BRIDGE) {
			ret = claim_host_port(lab, id, container_port, "(bridge): hostPort");
			if (ret)
				return ret;
			t->host_port = container_port;
		}
		/* A dynamic hostPort is chosen at build time, from the instance's range. */
		scopy(t->ep_addr, sizeof(t->ep_addr), lab->inst_addr);
		t->ep_port = t->host_port;
		break;
	case MODE_HOST:
		ret = claim_host_port(lab, id, container_port, "(host): port");
		if (ret)
			return ret;
		scopy(t->ns, sizeof(t->ns), lab->ns_inst);
		scopy(t->addr, sizeof(t->addr), lab->inst_addr);
		scopy(t->ep_addr, sizeof(t->ep_addr), lab->inst_addr);
		scopy(t->addr6, sizeof(t->addr6), lab->inst_addr6);
		t->host_port = container_port;
		t->ep_port = container_port;
		break;
	case MODE_NONE:
		snprintf(t->addr, sizeof(t->addr), "127.0.0.1");
		snprintf(t->ep_addr, sizeof(t->ep_addr), "127.0.0.1");
		t->ep_port = container_port;
		scopy(t->client_ns, sizeof(t->client_ns), t->ns);
		break;
	default:
		return -EINVAL;
	}
	lab->ntasks++;
	return 0;
}
