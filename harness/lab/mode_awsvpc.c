// SPDX-License-Identifier: MIT
/*
 * awsvpc: the task has an ENI of its own: a port on the VPC's switch and its
 * link "eni-tN" in the instance (vpc.c), and a macvlan of it in the task's
 * namespace; or, with ENI trunking, a branch: a VLAN of the instance's one
 * trunk ENI moved into the task's namespace, whose frames the switch takes in
 * through a port per VLAN. The macvlan is the lab's analogue, not what the
 * agent's plugins do: both ENI plugins (aws/amazon-ecs-cni-plugins' ecs-eni,
 * aws/amazon-vpc-cni-plugins' vpc-eni, plugins/vpc-eni/network/network_linux.go)
 * move the ENI device itself into the task namespace; a lab ENI is a veth end
 * in the instance, which cannot be both the switch's port there and the task's
 * link, and a macvlan of it adds one device on the receive path
 * (vpc-branch-eni's VLAN is as the lab builds it). On an instance profile the
 * task also has the agent's leg, as aws/amazon-ecs-cni-plugins' ecs-bridge
 * and ecs-ipam build it. Its address is the VPC's; it may carry a security
 * group and an IPv6 address.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "harness/lab/build.h"
#include "harness/lab/ifnames.h"
#include "harness/lab/ipv6.h"
#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"
#include "harness/lab/path.h"
#include "harness/lab/vpc.h"
#include "netns/netns.h"
#include "netns/nftables.h"
#include "netns/rt.h"

/* VLAN devices are 8021q's: a kernel without it says only "not supported". */
static int no_vlans(struct lab *lab, int err, struct rt *rt)
{
	if (err != -EOPNOTSUPP)
		return lab_fail(lab, err, rt_ext_msg(rt));
	return lab_fail(lab, err,
			"ENI trunking needs 802.1Q VLAN devices, which this kernel lacks "
			"(CONFIG_VLAN_8021Q, module 8021q)");
}

/*
 * The trunk ENI with the first branch; then the branch's VLAN on the switch's
 * side (its own port) and on the instance's, made straight into the task's
 * namespace under a name of its own (5.10-6.12 look the name up where it is
 * made) and renamed there.
 */
static int build_branch(struct lab *lab, struct lab_task *t, const char *made)
{
	unsigned int vid = branch_vlan(t);
	/* Locally administered, "nsb", the VLAN id. */
	uint8_t mac[6] = {0x02, 0x6e, 0x73, 0x62, 0, 0};
	char port[16];
	int ret, master, parent, nsfd;

	if (!lab->trunk_made) {
		ret = vpc_eni_link(lab, TRUNK_PORT, TRUNK_ENI, true);
		if (ret)
			return ret;
		lab->trunk_made = true;
	}
	branch_port(t, port, sizeof(port));
	ret = lab_step(lab, "creating VLAN %u: %s on %s (%s, on the switch %s)", vid, port,
		       TRUNK_PORT, lab->ns_vpc, SWITCH);
	if (ret)
		return ret;
	master = rt_ifindex(lab->rt_vpc, SWITCH);
	parent = master < 0 ? master : rt_ifindex(lab->rt_vpc, TRUNK_PORT);
	if (parent < 0)
		return lab_fail(lab, parent, rt_ext_msg(lab->rt_vpc));
	ret = rt_vlan_add(lab->rt_vpc, port, parent, (uint16_t)vid, master, -1, LAB_LINK_GROUP,
			  NULL);
	if (ret)
		return no_vlans(lab, ret, lab->rt_vpc);
	ret = lab_step(lab, "creating VLAN %u: %s of %s:%s in %s", vid, made, lab->ns_inst,
		       TRUNK_ENI, t->ns);
	if (ret)
		return ret;
	parent = rt_ifindex(lab->rt_inst, TRUNK_ENI);
	if (parent < 0)
		return lab_fail(lab, parent, rt_ext_msg(lab->rt_inst));
	nsfd = netns_open(t->ns);
	if (nsfd < 0)
		return lab_fail(lab, nsfd, NULL);
	/*
	 * A MAC of its own, as each branch ENI has: VLANs take their parent's, and two
	 * branches with one MAC would look to the switch like one station on two ports.
	 */
	mac[4] = (uint8_t)(vid >> 8);
	mac[5] = (uint8_t)vid;
	ret = rt_vlan_add(lab->rt_inst, made, parent, (uint16_t)vid, 0, nsfd, 0, mac);
	close(nsfd);
	if (ret)
		return no_vlans(lab, ret, lab->rt_inst);
	return 0;
}

