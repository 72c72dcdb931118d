// SPDX-License-Identifier: MIT
/*
 * The hops as data, and the parts every mode's hops are made of: an
 * interface of the lab by role, namespace and name, and a route pushed hop by
 * hop. The modes' tables use them (mode_ops.h); route.c walks the tables.
 */
#include <stdio.h>
#include <string.h>

#include "harness/lab/hops.h"
#include "harness/lab/ifnames.h"

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

void iface_set(struct lab_iface *i, const char *role, const char *ns, const char *name,
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

void iface_task_role(const struct lab_task *t, char *buf, size_t len)
{
	if (t->own_ns)
		snprintf(buf, len, "t%u", t->id);
	else
		snprintf(buf, len, "inst");
}

/* ADDR6 (dual stack only) in the VPC's IPv6 prefix, as a CIDR. */
void iface_set6(struct lab_iface *i, const struct lab *lab, const char *addr6)
{
	if (lab->cfg.dual_stack && addr6 && *addr6)
		ip6_net_cidr(i->addr6, sizeof(i->addr6), addr6, &lab->cfg.vpc_net6);
}

/* The VPC's switch, whose own address is the router's. */
void iface_vpc_switch(const struct lab *lab, struct lab_iface *i)
{
	iface_set(i, "vpc", lab->ns_vpc, SWITCH, HOP_BRIDGE, lab->vpc_addr, &lab->cfg.vpc_net);
	iface_set6(i, lab, lab->vpc_addr6);
}

void iface_vpc_port(const struct lab *lab, const char *name, enum hop_kind kind,
		    struct lab_iface *i)
{
	iface_set(i, "vpc", lab->ns_vpc, name, kind, NULL, NULL);
}

void iface_inst_link(const struct lab *lab, const char *name, struct lab_iface *i)
{
	iface_set(i, "inst", lab->ns_inst, name, HOP_VETH, NULL, NULL);
}

void iface_wire_inst(const struct lab *lab, struct lab_iface *i)
{
	iface_set(i, "inst", lab->ns_inst, WIRE_INST, HOP_VETH, lab->inst_addr, &lab->cfg.vpc_net);
	iface_set6(i, lab, lab->inst_addr6);
}

/* T's lo (the instance's for a task without a namespace of its own). */
void iface_lo(const struct lab *lab, const struct lab_task *t, struct lab_iface *i)
{
	char role[16];

	(void)lab;
	iface_task_role(t, role, sizeof(role));
	iface_set(i, role, t->ns, LOOPBACK, HOP_LOOPBACK, "127.0.0.1/8", NULL);
}

void hops_list(struct iface_list *l, const struct lab_iface *i)
{
	/* A device tasks share (a bridge, the trunk) is listed once, with the first. */
	for (unsigned int k = 0; k < l->n; k++)
		if (!strcmp(l->out[k].ns, i->ns) && !strcmp(l->out[k].name, i->name))
			return;
	if (l->n < l->max)
		l->out[l->n++] = *i;
}

void hops_push(struct lab_route *r, const struct lab_iface *i, enum hop_dir d)
{
	if (r->n < LAB_MAX_HOPS) {
		r->hop[r->n].iface = *i;
		r->hop[r->n].dir = d;
		r->n++;
	}
}

void hops_push_route(struct lab_route *r, const struct lab_route *in)
{
	for (unsigned int k = 0; k < in->n; k++)
		hops_push(r, &in->hop[k].iface, in->hop[k].dir);
}

/* The same links the other way: each hop met from the other side. */
void hops_push_reversed(struct lab_route *r, const struct lab_route *in)
{
	for (unsigned int k = in->n; k-- > 0;)
		hops_push(r, &in->hop[k].iface,
			  in->hop[k].dir == HOP_EGRESS ? HOP_INGRESS : HOP_EGRESS);
}

void hops_wire_in(const struct lab *lab, struct lab_route *r)
{
	struct lab_iface i;

	iface_vpc_port(lab, WIRE_PORT, HOP_VETH, &i);
	hops_push(r, &i, HOP_EGRESS);
	iface_wire_inst(lab, &i);
	hops_push(r, &i, HOP_INGRESS);
}

void hops_inst_lo(const struct lab *lab, struct lab_route *r)
{
	struct lab_iface i;

	iface_set(&i, "inst", lab->ns_inst, LOOPBACK, HOP_LOOPBACK, "127.0.0.1/8", NULL);
	hops_push(r, &i, HOP_EGRESS);
	hops_push(r, &i, HOP_INGRESS);
}

void hops_push_task(struct lab_route *r,
		    void (*task_if)(const struct lab *, const struct lab_task *,
				    struct lab_iface *),
		    const struct lab *lab, const struct lab_task *t, enum hop_dir d)
{
	struct lab_iface i;

	task_if(lab, t, &i);
	hops_push(r, &i, d);
}
