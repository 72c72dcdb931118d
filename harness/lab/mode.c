// SPDX-License-Identifier: MIT
/*
 * The builders of the ECS task network modes:
 *   base:   vpc (the VPC's switch and router) -- the primary ENI -- inst (the instance)
 *   awsvpc: an ENI of its own (vpc.c), a macvlan of it in the task namespace
 *           (the lab's analogue: ECS's ENI plugins move the ENI itself there)
 *   bridge: veth into ecs0 (docker0) plus DNAT/masquerade in inst
 *   host:   nothing: the task lives in inst
 *   none:   a namespace with lo only
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

/* Sets an MTU the configuration asks for (0: the kernel's default stays). */
static int set_mtu(struct lab *lab, struct rt *rt, const char *ifname, const char *ns,
		   unsigned int mtu)
{
	int ret;

	if (!mtu)
		return 0;
	ret = lab_step(lab, "setting the MTU of %s in %s to %u", ifname, ns, mtu);
	if (!ret && (ret = rt_link_mtu(rt, ifname, mtu)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	return ret;
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

static int build_bridge(struct lab *lab)
{
	char cidr[32];
	int ret;

	if (lab->bridge_made || lab->cfg.variant == LAB_VARIANT_VETH)
		return 0;
	ret = lab_step(lab, "creating bridge %s in %s", BRIDGE, lab->ns_inst);
	if (!ret && (ret = rt_bridge_add(lab->rt_inst, BRIDGE, LAB_LINK_GROUP)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	if (ret)
		return ret;
	lab->bridge_made = true;
	/* Docker with the proxy off lets the bridge route 127/8 (hairpin to a hostPort). */
	if (lab_instance_iptables(&lab->cfg) && !lab->cfg.userland_proxy) {
		ret = lab_step(lab, "setting route_localnet on %s in %s", BRIDGE, lab->ns_inst);
		if (!ret && (ret = sysctl_write(lab->ns_inst,
						"net.ipv4.conf." BRIDGE ".route_localnet", "1")))
			return lab_fail(lab, ret, NULL);
		if (ret)
			return ret;
	}
	ret = set_mtu(lab, lab->rt_inst, BRIDGE, lab->ns_inst, lab->cfg.bridge_mtu);
	if (ret)
		return ret;
	ip4_net_cidr(cidr, sizeof(cidr), lab->bridge_addr, &lab->cfg.bridge_net);
	ret = lab_step(lab, "adding %s to %s in %s", cidr, BRIDGE, lab->ns_inst);
	if (!ret && (ret = rt_addr_add(lab->rt_inst, BRIDGE, cidr)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	if (ret)
		return ret;

	/*
	 * The bridge step of explain has no nftables table at all; under an
	 * instance profile, Docker's iptables rules map the ports (instance.c).
	 */
	if (lab->cfg.variant == LAB_VARIANT_BRIDGE || lab_instance_iptables(&lab->cfg))
		return 0;
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

		if (!lab->cfg.security_group || t->mode != MODE_AWSVPC || !t->built || t->sg)
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
		if (lab->tasks[i].mode == MODE_AWSVPC && lab->tasks[i].built &&
		    lab->cfg.security_group)
			lab->tasks[i].sg = true;
	for (unsigned int i = 0; i < lab->ntasks; i++)
		if (lab->tasks[i].built && lab->tasks[i].host_port && is_bridged(&lab->tasks[i]))
			lab->tasks[i].mapped = true;
	return 0;
}

static int dynamic_range(struct lab *lab)
{
	if (lab->dyn_range_read)
		return 0;
	lab->dyn_range_read = true;
	/* ECS falls back to 49153-65535 when the range cannot be read. */
	if (ports_local_range(lab->ns_inst, &lab->dyn_lo, &lab->dyn_hi)) {
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
	ip4_net_cidr(cidr, sizeof(cidr), t->addr, net);
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
	int ret;

	ret = vpc_task_link(lab, t, rt, TASK_IF);
	if (!ret)
		ret = task_addr(lab, t, rt, &lab->cfg.vpc_net, lab->vpc_addr);
	if (!ret)
		ret = ipv6_build_task(lab, t, rt);
	if (ret || !lab->cfg.security_group || lab->pm)
		return ret;
	ret = lab_step(lab, "opening nftables in %s", lab->ns_inst);
	if (!ret && (ret = portmap_open(&lab->pm, lab->ns_inst)))
		return lab_fail(lab, ret, NULL);
	return ret;
}

/*
 * The task's second interface, to the ECS agent, as the ecs-bridge and
 * ecs-ipam plugins build it: a veth ecs-eth0 onto the instance's ecs-bridge
 * (169.254.172.1/22, made with the first), the task's address from the /22,
 * and a route to 169.254.170.2 only: ecs-init's DNAT does the rest.
 */
static int build_agent_leg(struct lab *lab, struct lab_task *t, struct rt *rt)
{
	char host_if[16], addr[16], cidr[32];
	int ret, master, nsfd;

	if (!lab->agent_bridge_made) {
		ret = lab_step(lab, "creating bridge %s in %s", AGENT_BRIDGE, lab->ns_inst);
		if (!ret && (ret = rt_bridge_add(lab->rt_inst, AGENT_BRIDGE, LAB_LINK_GROUP)))
			return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
		if (ret)
			return ret;
		lab->agent_bridge_made = true;
		snprintf(cidr, sizeof(cidr), "%s/%d", AGENT_GATEWAY, AGENT_PREFIX);
		ret = lab_step(lab, "adding %s to %s in %s", cidr, AGENT_BRIDGE, lab->ns_inst);
		if (!ret && (ret = rt_addr_add(lab->rt_inst, AGENT_BRIDGE, cidr)))
			return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
		if (ret)
			return ret;
	}
	agent_veth(t, host_if, sizeof(host_if));
	ret = lab_step(lab, "creating veth %s (%s, on %s) <-> %s (%s)", host_if, lab->ns_inst,
		       AGENT_BRIDGE, AGENT_TASK_IF, t->ns);
	if (ret)
		return ret;
	master = rt_ifindex(lab->rt_inst, AGENT_BRIDGE);
	if (master < 0)
		return lab_fail(lab, master, rt_ext_msg(lab->rt_inst));
	nsfd = netns_open(t->ns);
	if (nsfd < 0)
		return lab_fail(lab, nsfd, NULL);
	ret = rt_veth_add(lab->rt_inst, host_if, master, AGENT_TASK_IF, nsfd, LAB_LINK_GROUP, 0);
	close(nsfd);
	if (ret)
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	agent_addr(t, addr, sizeof(addr));
	snprintf(cidr, sizeof(cidr), "%s/%d", addr, AGENT_PREFIX);
	ret = lab_step(lab, "bringing %s up with %s in %s", AGENT_TASK_IF, cidr, t->ns);
	if (!ret &&
	    ((ret = rt_link_up(rt, AGENT_TASK_IF)) || (ret = rt_addr_add(rt, AGENT_TASK_IF, cidr))))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	if (ret)
		return ret;
	ret = lab_step(lab, "adding route to %s/32 via %s in %s", PATH_AGENT_ADDR, AGENT_GATEWAY,
		       t->ns);
	if (!ret && (ret = rt_route_add(rt, PATH_AGENT_ADDR "/32", AGENT_GATEWAY)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	return ret;
}

static int build_bridged(struct lab *lab, struct lab_task *t, struct rt *rt)
{
	bool routed = lab->cfg.variant == LAB_VARIANT_VETH;
	char host_if[16], cidr[32];
	int ret, master = 0, nsfd;

	ret = build_bridge(lab);
	if (ret)
		return ret;
	host_veth(t, host_if, sizeof(host_if));
	ret = lab_step(lab, "creating veth %s (%s, %s %s) <-> %s (%s)", host_if, lab->ns_inst,
		       routed ? "routed, no" : "on", BRIDGE, TASK_IF, t->ns);
	if (ret)
		return ret;
	if (!routed && (master = rt_ifindex(lab->rt_inst, BRIDGE)) < 0)
		return lab_fail(lab, master, rt_ext_msg(lab->rt_inst));
	nsfd = netns_open(t->ns);
	if (nsfd < 0)
		return lab_fail(lab, nsfd, NULL);
	ret = rt_veth_add(lab->rt_inst, host_if, master, TASK_IF, nsfd, LAB_LINK_GROUP,
			  lab_bridge_mtu(&lab->cfg));
	close(nsfd);
	if (ret)
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	if (routed) {
		/* The instance's end of a routed veth holds the gateway address itself. */
		ip4_net_cidr(cidr, sizeof(cidr), lab->bridge_addr, &lab->cfg.bridge_net);
		ret = lab_step(lab, "adding %s to %s in %s", cidr, host_if, lab->ns_inst);
		if (!ret && (ret = rt_addr_add(lab->rt_inst, host_if, cidr)))
			return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	}
	if (!ret)
		ret = task_addr(lab, t, rt, &lab->cfg.bridge_net, lab->bridge_addr);
	if (ret)
		return ret;

	if (t->mode == MODE_BRIDGE_DYNAMIC && !t->host_port &&
	    lab->cfg.variant == LAB_VARIANT_ECS) {
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
			if (!ret && has_agent_leg(lab, t))
				ret = build_agent_leg(lab, t, rt);
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

		if (is_bridged(t)) {
			host_veth(t, host_if, sizeof(host_if));
			if (lab->rt_inst)
				rt_link_del(lab->rt_inst, host_if);
		} else if (t->mode == MODE_AWSVPC && netns_exists(t->ns) && !rt_open(&rt, t->ns)) {
			rt_link_del(rt, TASK_IF);
			if (has_agent_leg(lab, t))
				rt_link_del(rt, AGENT_TASK_IF);
			rt_close(rt);
			eni_name(t, host_if, sizeof(host_if));
			if (!lab->cfg.trunking && lab->rt_inst)
				rt_link_del(lab->rt_inst, host_if);
		}
	}
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
