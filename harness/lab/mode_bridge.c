// SPDX-License-Identifier: MIT
/*
 * bridge and bridge-dynamic: the task's veth on the instance's ecs0 (Docker's
 * docker0), its port published on the instance by a hostPort mapping: the
 * same static port (bridge) or one from the instance's ephemeral range
 * (bridge-dynamic). Under an instance profile Docker's iptables rules and
 * docker-proxy publish it (instance.c); on a bare instance the lab's own
 * nftables DNAT does (mode.c's port mapping). explain's variants take the
 * mode apart: a routed veth, the bridge, the bridge with conntrack.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "harness/lab/build.h"
#include "harness/lab/ifnames.h"
#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"
#include "harness/lab/path.h"
#include "netns/netns.h"
#include "netns/nftables.h"
#include "netns/rt.h"
#include "netns/sysctl.h"
#include "netns/testhooks.h"

static int place(struct lab *lab, struct lab_task *t)
{
	int ret;

	if (ip4_net_host(&lab->cfg.bridge_net, 1 + t->id, t->addr))
		return lab_refuse(lab, -ENOSPC,
				  "task t%u (%s): the bridge subnet has no address left", t->id,
				  lab_mode_name(t->mode));
	if (lab->cfg.variant != LAB_VARIANT_ECS) {
		/* explain's steps before DNAT: no hostPort, the task's own address. */
		if (lab->cfg.variant == LAB_VARIANT_VETH &&
		    mode_count(lab, MODE_BRIDGE) + mode_count(lab, MODE_BRIDGE_DYNAMIC))
			return lab_refuse(lab, -ENOSPC,
					  "task t%u: a routed-veth lab holds one bridge task",
					  t->id);
		mode_scopy(t->ep_addr, sizeof(t->ep_addr), t->addr);
		t->ep_port = t->container_port;
		return 0;
	}
	if (t->mode == MODE_BRIDGE && testhook_break("port-conflict")) {
		/* A lab without ECS's conflict check, for the test that breaks a claim. */
		t->host_port = t->container_port;
	} else if (t->mode == MODE_BRIDGE) {
		ret = mode_claim_host_port(lab, t->id, t->container_port, "(bridge): hostPort");
		if (ret)
			return ret;
		t->host_port = t->container_port;
	}
	/* A dynamic hostPort is chosen at build time, from the instance's range. */
	mode_scopy(t->ep_addr, sizeof(t->ep_addr), lab->inst_addr);
	t->ep_port = t->host_port;
	return 0;
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
	ret = mode_set_mtu(lab, lab->rt_inst, BRIDGE, lab->ns_inst, lab->cfg.bridge_mtu);
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

/* ECS's dynamic hostPorts come from the instance's ephemeral range, or 49153-65535. */
static void dynamic_range(struct lab *lab)
{
	if (lab->dyn_range_read)
		return;
	lab->dyn_range_read = true;
	if (ports_local_range(lab->ns_inst, &lab->dyn_lo, &lab->dyn_hi)) {
		lab->dyn_lo = LAB_DYNAMIC_LO;
		lab->dyn_hi = LAB_DYNAMIC_HI;
	}
}

static int build(struct lab *lab, struct lab_task *t, struct rt *rt)
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
		ret = mode_task_addr(lab, t, rt, &lab->cfg.bridge_net, lab->bridge_addr);
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