static int build_eni(struct lab *lab, struct lab_task *t, const char *made)
{
	char eni[16], port[16];
	int ret, parent, nsfd;

	eni_name(t, eni, sizeof(eni));
	eni_port(t, port, sizeof(port));
	ret = vpc_eni_link(lab, port, eni, false);
	if (ret)
		return ret;
	ret = lab_step(lab, "creating macvlan %s (%s mode) of %s:%s in %s", made,
		       lab->cfg.macvlan_mode, lab->ns_inst, eni, t->ns);
	if (ret)
		return ret;
	parent = rt_ifindex(lab->rt_inst, eni);
	if (parent < 0)
		return lab_fail(lab, parent, rt_ext_msg(lab->rt_inst));
	nsfd = netns_open(t->ns);
	if (nsfd < 0)
		return lab_fail(lab, nsfd, NULL);
	ret = rt_macvlan_add(lab->rt_inst, made, parent, lab->cfg.macvlan_mode, nsfd);
	close(nsfd);
	return ret ? lab_fail(lab, ret, rt_ext_msg(lab->rt_inst)) : 0;
}

/*
 * The task's interface on the VPC, made in its namespace (RT's) as IFNAME,
 * down: a macvlan of its ENI, or its branch of the trunk ENI.
 */
static int task_link(struct lab *lab, struct lab_task *t, struct rt *rt, const char *ifname)
{
	char made[16];
	int ret;

	/* Made under a name of its own, then renamed: 5.10-6.12 look the name up where it is made.
	 */
	snprintf(made, sizeof(made), "%s-t%u", lab->cfg.trunking ? "vl" : "mv", t->id);
	ret = lab->cfg.trunking ? build_branch(lab, t, made) : build_eni(lab, t, made);
	if (ret)
		return ret;
	ret = lab_step(lab, "renaming %s to %s in %s", made, ifname, t->ns);
	if (!ret && (ret = rt_link_rename(rt, made, ifname)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	return ret;
}

static int place(struct lab *lab, struct lab_task *t)
{
	unsigned int n = mode_count(lab, MODE_AWSVPC);

	if (lab->cfg.max_enis && n + 1 > lab->cfg.max_enis - 1)
		return lab_refuse(lab, -ENOSPC,
				  "task t%u (awsvpc): ENI limit reached: the instance has %u ENIs, "
				  "the primary one is its own, so at most %u awsvpc tasks",
				  t->id, lab->cfg.max_enis, lab->cfg.max_enis - 1);
	if (ip4_net_host(&lab->cfg.vpc_net, lab->cfg.awsvpc_offset + t->id, t->addr))
		return lab_refuse(lab, -ENOSPC,
				  "task t%u (awsvpc): the VPC subnet has no address left", t->id);
	mode_scopy(t->ep_addr, sizeof(t->ep_addr), t->addr);
	t->ep_port = t->container_port;
	if (lab->cfg.dual_stack &&
	    ip6_net_host(&lab->cfg.vpc_net6, lab->cfg.awsvpc_offset + t->id, t->addr6))
		return lab_refuse(lab, -ENOSPC,
				  "task t%u (awsvpc): the VPC's IPv6 subnet has no address left",
				  t->id);
	return 0;
}

/*
 * The task's second interface, to the ECS agent, as the ecs-bridge and
 * ecs-ipam plugins build it: a veth ecs-eth0 onto the instance's ecs-bridge
 * (169.254.172.1/22, made with the first), the task's address from the /22,
 * and a route to 169.254.170.2 only: ecs-init's DNAT does the rest.
 */
static int build_agent_bridge(struct lab *lab)
{
	char cidr[32];
	int ret;

	if (lab->agent_bridge_made)
		return 0;
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
	return ret;
}

static int build_agent_leg(struct lab *lab, struct lab_task *t, struct rt *rt)
{
	char host_if[16], addr[16], cidr[32];
	int ret, master, nsfd;

	ret = build_agent_bridge(lab);
	if (ret)
		return ret;
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

static int build(struct lab *lab, struct lab_task *t, struct rt *rt)
{
	int ret;

	ret = task_link(lab, t, rt, TASK_IF);
	if (!ret)
		ret = mode_task_addr(lab, t, rt, &lab->cfg.vpc_net, lab->vpc_addr);
	if (!ret && lab->cfg.dual_stack)
		ret = ipv6_build_task(lab, t, rt);
	if (!ret && lab->cfg.security_group && !lab->pm) {
		ret = lab_step(lab, "opening nftables in %s", lab->ns_inst);
		if (!ret && (ret = portmap_open(&lab->pm, lab->ns_inst)))
			return lab_fail(lab, ret, NULL);
	}
	if (!ret && lab_agent_legs(&lab->cfg))
		ret = build_agent_leg(lab, t, rt);
	return ret;
}

static void unlink_task(struct lab *lab, struct lab_task *t)
{
	struct rt *rt = NULL;
	char eni[16];

	if (!netns_exists(t->ns) || rt_open(&rt, t->ns))
		return;
	rt_link_del(rt, TASK_IF);
	if (lab_agent_legs(&lab->cfg))
		rt_link_del(rt, AGENT_TASK_IF);
	rt_close(rt);
	eni_name(t, eni, sizeof(eni));
	if (!lab->cfg.trunking && lab->rt_inst)
		rt_link_del(lab->rt_inst, eni);
}

/*
 * The task's own link to the switch, from the switch's side: its port and
 * ENI; trunked, its VLAN's port, the trunk's port and the trunk.
 */
static void eni_hops(const struct lab *lab, const struct lab_task *t, struct lab_route *r)
{
	struct lab_iface i;
	char name[16];

	r->n = 0;
	if (lab->cfg.trunking) {
		branch_port(t, name, sizeof(name));
		iface_vpc_port(lab, name, HOP_VLAN, &i);
		hops_push(r, &i, HOP_EGRESS);
		iface_vpc_port(lab, TRUNK_PORT, HOP_VETH, &i);
		hops_push(r, &i, HOP_EGRESS);
		iface_inst_link(lab, TRUNK_ENI, &i);
		hops_push(r, &i, HOP_INGRESS);
		return;
	}
	eni_port(t, name, sizeof(name));
	iface_vpc_port(lab, name, HOP_VETH, &i);
	hops_push(r, &i, HOP_EGRESS);
	eni_name(t, name, sizeof(name));
	iface_inst_link(lab, name, &i);
	hops_push(r, &i, HOP_INGRESS);
}

static void task_if(const struct lab *lab, const struct lab_task *t, struct lab_iface *i)
{
	char role[16];

	iface_task_role(t, role, sizeof(role));
	iface_set(i, role, t->ns, TASK_IF, lab->cfg.trunking ? HOP_VLAN : HOP_MACVLAN, t->addr,
		  &lab->cfg.vpc_net);
	iface_set6(i, lab, t->addr6);
}

/* The agent's leg: the instance's ecs-bridge, its end of the veth, the task's ecs-eth0. */
static void agent_bridge_if(const struct lab *lab, struct lab_iface *i)
{
	char cidr[24];

	snprintf(cidr, sizeof(cidr), "%s/%d", AGENT_GATEWAY, AGENT_PREFIX);
	iface_set(i, "inst", lab->ns_inst, AGENT_BRIDGE, HOP_BRIDGE, cidr, NULL);
}

static void agent_veth_if(const struct lab *lab, const struct lab_task *t, struct lab_iface *i)
{
	char name[16];

	agent_veth(t, name, sizeof(name));
	iface_set(i, "inst", lab->ns_inst, name, HOP_VETH, NULL, NULL);
}

static void agent_task_if(const struct lab_task *t, struct lab_iface *i)
{
	char role[16], addr[16], cidr[24];

	iface_task_role(t, role, sizeof(role));
	agent_addr(t, addr, sizeof(addr));
	snprintf(cidr, sizeof(cidr), "%s/%d", addr, AGENT_PREFIX);
	iface_set(i, role, t->ns, AGENT_TASK_IF, HOP_VETH, cidr, NULL);
}

static void interfaces(const struct lab *lab, const struct lab_task *t, struct iface_list *l)
{
	struct lab_route eni;
	struct lab_iface i;

	/* The task's ENI, or the trunk (listed with the first branch) and its VLAN. */
	eni_hops(lab, t, &eni);
	for (unsigned int h = 0; h < eni.n; h++)
		hops_list(l, &eni.hop[h].iface);
	task_if(lab, t, &i);
	hops_list(l, &i);
	if (!lab_agent_legs(&lab->cfg))
		return;
	agent_bridge_if(lab, &i);
	hops_list(l, &i);
	agent_veth_if(lab, t, &i);
	hops_list(l, &i);
	agent_task_if(t, &i);
	hops_list(l, &i);
}

/*
 * ingress: through the task's ENI. intra-host: out of one ENI (or the trunk,
 * tagged) and back through the other, switched in the VPC as on EC2, where no
 * link joins two ENIs inside the instance. local: the instance reaches the
 * task's own address through the VPC, as on EC2. agent: its ecs-eth0 and
 * ecs-bridge, DNAT'd to 127.0.0.1.
 */
static int route(const struct lab *lab, const struct lab_task *t, const struct lab_task *peer,
		 enum lab_path p, struct lab_route *r)
{
	struct lab_route eni;
	struct lab_iface i;

	switch (p) {
	case PATH_INGRESS:
		iface_vpc_switch(lab, &i);
		hops_push(r, &i, HOP_EGRESS);
		eni_hops(lab, t, &eni);
		hops_push_route(r, &eni);
		hops_push_task(r, task_if, lab, t, HOP_INGRESS);
		return 0;
	case PATH_INTRA_HOST:
		hops_push_task(r, task_if, lab, t, HOP_EGRESS);
		eni_hops(lab, t, &eni);
		hops_push_reversed(r, &eni);
		eni_hops(lab, peer, &eni);
		hops_push_route(r, &eni);
		hops_push_task(r, task_if, lab, peer, HOP_INGRESS);
		return 0;
	case PATH_LOCAL:
		/* Out of the primary ENI, through the VPC, in through the task's. */
		iface_wire_inst(lab, &i);
		hops_push(r, &i, HOP_EGRESS);
		iface_vpc_port(lab, WIRE_PORT, HOP_VETH, &i);
		hops_push(r, &i, HOP_INGRESS);
		eni_hops(lab, t, &eni);
		hops_push_route(r, &eni);
		hops_push_task(r, task_if, lab, t, HOP_INGRESS);
		return 0;
	case PATH_AGENT:
		if (!lab_agent_legs(&lab->cfg))
			return -EINVAL;
		agent_task_if(t, &i);
		hops_push(r, &i, HOP_EGRESS);
		agent_veth_if(lab, t, &i);
		hops_push(r, &i, HOP_INGRESS);
		agent_bridge_if(lab, &i);
		hops_push(r, &i, HOP_INGRESS);
		return 0;
	default:
		return -EINVAL;
	}
}

/* At its own address, over either family; the instance, too, through the VPC. */
static int reach(const struct lab *lab, const struct lab_task *srv, enum lab_path p,
		 enum bench_family f, struct bench_target *t, char *why, size_t len)
{
	(void)lab, (void)why, (void)len;
	if (f == FAMILY_IPV6) {
		snprintf(t->server_bind, sizeof(t->server_bind), "::");
		snprintf(t->dst_addr, sizeof(t->dst_addr), "%s", srv->addr6);
		return 0;
	}
	snprintf(t->server_bind, sizeof(t->server_bind), "0.0.0.0");
	if (p == PATH_LOCAL)
		snprintf(t->dst_addr, sizeof(t->dst_addr), "%s", srv->ep_addr);
	return 0;
}

/* explain's ladder: the ENI, then its security group. */
static const struct mode_step steps[] = {
	{"+ENI", LAB_VARIANT_ECS, false},
	{"+security group", LAB_VARIANT_ECS, true},
};

const struct mode_ops mode_awsvpc_ops = {
	.steps = steps,
	.nsteps = sizeof(steps) / sizeof(steps[0]),
	.own_ns = true,
	.own_eni = true,
	.reachable = true,
	.default_path = PATH_INGRESS,
	.place = place,
	.build = build,
	.unlink = unlink_task,
	.interfaces = interfaces,
	.task_if = task_if,
	.route = route,
	.reach = reach,
};
