// SPDX-License-Identifier: MIT
/* ethtool's legacy per-offload commands: one ioctl each, no string set to look up. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "netns/netns.h"
#include "netns/offload.h"

static const unsigned int cmds[][2] = {
	[OFFLOAD_TSO] = {ETHTOOL_GTSO, ETHTOOL_STSO},
	[OFFLOAD_GSO] = {ETHTOOL_GGSO, ETHTOOL_SGSO},
	[OFFLOAD_GRO] = {ETHTOOL_GGRO, ETHTOOL_SGRO},
};

static int offload_ioctl(const char *netns, const char *ifname, unsigned int cmd, uint32_t *data)
{
	struct ethtool_value ev = {.cmd = cmd, .data = *data};
	struct ifreq ifr;
	int fd, ret = 0;

	if (!ifname || strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (void *)&ev;
	fd = netns_socket(netns, AF_INET, SOCK_DGRAM);
	if (fd < 0)
		return fd;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		ret = -errno;
	close(fd);
	*data = ev.data;
	return ret;
}

int offload_set(const char *netns, const char *ifname, enum offload which, bool on)
{
	uint32_t v = on;
	int ret;

	if ((unsigned int)which > OFFLOAD_GRO)
		return -EINVAL;
	ret = offload_ioctl(netns, ifname, cmds[which][1], &v);
	if (ret)
		return ret;
	/* The kernel may refuse a feature silently (a dependency off): read it back. */
	ret = offload_get(netns, ifname, which);
	return ret < 0 ? ret : (ret == (int)on ? 0 : -EOPNOTSUPP);
}

int offload_get(const char *netns, const char *ifname, enum offload which)
{
	uint32_t v = 0;
	int ret;

	if ((unsigned int)which > OFFLOAD_GRO)
		return -EINVAL;
	ret = offload_ioctl(netns, ifname, cmds[which][0], &v);
	return ret ? ret : !!v;
}
