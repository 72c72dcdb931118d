// SPDX-License-Identifier: MIT
/*
 * The typed path: the interfaces a lab has and, for each mode and path, the
 * hops a packet crosses in order (role, namespace, interface, direction). The
 * hot path's expectation, the per-hop probes and explain all read it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/lab/ifnames.h"
#include "harness/lab/mode.h"

const char *hop_kind_name(enum hop_kind k)
{
	static const char *const names[] = {"veth", "bridge", "macvlan", "loopback", "vlan"};

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

const char *hop_dir_name(enum hop_dir d)
{
	return d == HOP_EGRESS ? "egress" : "ingress";
}

void hop_label(const struct lab_iface *i, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s", i->role, i->name);
}

static void iface_set(struct lab_iface *i, const char *role, const char *ns, const char *name,
		      enum hop_kind kind, const char *addr, const struct ip4_net *net)
{
	memset(i, 0, sizeof(*i));
	snprintf(i->role, sizeof(i->role), "%s", role);
	snprintf(i->ns, sizeof(i->ns), "%s", ns);
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->kind = kind;
	if (addr && net)
		ip4_net_cidr(i->addr, sizeof(i->addr), addr, net);
	else if (addr)
		snprintf(i->addr, sizeof(i->addr), "%s", addr);
}

static void task_role(const struct lab_task *t, char *buf, size_t len)
{
	if (t->own_ns)
		snprintf(buf, len, "t%u", t->id);
	else
		snprintf(buf, len, "inst");
}

/* ADDR6 (dual stack only) in the VPC's IPv6 prefix, as a CIDR. */
static void iface_set6(struct lab_iface *i, const struct lab *lab, const char *addr6)
{
	if (lab->cfg.dual_stack && addr6 && *addr6)
		ip6_net_cidr(i->addr6, sizeof(i->addr6), addr6, &lab->cfg.vpc_net6);
}

/* The VPC's switch, whose own address is the router's. */
static void wire_vpc(const struct lab *lab, struct lab_iface *i)
{
	iface_set(i, "vpc", lab->ns_vpc, SWITCH, HOP_BRIDGE, lab->vpc_addr, &lab->cfg.vpc_net);
	iface_set6(i, lab, lab->vpc_addr6);
}

static void vpc_port(const struct lab *lab, const char *name, enum hop_kind kind,
		     struct lab_iface *i)
{
	iface_set(i, "vpc", lab->ns_vpc, name, kind, NULL, NULL);
}

static void inst_link(const struct lab *lab, const char *name, struct lab_iface *i)
{
	iface_set(i, "inst", lab->ns_inst, name, HOP_VETH, NULL, NULL);
}

static void wire_inst(const struct lab *lab, struct lab_iface *i)
{
	iface_set(i, "inst", lab->ns_inst, WIRE_INST, HOP_VETH, lab->inst_addr, &lab->cfg.vpc_net);
	iface_set6(i, lab, lab->inst_addr6);
}

static void bridge_if(const struct lab *lab, struct lab_iface *i)
{
	iface_set(i, "inst", lab->ns_inst, BRIDGE, HOP_BRIDGE, lab->bridge_addr,
		  &lab->cfg.bridge_net);
}

static void veth_host(const struct lab *lab, const struct lab_task *t, struct lab_iface *i)
{
	char name[16];

	host_veth(t, name, sizeof(name));
	iface_set(i, "inst", lab->ns_inst, name, HOP_VETH,
		  lab->cfg.variant == LAB_VARIANT_VETH ? lab->bridge_addr : NULL,
		  &lab->cfg.bridge_net);
}

/* The task's own interface: its end of the veth, its ENI, or lo. */
static void task_if(const struct lab *lab, const struct lab_task *t, struct lab_iface *i)
{
	char role[16];

	task_role(t, role, sizeof(role));
	if (is_bridged(t))
		iface_set(i, role, t->ns, TASK_IF, HOP_VETH, t->addr, &lab->cfg.bridge_net);
	else if (t->mode == MODE_AWSVPC) {
		iface_set(i, role, t->ns, TASK_IF, lab->cfg.trunking ? HOP_VLAN : HOP_MACVLAN,
			  t->addr, &lab->cfg.vpc_net);
		iface_set6(i, lab, t->addr6);
	} else
		iface_set(i, role, t->ns, LOOPBACK, HOP_LOOPBACK, "127.0.0.1/8", NULL);
}

