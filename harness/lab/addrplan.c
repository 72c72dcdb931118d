// SPDX-License-Identifier: MIT
/* The address plan's arithmetic: IPv4 subnets and their hosts (pure logic, unit-tested). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/common/parse.h"
#include "harness/lab/addrplan.h"

/* Prefixes from /8 to /29: a /30 leaves no room for a gateway and tasks. */
int ip4_net_parse(const char *text, struct ip4_net *net)
{
	char buf[32], *slash;
	struct in_addr a;
	unsigned long plen;
	uint32_t mask;

	if (!text || strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	if (parse_uint(slash + 1, 8, 29, &plen))
		return -EINVAL;
	mask = plen ? ~0u << (32 - plen) : 0;
	net->base = ntohl(a.s_addr) & mask;
	net->plen = (unsigned int)plen;
	return 0;
}

unsigned int ip4_net_hosts(const struct ip4_net *net)
{
	return (1u << (32 - net->plen)) - 2;
}

int ip4_net_host(const struct ip4_net *net, unsigned int idx, char out[16])
{
	struct in_addr a;

	if (idx == 0 || idx > ip4_net_hosts(net))
		return -ERANGE;
	a.s_addr = htonl(net->base + idx);
	if (!inet_ntop(AF_INET, &a, out, 16))
		return -errno;
	return 0;
}

int ip4_net_format(const struct ip4_net *net, char out[20])
{
	struct in_addr a = {.s_addr = htonl(net->base)};
	char host[16];

	if (!inet_ntop(AF_INET, &a, host, sizeof(host)))
		return -errno;
	snprintf(out, 20, "%s/%u", host, net->plen);
	return 0;
}

int ip4_net_cidr(char *buf, size_t len, const char *addr, const struct ip4_net *net)
{
	return snprintf(buf, len, "%s/%u", addr, net->plen) < (int)len ? 0 : -EINVAL;
}
