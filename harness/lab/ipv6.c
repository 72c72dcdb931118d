// SPDX-License-Identifier: MIT
/*
 * IPv6 on a dual-stack VPC: the VPC subnet has an IPv6 prefix (2001:2::/64
 * here), the instance's primary ENI and each awsvpc task's ENI an address in
 * it, and the task a default route via the subnet's router (as
 * aws/amazon-ecs-cni-plugins plugins/eni/engine/nsclosure.go configures a task
 * ENI given an IPv6 address and gateway, on the ENI device it moved into the
 * task namespace, where the lab has a macvlan of its ENI link (mode_awsvpc.c); its
 * dhclient -6 is left out: the lab's addresses are static). Docker's default
 * bridge has no IPv6 unless the daemon is configured with "ipv6": true, so
 * bridge tasks stay IPv4-only; their hostPort answers IPv6 through Docker's
 * docker-proxy on "::" (instance.c).
 *
 * Addresses are static: no DAD (IFA_F_NODAD, accept_dad 0), no router
 * advertisements (accept_ra 0), no SLAAC (autoconf 0), no router
 * solicitations, and no link-local address generated (addr_gen_mode 1), whose
 * DAD and solicitations would add packets the hot path would count. What is
 * left: each IPv6 interface sends two MLDv2 reports as its address joins its
 * solicited-node group, while the lab is built, and none after (seen here:
 * Icmp6OutMLDv2Reports 2 per namespace, unchanged seconds later).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>

#include "harness/lab/build.h"
#include "harness/lab/ifnames.h"
#include "harness/lab/ipv6.h"
#include "netns/rt.h"
#include "netns/sysctl.h"

/* Set on "all" and on the interface before IPv6 is enabled on it; DAD runs if either asks. */
static const char *const quiet[][2] = {
	{"accept_ra", "0"},	{"autoconf", "0"},
	{"accept_dad", "0"},	{"router_solicitations", "0"},
	{"addr_gen_mode", "1"},
};

static int conf_write(const char *ns, const char *dev, const char *key, const char *val)
{
	char name[96];

	snprintf(name, sizeof(name), "net.ipv6.conf.%s.%s", dev, key);
	return sysctl_write(ns, name, val);
}

/* IPv6 on IFNAME in NS, quiet first; CIDR added (without DAD) when not NULL. */
static int enable(struct lab *lab, struct rt *rt, const char *ns, const char *ifname,
		  const char *cidr)
{
	int ret = lab_step(lab, "enabling IPv6 on %s in %s", ifname, ns);

	for (size_t i = 0; !ret && i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		/* A key "all" refuses on some kernel is set on the interface, which is what counts.
		 */
		ret = conf_write(ns, "all", quiet[i][0], quiet[i][1]);
		if (ret == -ENOENT || ret == -EINVAL)
			ret = 0;
		if (!ret)
			ret = conf_write(ns, ifname, quiet[i][0], quiet[i][1]);
		if (ret)
			return lab_fail(lab, ret, NULL);
	}
	if (!ret && (ret = conf_write(ns, ifname, "disable_ipv6", "0")))
		return lab_fail(lab, ret, NULL);
	if (ret || !cidr)
		return ret;
	ret = lab_step(lab, "adding %s to %s in %s", cidr, ifname, ns);
	if (!ret && (ret = rt_addr_add(rt, ifname, cidr)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	return ret;
}

static int default_route(struct lab *lab, struct rt *rt, const char *ns)
{
	int ret = lab_step(lab, "adding IPv6 default route via %s in %s", lab->vpc_addr6, ns);

	if (!ret && (ret = rt_route_default(rt, lab->vpc_addr6)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	return ret;
}

int ipv6_build_base(struct lab *lab)
{
	char cidr[IP6_ADDR_LEN + 4];
	int ret;

	if (!lab->cfg.dual_stack)
		return 0;
	ip6_net_cidr(cidr, sizeof(cidr), lab->vpc_addr6, &lab->cfg.vpc_net6);
	ret = enable(lab, lab->rt_vpc, lab->ns_vpc, WIRE_VPC, cidr);
	if (!ret) {
		ip6_net_cidr(cidr, sizeof(cidr), lab->inst_addr6, &lab->cfg.vpc_net6);
		ret = enable(lab, lab->rt_inst, lab->ns_inst, WIRE_INST, cidr);
	}
	/* ::1 for a client on the instance (the local path of a host-mode task). */
	if (!ret)
		ret = enable(lab, lab->rt_inst, lab->ns_inst, LOOPBACK, NULL);
	if (!ret)
		ret = default_route(lab, lab->rt_inst, lab->ns_inst);
	return ret;
}

int ipv6_build_task(struct lab *lab, struct lab_task *t, struct rt *rt)
{
	char cidr[IP6_ADDR_LEN + 4];
	int ret;

	if (!lab->cfg.dual_stack)
		return 0;
	ip6_net_cidr(cidr, sizeof(cidr), t->addr6, &lab->cfg.vpc_net6);
	ret = enable(lab, rt, t->ns, TASK_IF, cidr);
	if (!ret)
		ret = default_route(lab, rt, t->ns);
	return ret;
}