static void add_iface(struct lab_iface *out, unsigned int max, unsigned int *n,
		      const struct lab_iface *i)
{
	if (*n < max)
		out[(*n)++] = *i;
}

/* An awsvpc task's agent leg: the instance's ecs-bridge, its end of the veth, the task's. */
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

	task_role(t, role, sizeof(role));
	agent_addr(t, addr, sizeof(addr));
	snprintf(cidr, sizeof(cidr), "%s/%d", addr, AGENT_PREFIX);
	iface_set(i, role, t->ns, AGENT_TASK_IF, HOP_VETH, cidr, NULL);
}

static void push(struct lab_route *r, const struct lab_iface *i, enum hop_dir d)
{
	if (r->n < LAB_MAX_HOPS) {
		r->hop[r->n].iface = *i;
		r->hop[r->n].dir = d;
		r->n++;
	}
}

/*
 * An awsvpc task's own link to the switch, from the switch's side: its port
 * and ENI; trunked, its VLAN's port, the trunk's port and the trunk.
 */
static void eni_hops(const struct lab *lab, const struct lab_task *t, struct lab_route *r)
{
	struct lab_iface i;
	char name[16];

	r->n = 0;
	if (lab->cfg.trunking) {
		branch_port(t, name, sizeof(name));
		vpc_port(lab, name, HOP_VLAN, &i);
		push(r, &i, HOP_EGRESS);
		vpc_port(lab, TRUNK_PORT, HOP_VETH, &i);
		push(r, &i, HOP_EGRESS);
		inst_link(lab, TRUNK_ENI, &i);
		push(r, &i, HOP_INGRESS);
		return;
	}
	eni_port(t, name, sizeof(name));
	vpc_port(lab, name, HOP_VETH, &i);
	push(r, &i, HOP_EGRESS);
	eni_name(t, name, sizeof(name));
	inst_link(lab, name, &i);
	push(r, &i, HOP_INGRESS);
}

/* The same links the other way: from the task's side to the switch. */
static void push_reversed(struct lab_route *r, const struct lab_route *in)
{
	for (unsigned int k = in->n; k-- > 0;)
		push(r, &in->hop[k].iface, in->hop[k].dir == HOP_EGRESS ? HOP_INGRESS : HOP_EGRESS);
}

unsigned int mode_interfaces(const struct lab *lab, struct lab_iface *out, unsigned int max)
{
	struct lab_iface i;
	bool bridge = false, agent = false, trunk = false;
	unsigned int n = 0;

	wire_vpc(lab, &i);
	add_iface(out, max, &n, &i);
	vpc_port(lab, WIRE_PORT, HOP_VETH, &i);
	add_iface(out, max, &n, &i);
	wire_inst(lab, &i);
	add_iface(out, max, &n, &i);
	for (unsigned int k = 0; k < lab->ntasks; k++) {
		const struct lab_task *t = &lab->tasks[k];
		struct lab_route eni;

		if (t->mode == MODE_AWSVPC) {
			/* The task's ENI, or the trunk (listed with the first branch) and its VLAN.
			 */
			eni_hops(lab, t, &eni);
			for (unsigned int h = 0; h < eni.n; h++)
				if (!lab->cfg.trunking || h == 0 || !trunk)
					add_iface(out, max, &n, &eni.hop[h].iface);
			trunk = true;
		}
		if (is_bridged(t)) {
			if (!bridge && lab->cfg.variant != LAB_VARIANT_VETH) {
				bridge_if(lab, &i);
				add_iface(out, max, &n, &i);
			}
			bridge = true;
			veth_host(lab, t, &i);
			add_iface(out, max, &n, &i);
		}
		if (t->own_ns) {
			task_if(lab, t, &i);
			add_iface(out, max, &n, &i);
		}
		if (has_agent_leg(lab, t)) {
			if (!agent) {
				agent_bridge_if(lab, &i);
				add_iface(out, max, &n, &i);
			}
			agent = true;
			agent_veth_if(lab, t, &i);
			add_iface(out, max, &n, &i);
			agent_task_if(t, &i);
			add_iface(out, max, &n, &i);
		}
	}
	return n;
}