static void unlink_task(struct lab *lab, struct lab_task *t)
{
	char host_if[16];

	host_veth(t, host_if, sizeof(host_if));
	if (lab->rt_inst)
		rt_link_del(lab->rt_inst, host_if);
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

static void task_if(const struct lab *lab, const struct lab_task *t, struct lab_iface *i)
{
	char role[16];

	iface_task_role(t, role, sizeof(role));
	iface_set(i, role, t->ns, TASK_IF, HOP_VETH, t->addr, &lab->cfg.bridge_net);
}

static void interfaces(const struct lab *lab, const struct lab_task *t, struct iface_list *l)
{
	struct lab_iface i;

	if (lab->cfg.variant != LAB_VARIANT_VETH) {
		bridge_if(lab, &i);
		hops_list(l, &i);
	}
	veth_host(lab, t, &i);
	hops_list(l, &i);
	task_if(lab, t, &i);
	hops_list(l, &i);
}

/* Whether docker-proxy in the instance carries a hostPort connection. */
static bool proxied(const struct lab *lab)
{
	return lab_instance_iptables(&lab->cfg) && lab->cfg.userland_proxy;
}

/*
 * ingress: the primary ENI, DNAT to ecs0 and the task's veth. intra-host:
 * the two bridge ports, and the bridge device itself only without
 * br_netfilter (with it, the DNAT happens on the bridge and the frame is
 * bridged to the peer; without it, ecs0 takes the frame up to the instance's
 * IP layer, which DNATs and routes it back out) or through docker-proxy in the
 * instance. local: through docker-proxy when on (lo to the proxy, then the
 * proxy's own connection out of ecs0), else DNAT'd in OUTPUT straight out of
 * ecs0. agent: up through ecs0, DNAT'd to 127.0.0.1.
 */
/* From T's eth0 up its veth into the instance. */
static void from_task(const struct lab *lab, const struct lab_task *t, struct lab_route *r)
{
	struct lab_iface i;

	hops_push_task(r, task_if, lab, t, HOP_EGRESS);
	veth_host(lab, t, &i);
	hops_push(r, &i, HOP_INGRESS);
}

/* Down to T: out of ecs0 (BRIDGE), its veth, into its eth0. */
static void to_task(const struct lab *lab, const struct lab_task *t, bool bridge,
		    struct lab_route *r)
{
	struct lab_iface i;

	if (bridge) {
		bridge_if(lab, &i);
		hops_push(r, &i, HOP_EGRESS);
	}
	veth_host(lab, t, &i);
	hops_push(r, &i, HOP_EGRESS);
	hops_push_task(r, task_if, lab, t, HOP_INGRESS);
}

static int route(const struct lab *lab, const struct lab_task *t, const struct lab_task *peer,
		 enum lab_path p, struct lab_route *r)
{
	bool bridge = lab->cfg.variant != LAB_VARIANT_VETH;
	struct lab_iface i;

	switch (p) {
	case PATH_INGRESS:
		iface_vpc_switch(lab, &i);
		hops_push(r, &i, HOP_EGRESS);
		hops_wire_in(lab, r);
		to_task(lab, t, bridge, r);
		return 0;
	case PATH_LOCAL:
		if (proxied(lab))
			hops_inst_lo(lab, r);
		to_task(lab, t, bridge, r);
		return 0;
	case PATH_INTRA_HOST:
		from_task(lab, t, r);
		if ((lab->br_nf != 1 || proxied(lab)) && bridge) {
			bridge_if(lab, &i);
			hops_push(r, &i, HOP_INGRESS);
			hops_push(r, &i, HOP_EGRESS);
		}
		to_task(lab, peer, false, r);
		return 0;
	case PATH_AGENT:
		from_task(lab, t, r);
		bridge_if(lab, &i);
		hops_push(r, &i, HOP_INGRESS);
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * A bridge task has no IPv6 address (Docker's default bridge is IPv4-only
 * without the daemon's "ipv6": true); its hostPort answers IPv6 through
 * Docker's second docker-proxy, on "::": the ingress and local paths.
 */
static int has_path(enum lab_mode m, enum lab_path p, enum bench_family f, char *why, size_t len)
{
	if (f != FAMILY_IPV6 || p == PATH_INGRESS || p == PATH_LOCAL)
		return 0;
	snprintf(why, len,
		 "a %s task has no IPv6 address of its own (Docker's default bridge is IPv4-only "
		 "without the daemon's \"ipv6\": true): only its hostPort answers IPv6, through "
		 "docker-proxy on \"::\" (paths ingress and local)",
		 lab_mode_name(m));
	return -EINVAL;
}

/*
 * At its hostPort: from the instance, 127.0.0.1 as a daemon there uses it
 * (bare has only the lab's own NAT, which maps the instance's address). Over
 * IPv6, Docker's "::" docker-proxy takes the connection and opens its own to
 * the task's IPv4 address.
 */
static int reach(const struct lab *lab, const struct lab_task *srv, enum lab_path p,
		 enum bench_family f, struct bench_target *t, char *why, size_t len)
{
	snprintf(t->server_bind, sizeof(t->server_bind), "0.0.0.0");
	if (f != FAMILY_IPV6) {
		if (p == PATH_LOCAL)
			snprintf(t->dst_addr, sizeof(t->dst_addr), "%s",
				 lab_instance_iptables(&lab->cfg) ? "127.0.0.1" : lab->inst_addr);
		return 0;
	}
	if (!lab->cfg.userland_proxy) {
		snprintf(why, len,
			 "without docker-proxy nothing answers a bridge task's hostPort over IPv6 "
			 "(Docker 25 writes no ip6tables rule by default): --userland-proxy on");
		return -EINVAL;
	}
	snprintf(t->dst_addr, sizeof(t->dst_addr), "%s", p == PATH_LOCAL ? "::1" : lab->inst_addr6);
	t->dst_port = srv->host_port;
	return 0;
}

/* explain's ladder: a routed veth, the bridge, conntrack, Docker's DNAT. */
static const struct mode_step steps[] = {
	{"+veth", LAB_VARIANT_VETH, false},
	{"+bridge", LAB_VARIANT_BRIDGE, false},
	{"+conntrack", LAB_VARIANT_CONNTRACK, false},
	{"+DNAT", LAB_VARIANT_ECS, false},
};

/* The two differ only in where the hostPort comes from (place() and build()). */
#define BRIDGE_OPS                                                                                 \
	.steps = steps, .nsteps = sizeof(steps) / sizeof(steps[0]), .own_ns = true,                \
	.bridged = true, .reachable = true, .default_path = PATH_INGRESS, .place = place,          \
	.build = build, .unlink = unlink_task, .interfaces = interfaces, .task_if = task_if,       \
	.route = route, .has_path = has_path, .reach = reach

const struct mode_ops mode_bridge_ops = {BRIDGE_OPS, .static_port = true};
const struct mode_ops mode_bridge_dynamic_ops = {BRIDGE_OPS};
