// SPDX-License-Identifier: MIT
/*
 * The VPC as EC2 builds it, seen from one instance: a switch (the bridge
 * "vpc0" in ns vpc, holding the router's address) and a port on it for each
 * ENI, a link into the instance. The instance's primary ENI is its eth0; an
 * awsvpc task's ENI, or the trunk ENI of its branch, is a link of the same
 * kind (mode_awsvpc.c makes the task's interface of it). No link joins two
 * ENIs inside the instance: awsvpc tasks reach each other through the switch. Every link from the
 * VPC carries 9001-byte frames by default and, as a NIC does, delivers them one by one (--wire
 * nic): no segmentation offload on the switch's side, GRO on the instance's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/lab/build.h"
#include "harness/lab/ifnames.h"
#include "harness/lab/vpc.h"
#include "netns/netns.h"
#include "netns/offload.h"
#include "netns/rt.h"
#include "netns/sysctl.h"

/* A NIC's way on the VPC's end of a link: no TSO or GSO, so frames of the MTU leave it. */
static int frames_out(struct lab *lab, const char *ifname)
{
	int ret;

	if (lab->cfg.wire != LAB_WIRE_NIC)
		return 0;
	ret = lab_step(lab, "turning TSO and GSO off on %s in %s (--wire nic)", ifname,
		       lab->ns_vpc);
	if (ret)
		return ret;
	ret = offload_set(lab->ns_vpc, ifname, OFFLOAD_TSO, false);
	if (!ret)
		ret = offload_set(lab->ns_vpc, ifname, OFFLOAD_GSO, false);
	return ret ? lab_fail(lab, ret, "ethtool's TSO/GSO settings") : 0;
}

/* ... and on the instance's end, GRO (a veth's NAPI), as a NIC's driver does. */
static int frames_in(struct lab *lab, const char *ifname)
{
	int ret;

	if (lab->cfg.wire != LAB_WIRE_NIC)
		return 0;
	ret = lab_step(lab, "turning GRO on on %s in %s (--wire nic)", ifname, lab->ns_inst);
	if (ret)
		return ret;
	ret = offload_set(lab->ns_inst, ifname, OFFLOAD_GRO, true);
	return ret ? lab_fail(lab, ret, "ethtool's GRO setting") : 0;
}

/*
 * A task's ENI carries its frames only: the instance, which holds the link but
 * no address on it, must not answer ARP on it for its own addresses (Linux
 * answers for any of them on any link), or the VPC would send the instance's
 * own traffic in through a task's ENI. On EC2 the instance never holds it.
 */
static int quiet_eni(struct lab *lab, const char *eni)
{
	char key[64];
	int ret;

	ret = lab_step(lab, "setting arp_ignore 8 on %s in %s", eni, lab->ns_inst);
	if (ret)
		return ret;
	snprintf(key, sizeof(key), "net.ipv4.conf.%s.arp_ignore", eni);
	ret = sysctl_write(lab->ns_inst, key, "8");
	return ret ? lab_fail(lab, ret, key) : 0;
}

/*
 * A link from the VPC into the instance: PORT in ns vpc (on the switch unless
 * TRUNK), ENI in the instance, both up, at the VPC's MTU.
 */
int vpc_eni_link(struct lab *lab, const char *port, const char *eni, bool trunk)
{
	unsigned int mtu = lab_vpc_mtu(&lab->cfg);
	int ret, nsfd, master = 0;

	ret = lab_step(lab, "creating veth %s (%s%s) <-> %s (%s), MTU %u", port, lab->ns_vpc,
		       trunk ? "" : ", on the switch " SWITCH, eni, lab->ns_inst, mtu);
	if (ret)
		return ret;
	if (!trunk && (master = rt_ifindex(lab->rt_vpc, SWITCH)) < 0)
		return lab_fail(lab, master, rt_ext_msg(lab->rt_vpc));
	nsfd = netns_open(lab->ns_inst);
	if (nsfd < 0)
		return lab_fail(lab, nsfd, NULL);
	ret = rt_veth_add(lab->rt_vpc, port, master, eni, nsfd, LAB_LINK_GROUP, mtu);
	close(nsfd);
	if (ret)
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_vpc));
	/* Into the lab's link group with it: the peer of a veth made elsewhere is not. */
	ret = lab_step(lab, "bringing %s up in %s", eni, lab->ns_inst);
	if (!ret && (ret = rt_link_up_group(lab->rt_inst, eni, LAB_LINK_GROUP)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_inst));
	if (!ret && strcmp(eni, WIRE_INST))
		ret = quiet_eni(lab, eni);
	if (!ret)
		ret = frames_out(lab, port);
	if (!ret)
		ret = frames_in(lab, eni);
	return ret;
}

int vpc_build(struct lab *lab)
{
	unsigned int mtu = lab_vpc_mtu(&lab->cfg);
	char cidr[32];
	int ret;

	ret = lab_step(lab, "creating the VPC switch %s in %s", SWITCH, lab->ns_vpc);
	if (!ret && (ret = rt_bridge_add(lab->rt_vpc, SWITCH, LAB_LINK_GROUP)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_vpc));
	if (ret)
		return ret;
	lab->wire_made = true;
	/* The instance's primary ENI, "the wire". */
	ret = vpc_eni_link(lab, WIRE_PORT, WIRE_INST, false);
	if (ret)
		return ret;
	/* Set after its first port, which would otherwise lower it to its own. */
	ret = lab_step(lab, "setting the MTU of %s in %s to %u", SWITCH, lab->ns_vpc, mtu);
	if (!ret && (ret = rt_link_mtu(lab->rt_vpc, SWITCH, mtu)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_vpc));
	if (ret)
		return ret;
	ip4_net_cidr(cidr, sizeof(cidr), lab->vpc_addr, &lab->cfg.vpc_net);
	ret = lab_step(lab, "adding %s (the VPC router) to %s in %s", cidr, SWITCH, lab->ns_vpc);
	if (!ret && (ret = rt_addr_add(lab->rt_vpc, SWITCH, cidr)))
		return lab_fail(lab, ret, rt_ext_msg(lab->rt_vpc));
	return ret;
}

void vpc_describe(json_t *doc, const struct lab_vpc_opts *v)
{
	json_object_set_new(doc, "mtu",
			    json_pack("{s:i, s:i}", "vpc", (int)(v->mtu ? v->mtu : LAB_VPC_MTU),
				      "bridge",
				      (int)(v->bridge_mtu ? v->bridge_mtu : LAB_BRIDGE_MTU)));
	json_object_set_new(doc, "wire", json_string(lab_wire_name(v->wire)));
	json_object_set_new(doc, "trunking", json_boolean(v->trunking));
}

const char *vpc_sg_device(const struct lab *lab, const struct lab_task *t, char *buf, size_t len)
{
	if (lab->cfg.trunking)
		snprintf(buf, len, "%s", TRUNK_ENI);
	else
		eni_name(t, buf, len);
	return buf;
}