/* From the VPC to TASK, ECS's ingress path. */
static void route_in(const struct lab *lab, const struct lab_task *t, struct lab_route *r)
{
	struct lab_route eni;
	struct lab_iface i;

	wire_vpc(lab, &i);
	push(r, &i, HOP_EGRESS);
	if (t->mode == MODE_AWSVPC) {
		eni_hops(lab, t, &eni);
		for (unsigned int k = 0; k < eni.n; k++)
			push(r, &eni.hop[k].iface, eni.hop[k].dir);
	} else {
		vpc_port(lab, WIRE_PORT, HOP_VETH, &i);
		push(r, &i, HOP_EGRESS);
		wire_inst(lab, &i);
		push(r, &i, HOP_INGRESS);
	}
	if (is_bridged(t)) {
		if (lab->cfg.variant != LAB_VARIANT_VETH) {
			bridge_if(lab, &i);
			push(r, &i, HOP_EGRESS);
		}
		veth_host(lab, t, &i);
		push(r, &i, HOP_EGRESS);
	}
	if (t->own_ns) {
		task_if(lab, t, &i);
		push(r, &i, HOP_INGRESS);
	}
}

/*
 * Task to task on one instance (measured): awsvpc's leave through one ENI (or
 * the trunk, tagged) and come back through the other, switched in the VPC as
 * on EC2, where no link joins two ENIs inside the instance; bridge frames cross the two bridge
 * ports, and the bridge device itself only without br_netfilter (with it, the DNAT happens on the
 * bridge and the frame is bridged to the peer; without it, ecs0 takes the frame up to the
 * instance's IP layer, which DNATs and routes it back out, and with Docker's userland proxy the
 * instance's docker-proxy relays it); host mode talks to its own address through lo.
 */
static int route_intra(const struct lab *lab, const struct lab_task *t, const struct lab_task *peer,
		       struct lab_route *r)
{
	struct lab_iface i;

	if (!peer || peer == t || peer->mode != t->mode || t->mode == MODE_NONE)
		return -EINVAL;
	if (t->mode == MODE_HOST) {
		task_if(lab, t, &i);
		push(r, &i, HOP_EGRESS);
		push(r, &i, HOP_INGRESS);
		return 0;
	}
	task_if(lab, t, &i);
	push(r, &i, HOP_EGRESS);
	if (t->mode == MODE_AWSVPC) {
		struct lab_route eni;

		eni_hops(lab, t, &eni);
		push_reversed(r, &eni);
		eni_hops(lab, peer, &eni);
		for (unsigned int k = 0; k < eni.n; k++)
			push(r, &eni.hop[k].iface, eni.hop[k].dir);
	}
	if (is_bridged(t)) {
		veth_host(lab, t, &i);
		push(r, &i, HOP_INGRESS);
		/* docker-proxy in the instance carries it when on: up through ecs0 and back. */
		bool proxied = lab_instance_iptables(&lab->cfg) && lab->cfg.userland_proxy;

		if ((lab->br_nf != 1 || proxied) && lab->cfg.variant != LAB_VARIANT_VETH) {
			bridge_if(lab, &i);
			push(r, &i, HOP_INGRESS);
			push(r, &i, HOP_EGRESS);
		}
		veth_host(lab, peer, &i);
		push(r, &i, HOP_EGRESS);
	}
	task_if(lab, peer, &i);
	push(r, &i, HOP_INGRESS);
	return 0;
}

/* The instance's lo, both ways: a socket of the instance talking to another of it. */
static void push_inst_lo(const struct lab *lab, struct lab_route *r)
{
	struct lab_iface i;

	iface_set(&i, "inst", lab->ns_inst, LOOPBACK, HOP_LOOPBACK, "127.0.0.1/8", NULL);
	push(r, &i, HOP_EGRESS);
	push(r, &i, HOP_INGRESS);
}

