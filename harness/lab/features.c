// SPDX-License-Identifier: MIT
/* Doctor's diagnosis: each kernel feature the modes are built from, tried on its own. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/lab/build.h"
#include "harness/lab/ifnames.h"
#include "harness/lab/mode.h"
#include "netns/nftables.h"
#include "netns/rt.h"

/* The kernel features the modes are built from, tried in a scratch VPC namespace by doctor. */
#define PROBE_VETH "nsbd0"
#define PROBE_PEER "nsbd1"
#define PROBE_BRIDGE "nsbdbr"
#define PROBE_MACVLAN "nsbdmv"
#define PROBE_VLAN "nsbdvl"
#define F(x) (1u << FEATURE_##x)

const char *lab_feature_name(enum lab_feature f)
{
	static const char *const names[FEATURE_COUNT] = {"veth", "bridge", "macvlan",
							 "nf_tables NAT", "802.1Q VLAN"};

	return (unsigned int)f < FEATURE_COUNT ? names[f] : "?";
}

static void feature(struct lab_features *f, enum lab_feature k, int err, const char *ext)
{
	f->err[k] = err;
	f->why[k][0] = '\0';
	if (err)
		lab_reason(f->why[k], sizeof(f->why[k]), err, ext);
}

int mode_probe_features(struct lab *lab, struct lab_features *f)
{
	struct rt *rt;
	char net[20];
	int ret, parent;

	ret = lab_step(lab, "opening rtnetlink in %s", lab->ns_vpc);
	if (!ret && (ret = rt_open(&lab->rt_vpc, lab->ns_vpc)))
		lab_fail(lab, ret, NULL);
	if (ret)
		return ret;
	rt = lab->rt_vpc;
	ret = rt_veth_add(rt, PROBE_VETH, 0, PROBE_PEER, -1, 0, 0);
	feature(f, FEATURE_VETH, ret, rt_ext_msg(rt));
	ret = rt_bridge_add(rt, PROBE_BRIDGE, 0);
	feature(f, FEATURE_BRIDGE, ret, rt_ext_msg(rt));
	parent = f->err[FEATURE_VETH] ? -ENODEV : rt_ifindex(rt, PROBE_VETH);
	ret = parent < 0 ? parent : rt_macvlan_add(rt, PROBE_MACVLAN, parent, "bridge", -1);
	feature(f, FEATURE_MACVLAN, ret, rt_ext_msg(rt));
	ret = parent < 0 ? parent
			 : rt_vlan_add(rt, PROBE_VLAN, parent, LAB_VLAN_BASE, 0, -1, 0, NULL);
	feature(f, FEATURE_VLAN, ret,
		ret == -EOPNOTSUPP ? "no CONFIG_VLAN_8021Q (module 8021q); only --trunking needs it"
				   : rt_ext_msg(rt));
	ret = portmap_open(&lab->pm, lab->ns_vpc);
	if (!ret) {
		ip4_net_format(&lab->cfg.bridge_net, net);
		ret = portmap_init(lab->pm, PROBE_BRIDGE, net);
	}
	feature(f, FEATURE_NAT, ret, portmap_error(lab->pm));
	return 0;
}
