// SPDX-License-Identifier: MIT
/*
 * What every lab is built from, whatever its tasks' modes: the VPC (its
 * switch and router), the primary ENI, the instance and its port mapping;
 * each task's namespace, built further by its mode's table (mode_ops.h:
 * mode_awsvpc.c, mode_bridge.c, mode_host.c, mode_none.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/lab/build.h"
#include "harness/lab/ifnames.h"
#include "harness/lab/instance.h"
#include "harness/lab/ipv6.h"
#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"
#include "harness/lab/vpc.h"
#include "netns/netns.h"
#include "netns/nftables.h"
#include "netns/rt.h"
#include "netns/sysctl.h"

const char *mode_wire_ifname(void)
{
	return WIRE_VPC;
}

const char *mode_inst_ifname(void)
{
	return WIRE_INST;
}

/* Autoconfiguration chatter would show up in the packet counters. */
static int ns_settle(struct lab *lab, const char *ns, struct rt *rt)
{
	int ret;

	ret = lab_step(lab, "disabling IPv6 in %s", ns);
	if (ret)
		return ret;
	ret = sysctl_write(ns, "net.ipv6.conf.all.disable_ipv6", "1");
	if (!ret)
		ret = sysctl_write(ns, "net.ipv6.conf.default.disable_ipv6", "1");
	/* A kernel without IPv6 has nothing to disable. */
	if (ret && ret != -ENOENT)
		return lab_fail(lab, ret, NULL);
	ret = lab_step(lab, "bringing lo up in %s", ns);
	if (ret)
		return ret;
	ret = rt_link_up(rt, "lo");
	return ret ? lab_fail(lab, ret, rt_ext_msg(rt)) : 0;
}