/*
 * From the instance to TASK's published address: host mode over lo; awsvpc
 * (its own address) through the VPC, as on EC2; bridge
 * through docker-proxy when on (lo to the proxy, then the proxy's own
 * connection out of ecs0), else DNAT'd in OUTPUT straight out of ecs0.
 */
static int route_local(const struct lab *lab, const struct lab_task *t, struct lab_route *r)
{
	struct lab_iface i;

	if (t->mode == MODE_HOST) {
		push_inst_lo(lab, r);
		return 0;
	}
	if (t->mode == MODE_AWSVPC) {
		struct lab_route eni;

		/* Out of the primary ENI, through the VPC, in through the task's. */
		wire_inst(lab, &i);
		push(r, &i, HOP_EGRESS);
		vpc_port(lab, WIRE_PORT, HOP_VETH, &i);
		push(r, &i, HOP_INGRESS);
		eni_hops(lab, t, &eni);
		for (unsigned int k = 0; k < eni.n; k++)
			push(r, &eni.hop[k].iface, eni.hop[k].dir);
		task_if(lab, t, &i);
		push(r, &i, HOP_INGRESS);
		return 0;
	}
	if (!is_bridged(t))
		return -EINVAL;
	if (lab_instance_iptables(&lab->cfg) && lab->cfg.userland_proxy)
		push_inst_lo(lab, r);
	if (lab->cfg.variant != LAB_VARIANT_VETH) {
		bridge_if(lab, &i);
		push(r, &i, HOP_EGRESS);
	}
	veth_host(lab, t, &i);
	push(r, &i, HOP_EGRESS);
	task_if(lab, t, &i);
	push(r, &i, HOP_INGRESS);
	return 0;
}

/*
 * From TASK to the agent's endpoint: host mode's OUTPUT REDIRECT keeps it on
 * lo; a bridge task's request goes up through ecs0, an awsvpc task's through
 * its ecs-eth0 and ecs-bridge, DNAT'd to 127.0.0.1.
 */
static int route_agent(const struct lab *lab, const struct lab_task *t, struct lab_route *r)
{
	struct lab_iface i;

	if (t->mode == MODE_HOST) {
		push_inst_lo(lab, r);
		return 0;
	}
	if (has_agent_leg(lab, t)) {
		agent_task_if(t, &i);
		push(r, &i, HOP_EGRESS);
		agent_veth_if(lab, t, &i);
		push(r, &i, HOP_INGRESS);
		agent_bridge_if(lab, &i);
		push(r, &i, HOP_INGRESS);
		return 0;
	}
	if (!is_bridged(t))
		return -EINVAL;
	task_if(lab, t, &i);
	push(r, &i, HOP_EGRESS);
	veth_host(lab, t, &i);
	push(r, &i, HOP_INGRESS);
	bridge_if(lab, &i);
	push(r, &i, HOP_INGRESS);
	return 0;
}

int mode_route(const struct lab *lab, const struct lab_task *task, const struct lab_task *peer,
	       enum lab_path p, struct lab_route *r)
{
	struct lab_route in = {.n = 0};
	struct lab_iface i;

	memset(r, 0, sizeof(*r));
	if (task->mode == MODE_NONE && p != PATH_LOOPBACK)
		return -EINVAL;
	switch (p) {
	case PATH_INGRESS:
		route_in(lab, task, r);
		return 0;
	case PATH_EGRESS:
		/* The ingress path backwards: each hop met from the other side. */
		route_in(lab, task, &in);
		push_reversed(r, &in);
		return 0;
	case PATH_INTRA_HOST:
		return route_intra(lab, task, peer, r);
	case PATH_LOCAL:
		return route_local(lab, task, r);
	case PATH_AGENT:
		return route_agent(lab, task, r);
	case PATH_LOOPBACK: {
		char role[16];

		task_role(task, role, sizeof(role));
		iface_set(&i, role, task->ns, LOOPBACK, HOP_LOOPBACK, "127.0.0.1/8", NULL);
		push(r, &i, HOP_EGRESS);
		push(r, &i, HOP_INGRESS);
		return 0;
	}
	default:
		return -EINVAL;
	}
}
