// SPDX-License-Identifier: MIT
/*
 * The VPC as EC2 builds it, seen from one instance: a switch (the bridge
 * "vpc0" in ns vpc, holding the router's address) and a port on it for each
 * ENI. The instance's primary ENI is its eth0; each awsvpc task has an ENI of
 * its own (a link "eni-tN" into the instance, on which the task's eth0 is a
 * macvlan moved into its namespace), or, with ENI trunking, a branch: a VLAN
 * of the instance's one trunk ENI moved into the task's namespace, whose
 * frames the switch takes in through a port per VLAN. The macvlan is the
 * lab's analogue, not what the agent's plugins do: both ENI plugins
 * (aws/amazon-ecs-cni-plugins' ecs-eni, aws/amazon-vpc-cni-plugins' vpc-eni,
 * plugins/vpc-eni/network/network_linux.go) move the ENI device itself into
 * the task namespace; a lab ENI is a veth end in the instance, which cannot
 * be both the switch's port there and the task's link, and a macvlan of it
 * adds one device on the receive path (vpc-branch-eni's VLAN is as the lab
 * builds it). No link
 * joins two ENIs inside the instance: awsvpc tasks reach each other through
 * the switch. Every link from the VPC carries 9001-byte frames by default and,
 * as a NIC does, delivers them one by one (--wire nic): no segmentation
 * offload on the switch's side, GRO on the instance's.
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
static int eni_link(struct lab *lab, const char *port, const char *eni, bool trunk)
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
	ret = eni_link(lab, WIRE_PORT, WIRE_INST, false);
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
		ret = eni_link(lab, TRUNK_PORT, TRUNK_ENI, true);
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
	ret = eni_link(lab, port, eni, false);
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

int vpc_task_link(struct lab *lab, struct lab_task *t, struct rt *rt, const char *ifname)
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