int mode_build_base(struct lab *lab)
{
	char cidr[32];
	int ret;

	ret = lab_ns_new(lab, lab->ns_vpc);
	if (ret)
		return ret;
	lab->vpc_made = true;
	ret = lab_ns_new(lab, lab->ns_inst);
	if (ret)
		return ret;
	lab->inst_made = true;

	ret = lab_step(lab, "opening rtnetlink in %s", lab->ns_vpc);
	if (!ret && (ret = rt_open(&lab->rt_vpc, lab->ns_vpc)))
		lab_fail(lab, ret, NULL);
	if (!ret)
		ret = lab_step(lab, "opening rtnetlink in %s", lab->ns_inst);
	if (!ret && (ret = rt_open(&lab->rt_inst, lab->ns_inst)))
		lab_fail(lab, ret, NULL);
	if (!ret)
		ret = ns_settle(lab, lab->ns_vpc, lab->rt_vpc);
	if (!ret)
		ret = ns_settle(lab, lab->ns_inst, lab->rt_inst);
	if (ret)
		return ret;
	/*
	 * An instance has ::1 on lo whatever its VPC: Docker binds [::1]:0 to decide
	 * that each published port gets a second docker-proxy on "::" (instance.c).
	 */
	ret = lab_step(lab, "enabling IPv6 on lo in %s", lab->ns_inst);
	if (!ret && (ret = sysctl_write(lab->ns_inst, "net.ipv6.conf.lo.disable_ipv6", "0")) &&
	    ret != -ENOENT)
		return lab_fail(lab, ret, NULL);
	ret = 0;

	ret = lab_step(lab, "enabling ip_forward in %s", lab->ns_inst);
	if (ret)
		return ret;
	ret = sysctl_write(lab->ns_inst, "net.ipv4.ip_forward", "1");
	if (ret)
		return lab_fail(lab, ret, NULL);

	ret = vpc_build(lab);
	if (ret)
		return ret;
	ip4_net_cidr(cidr, sizeof(cidr), lab->inst_addr, &lab->cfg.vpc_net);
	ret = lab_step(lab, "adding %s to %s in %s", cidr, WIRE_INST, lab->ns_inst);
	if (!ret && (ret = rt_addr_add(lab->rt_inst, WIRE_INST, cidr)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	if (ret)
		return ret;
	/* The VPC peer doubles as the VPC router. */
	ret = lab_step(lab, "adding default route via %s in %s", lab->vpc_addr, lab->ns_inst);
	if (!ret && (ret = rt_route_default(lab->rt_inst, lab->vpc_addr)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	if (!ret)
		ret = ipv6_build_base(lab);
	/* What every ECS instance carries, whatever its tasks' modes. */
	if (!ret)
		ret = instance_build(lab);
	if (ret || lab->cfg.variant == LAB_VARIANT_ECS)
		return ret;
	/* Explain's steps before DNAT: the VPC reaches the bridge subnet through the instance. */
	ip4_net_format(&lab->cfg.bridge_net, cidr);
	ret = lab_step(lab, "adding route to %s via %s in %s", cidr, lab->inst_addr, lab->ns_vpc);
	if (!ret && (ret = rt_route_add(lab->rt_vpc, cidr, lab->inst_addr)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_vpc));
	return ret;
}

/*
 * The port mapping of every bridge task built so far, with the table itself
 * the first time, in one nftables batch: one transaction instead of one per task.
 */
int mode_build_portmap(struct lab *lab)
{
	char net[20], comment[32], dev[16];
	int ret;

	for (unsigned int i = 0; lab_instance_iptables(&lab->cfg) && i < lab->ntasks; i++) {
		struct lab_task *t = &lab->tasks[i];

		if (!t->built || t->mapped || !t->host_port || !is_bridged(t))
			continue;
		ret = instance_publish(lab, t);
		if (ret)
			return ret;
		t->mapped = true;
	}
	if (!lab->pm)
		return 0;
	ret = lab_step(lab, "loading the port mapping (nftables table ip %s) in %s", PORTMAP_TABLE,
		       lab->ns_inst);
	if (ret)
		return ret;
	if (!lab->portmap_made && lab->bridge_made && !lab_instance_iptables(&lab->cfg)) {
		ip4_net_format(&lab->cfg.bridge_net, net);
		ret = lab->cfg.variant == LAB_VARIANT_CONNTRACK
			      ? portmap_queue_conntrack(lab->pm, BRIDGE)
			      : portmap_queue_init(lab->pm, BRIDGE, net);
		if (ret)
			return lab_fail(lab, ret, NULL);
	}
	for (unsigned int i = 0; i < lab->ntasks; i++) {
		struct lab_task *t = &lab->tasks[i];
		uint16_t lo = 32768, hi; /* the kernel's default, when unreadable */

		if (!lab->cfg.security_group || !mode_ops(t->mode)->own_eni || !t->built || t->sg)
			continue;
		if (!lab->sg_made && (ret = portmap_sg_init(lab->pm)))
			return lab_fail(lab, ret, NULL);
		lab->sg_made = true;
		/* Replies to the task's own connections land in its ephemeral range. */
		(void)ports_local_range(t->ns, &lo, &hi);
		snprintf(comment, sizeof(comment), "t%u", t->id);
		ret = portmap_sg_allow(lab->pm, vpc_sg_device(lab, t, dev, sizeof(dev)), t->addr,
				       t->container_port, lo, comment);
		if (ret)
			return lab_fail(lab, ret, NULL);
	}
	for (unsigned int i = 0; i < lab->ntasks; i++) {
		struct lab_task *t = &lab->tasks[i];

		if (!t->built || t->mapped || !t->host_port || !is_bridged(t))
			continue;
		snprintf(comment, sizeof(comment), "t%u", t->id);
		ret = portmap_queue_add(lab->pm, lab->inst_addr, t->host_port, t->addr,
					t->container_port, t->protos, comment);
		if (ret)
			return lab_fail(lab, ret, NULL);
	}
	ret = portmap_commit(lab->pm);
	if (ret)
		return lab_fail(lab, ret, portmap_error(lab->pm));
	lab->portmap_made = lab->bridge_made && !lab_instance_iptables(&lab->cfg);
	for (unsigned int i = 0; i < lab->ntasks; i++)
		if (mode_ops(lab->tasks[i].mode)->own_eni && lab->tasks[i].built &&
		    lab->cfg.security_group)
			lab->tasks[i].sg = true;
	for (unsigned int i = 0; i < lab->ntasks; i++)
		if (lab->tasks[i].built && lab->tasks[i].host_port && is_bridged(&lab->tasks[i]))
			lab->tasks[i].mapped = true;
	return 0;
}

static int task_ns(struct lab *lab, struct lab_task *t, struct rt **rt)
{
	int ret;

	ret = lab_ns_new(lab, t->ns);
	if (ret)
		return ret;
	ret = lab_step(lab, "opening rtnetlink in %s", t->ns);
	if (ret)
		return ret;
	ret = rt_open(rt, t->ns);
	if (ret)
		return lab_fail(lab, ret, NULL);
	return ns_settle(lab, t->ns, *rt);
}

int mode_build_task(struct lab *lab, struct lab_task *t)
{
	const struct mode_ops *ops = mode_ops(t->mode);
	struct rt *rt = NULL;
	int ret = 0;

	if (ops->own_ns)
		ret = task_ns(lab, t, &rt);
	if (!ret && ops->build)
		ret = ops->build(lab, t, rt);
	rt_close(rt);
	if (!ret)
		t->built = true;
	return ret;
}

/* The slow way, for comparison: every link deleted and waited for. */
int mode_teardown_links(struct lab *lab)
{
	if (lab->portmap_made && lab->pm)
		portmap_destroy(lab->pm);
	for (unsigned int i = lab->ntasks; i-- > 0;)
		if (mode_ops(lab->tasks[i].mode)->unlink)
			mode_ops(lab->tasks[i].mode)->unlink(lab, &lab->tasks[i]);
	if (lab->trunk_made && lab->rt_inst)
		rt_link_del(lab->rt_inst, TRUNK_ENI);
	if (lab->bridge_made && lab->rt_inst)
		rt_link_del(lab->rt_inst, BRIDGE);
	if (lab->agent_bridge_made && lab->rt_inst)
		rt_link_del(lab->rt_inst, AGENT_BRIDGE);
	if (lab->wire_made && lab->rt_inst)
		rt_link_del(lab->rt_inst, WIRE_INST);
	if (lab->wire_made && lab->rt_vpc)
		rt_link_del(lab->rt_vpc, SWITCH);
	return 0;
}
