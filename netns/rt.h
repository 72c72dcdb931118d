/* SPDX-License-Identifier: MIT */
#ifndef NSB_RT_H
#define NSB_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An rtnetlink socket bound to one namespace (libnl-route-3 underneath). */
struct rt;

int rt_open(struct rt **out, const char *netns);
void rt_close(struct rt *rt);
/* The kernel's extended-ack text for the last failure, or "". */
const char *rt_ext_msg(const struct rt *rt);

int rt_ifindex(struct rt *rt, const char *ifname);
/* MTU 0: the kernel's default on both ends. */
int rt_veth_add(struct rt *rt, const char *name, int master, const char *peer, int peer_nsfd,
		uint32_t group, unsigned int mtu);
/* Needs CONFIG_VLAN_8021Q (-EOPNOTSUPP without it); made in NSFD's namespace, down. */
int rt_vlan_add(struct rt *rt, const char *name, int parent, uint16_t vid, int master, int nsfd,
		uint32_t group, const uint8_t *mac);
int rt_bridge_add(struct rt *rt, const char *name, uint32_t group);
int rt_group_del(struct rt *rt, uint32_t group);
/* MODE: one of rt_macvlan_mode_list() ("bridge, private, vepa, passthru"). */
int rt_macvlan_add(struct rt *rt, const char *name, int parent, const char *mode, int nsfd);
bool rt_macvlan_mode_known(const char *mode);
const char *rt_macvlan_mode_list(void);
int rt_link_up(struct rt *rt, const char *ifname);
int rt_link_up_group(struct rt *rt, const char *ifname, uint32_t group);
int rt_link_del(struct rt *rt, const char *ifname);
/* IPv4 or IPv6 (by CIDR's text); an IPv6 address goes without DAD (IFA_F_NODAD). */
int rt_addr_add(struct rt *rt, const char *ifname, const char *cidr);
/* The default route of GATEWAY's family. */
int rt_route_default(struct rt *rt, const char *gateway);
/* A route to CIDR via GATEWAY, of CIDR's family. */
int rt_route_add(struct rt *rt, const char *cidr, const char *gateway);
int rt_link_mtu(struct rt *rt, const char *ifname, unsigned int mtu);
/* The link must be down: the kernel renames no link that is up. */
int rt_link_rename(struct rt *rt, const char *ifname, const char *name);

struct rt_link_info {
	char name[16];
	char kind[16];
	int ifindex;
	bool up;
};

int rt_links(struct rt *rt, struct rt_link_info *links, size_t max, size_t *count);
int rt_route_get(struct rt *rt, const char *dst);
int rt_tbf_add(struct rt *rt, const char *ifname, uint64_t rate_bps);

#endif
