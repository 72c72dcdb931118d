// SPDX-License-Identifier: MIT
/*
 * The builders of the ECS task network modes:
 *   base:   vpc (the VPC peer) -- veth "the wire" -- inst (the container instance)
 *   awsvpc: macvlan of inst's eth0 in the task namespace (the task's ENI)
 *   bridge: veth into ecs0 (docker0) plus DNAT/masquerade in inst
 *   host:   nothing: the task lives in inst
 *   none:   a namespace with lo only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "netns.h"
#include "portmap.h"
#include "rt.h"
#include "sysctl.h"

#define WIRE_VPC "vpc0"
#define WIRE_INST "eth0"
#define BRIDGE "ecs0"
#define TASK_IF "eth0"

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

static int addr_cidr(char *buf, size_t len, const char *addr, const struct ip4_net *net)
{
	return snprintf(buf, len, "%s/%u", addr, net->plen) < (int)len ? 0 : -EINVAL;
}

int mode_build_base(struct lab *lab)
{
	char cidr[32];
	int ret, nsfd;

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

	ret = lab_step(lab, "enabling ip_forward in %s", lab->ns_inst);
	if (ret)
		return ret;
	ret = sysctl_write(lab->ns_inst, "net.ipv4.ip_forward", "1");
	if (ret)
		return lab_fail(lab, ret, NULL);

	/* Made from the instance's side so that its end joins the lab's link group. */
	ret = lab_step(lab, "creating veth %s (%s) <-> %s (%s)", WIRE_INST, lab->ns_inst, WIRE_VPC,
		       lab->ns_vpc);
	if (ret)
		return ret;
	nsfd = netns_open(lab->ns_vpc);
	if (nsfd < 0)
		return lab_fail(lab, nsfd, NULL);
	ret = rt_veth_add(lab->rt_inst, WIRE_INST, 0, WIRE_VPC, nsfd, LAB_LINK_GROUP);
	close(nsfd);
	if (ret)
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	lab->wire_made = true;

	ret = lab_step(lab, "bringing %s up in %s", WIRE_VPC, lab->ns_vpc);
	if (!ret && (ret = rt_link_up(lab->rt_vpc, WIRE_VPC)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_vpc));
	if (ret)
		return ret;

	addr_cidr(cidr, sizeof(cidr), lab->vpc_addr, &lab->cfg.vpc_net);
	ret = lab_step(lab, "adding %s to %s in %s", cidr, WIRE_VPC, lab->ns_vpc);
	if (!ret && (ret = rt_addr_add(lab->rt_vpc, WIRE_VPC, cidr)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_vpc));
	if (ret)
		return ret;
	addr_cidr(cidr, sizeof(cidr), lab->inst_addr, &lab->cfg.vpc_net);
	ret = lab_step(lab, "adding %s to %s in %s", cidr, WIRE_INST, lab->ns_inst);
	if (!ret && (ret = rt_addr_add(lab->rt_inst, WIRE_INST, cidr)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	if (ret)
		return ret;
	/* The VPC peer doubles as the VPC router. */
	ret = lab_step(lab, "adding default route via %s in %s", lab->vpc_addr, lab->ns_inst);
	if (!ret && (ret = rt_route_default(lab->rt_inst, lab->vpc_addr)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	return ret;
}

static int build_bridge(struct lab *lab)
{
	char cidr[32];
	int ret;

	if (lab->bridge_made)
		return 0;
	ret = lab_step(lab, "creating bridge %s in %s", BRIDGE, lab->ns_inst);
	if (!ret && (ret = rt_bridge_add(lab->rt_inst, BRIDGE, LAB_LINK_GROUP)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	if (ret)
		return ret;
	lab->bridge_made = true;
	addr_cidr(cidr, sizeof(cidr), lab->bridge_addr, &lab->cfg.bridge_net);
	ret = lab_step(lab, "adding %s to %s in %s", cidr, BRIDGE, lab->ns_inst);
	if (!ret && (ret = rt_addr_add(lab->rt_inst, BRIDGE, cidr)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	if (ret)
		return ret;

	ret = lab_step(lab, "opening nftables in %s", lab->ns_inst);
	if (ret)
		return ret;
	if (!lab->pm && (ret = portmap_open(&lab->pm, lab->ns_inst)))
		return lab_fail(lab, ret, NULL);
	return 0;
}

/*
 * The port mapping of every bridge task built so far, with the table itself
 * the first time, in one nftables batch: one transaction instead of one per task.
 */
int mode_build_portmap(struct lab *lab)
{
	char net[20], comment[32];
	int ret;

	if (!lab->pm)
		return 0;
	ret = lab_step(lab, "loading the port mapping (nftables table ip %s) in %s", PORTMAP_TABLE,
		       lab->ns_inst);
	if (ret)
		return ret;
	if (!lab->portmap_made && lab->bridge_made) {
		ip4_net_format(&lab->cfg.bridge_net, net);
		ret = portmap_queue_init(lab->pm, BRIDGE, net);
		if (ret)
			return lab_fail(lab, ret, NULL);
	}
	for (unsigned int i = 0; i < lab->ntasks; i++) {
		struct lab_task *t = &lab->tasks[i];
		char buf[64];
		uint16_t lo = 32768, hi;

		if (!lab->cfg.security_group || t->mode != MODE_AWSVPC || !t->built || t->sg)
			continue;
		if (!lab->sg_made && (ret = portmap_sg_init(lab->pm, WIRE_INST)))
			return lab_fail(lab, ret, NULL);
		lab->sg_made = true;
		/* Replies to the task's own connections land in its ephemeral range. */
		if (sysctl_read(t->ns, "net.ipv4.ip_local_port_range", buf, sizeof(buf)) == 0)
			port_range_parse(buf, &lo, &hi);
		snprintf(comment, sizeof(comment), "t%u", t->id);
		ret = portmap_sg_allow(lab->pm, t->addr, t->container_port, lo, comment);
		if (ret)
			return lab_fail(lab, ret, NULL);
	}
	for (unsigned int i = 0; i < lab->ntasks; i++) {
		struct lab_task *t = &lab->tasks[i];

		if (!t->built || t->mapped || !t->host_port ||
		    (t->mode != MODE_BRIDGE && t->mode != MODE_BRIDGE_DYNAMIC))
			continue;
		snprintf(comment, sizeof(comment), "t%u", t->id);
		ret = portmap_queue_add(lab->pm, lab->inst_addr, t->host_port, t->addr,
					t->container_port, comment);
		if (ret)
			return lab_fail(lab, ret, NULL);
	}
	ret = portmap_commit(lab->pm);
	if (ret)
		return lab_fail(lab, ret, portmap_error(lab->pm));
	lab->portmap_made = lab->bridge_made;
	for (unsigned int i = 0; i < lab->ntasks; i++)
		if (lab->tasks[i].mode == MODE_AWSVPC && lab->tasks[i].built &&
		    lab->cfg.security_group)
			lab->tasks[i].sg = true;
	for (unsigned int i = 0; i < lab->ntasks; i++)
		if (lab->tasks[i].built && lab->tasks[i].host_port &&
		    (lab->tasks[i].mode == MODE_BRIDGE ||
		     lab->tasks[i].mode == MODE_BRIDGE_DYNAMIC))
			lab->tasks[i].mapped = true;
	return 0;
}

static int dynamic_range(struct lab *lab)
{
	char buf[64];

	if (lab->dyn_range_read)
		return 0;
	lab->dyn_range_read = true;
	/* ECS falls back to 49153-65535 when the range cannot be read. */
	if (sysctl_read(lab->ns_inst, "net.ipv4.ip_local_port_range", buf, sizeof(buf)) ||
	    port_range_parse(buf, &lab->dyn_lo, &lab->dyn_hi)) {
		lab->dyn_lo = LAB_DYNAMIC_LO;
		lab->dyn_hi = LAB_DYNAMIC_HI;
	}
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

static int task_addr(struct lab *lab, struct lab_task *t, struct rt *rt, const struct ip4_net *net,
		     const char *gw)
{
	char cidr[32];
	int ret;

	ret = lab_step(lab, "bringing %s up in %s", TASK_IF, t->ns);
	if (!ret && (ret = rt_link_up(rt, TASK_IF)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	if (ret)
		return ret;
	addr_cidr(cidr, sizeof(cidr), t->addr, net);
	ret = lab_step(lab, "adding %s to %s in %s", cidr, TASK_IF, t->ns);
	if (!ret && (ret = rt_addr_add(rt, TASK_IF, cidr)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	if (ret)
		return ret;
	ret = lab_step(lab, "adding default route via %s in %s", gw, t->ns);
	if (!ret && (ret = rt_route_default(rt, gw)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	return ret;
}

static int build_awsvpc(struct lab *lab, struct lab_task *t, struct rt *rt)
{
	int ret, parent, nsfd;

	ret = lab_step(lab, "creating macvlan %s (%s mode) of %s:%s in %s", TASK_IF,
		       lab->cfg.macvlan_mode, lab->ns_inst, WIRE_INST, t->ns);
	if (ret)
		return ret;
	parent = rt_ifindex(lab->rt_inst, WIRE_INST);
	if (parent < 0)
		return lab_fail(lab, parent, rt_ext_msg(lab->rt_inst));
	nsfd = netns_open(t->ns);
	if (nsfd < 0)
		return lab_fail(lab, nsfd, NULL);
	ret = rt_macvlan_add(lab->rt_inst, TASK_IF, parent, lab->cfg.macvlan_mode, nsfd);
	close(nsfd);
	if (ret)
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	ret = task_addr(lab, t, rt, &lab->cfg.vpc_net, lab->vpc_addr);
	if (ret || !lab->cfg.security_group || lab->pm)
		return ret;
	ret = lab_step(lab, "opening nftables in %s", lab->ns_inst);
	if (!ret && (ret = portmap_open(&lab->pm, lab->ns_inst)))
		return lab_fail(lab, ret, NULL);
	return ret;
}

static int build_bridged(struct lab *lab, struct lab_task *t, struct rt *rt)
{
	char host_if[16];
	int ret, master, nsfd;

	ret = build_bridge(lab);
	if (ret)
		return ret;
	snprintf(host_if, sizeof(host_if), "veth-t%u", t->id);
	ret = lab_step(lab, "creating veth %s (%s, on %s) <-> %s (%s)", host_if, lab->ns_inst,
		       BRIDGE, TASK_IF, t->ns);
	if (ret)
		return ret;
	master = rt_ifindex(lab->rt_inst, BRIDGE);
	if (master < 0)
		return lab_fail(lab, master, rt_ext_msg(lab->rt_inst));
	nsfd = netns_open(t->ns);
	if (nsfd < 0)
		return lab_fail(lab, nsfd, NULL);
	ret = rt_veth_add(lab->rt_inst, host_if, master, TASK_IF, nsfd, LAB_LINK_GROUP);
	close(nsfd);
	if (ret)
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	ret = task_addr(lab, t, rt, &lab->cfg.bridge_net, lab->bridge_addr);
	if (ret)
		return ret;

	if (t->mode == MODE_BRIDGE_DYNAMIC && !t->host_port) {
		ret = lab_step(lab, "allocating a dynamic hostPort for task t%u", t->id);
		if (ret)
			return ret;
		dynamic_range(lab);
		ret = port_alloc(&lab->ports, lab->dyn_lo, lab->dyn_hi, (int)t->id, &t->host_port);
		if (ret)
			return lab_fail(lab, ret, NULL);
		t->ep_port = t->host_port;
	}
	return 0;
}

int mode_build_task(struct lab *lab, struct lab_task *t)
{
	struct rt *rt = NULL;
	int ret = 0;

	if (t->mode == MODE_HOST) {
		t->built = true;
		return lab_step(lab, "placing task t%u in %s", t->id, lab->ns_inst);
	}
	ret = task_ns(lab, t, &rt);
	if (!ret) {
		switch (t->mode) {
		case MODE_AWSVPC:
			ret = build_awsvpc(lab, t, rt);
			break;
		case MODE_BRIDGE:
		case MODE_BRIDGE_DYNAMIC:
			ret = build_bridged(lab, t, rt);
			break;
		default:
			break;
		}
	}
	rt_close(rt);
	if (!ret)
		t->built = true;
	return ret;
}

/* The slow way, for comparison: every link deleted and waited for. */
int mode_teardown_links(struct lab *lab)
{
	char host_if[16];

	if (lab->portmap_made && lab->pm)
		portmap_destroy(lab->pm);
	for (unsigned int i = lab->ntasks; i-- > 0;) {
		struct lab_task *t = &lab->tasks[i];
		struct rt *rt = NULL;

		if (t->mode == MODE_BRIDGE || t->mode == MODE_BRIDGE_DYNAMIC) {
			snprintf(host_if, sizeof(host_if), "veth-t%u", t->id);
			if (lab->rt_inst)
				rt_link_del(lab->rt_inst, host_if);
		} else if (t->mode == MODE_AWSVPC && netns_exists(t->ns) && !rt_open(&rt, t->ns)) {
			rt_link_del(rt, TASK_IF);
			rt_close(rt);
		}
	}
	if (lab->bridge_made && lab->rt_inst)
		rt_link_del(lab->rt_inst, BRIDGE);
	if (lab->wire_made && lab->rt_vpc)
		rt_link_del(lab->rt_vpc, WIRE_VPC);
	return 0;
}
