// SPDX-License-Identifier: MIT
/* The address plan's arithmetic, IPv4's and IPv6's: subnets and their hosts (unit-tested). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/common/parse.h"
#include "harness/lab/addrplan.h"

/* "ADDR/BITS" into BUF (LEN bytes) holding ADDR, and *BITS pointing at BITS; -EINVAL if not. */
static int prefix_split(const char *text, char *buf, size_t len, const char **bits)
{
	char *slash;

	if (!text || strlen(text) >= len)
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	*bits = slash + 1;
	return 0;
}

/* Prefixes from /8 to /29: a /30 leaves no room for a gateway and tasks. */
int ip4_net_parse(const char *text, struct ip4_net *net)
{
	const char *bits;
	char buf[32];
	struct in_addr a;
	unsigned long plen;
	uint32_t mask;

	if (prefix_split(text, buf, sizeof(buf), &bits))
		return -EINVAL;
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	if (parse_uint(bits, 8, 29, &plen))
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

int ip6_net_parse(const char *text, struct ip6_net *net)
{
	const char *bits;
	char buf[64];
	struct in6_addr a;
	unsigned long plen;

	if (prefix_split(text, buf, sizeof(buf), &bits))
		return -EINVAL;
	if (inet_pton(AF_INET6, buf, &a) != 1 || parse_uint(bits, 48, 120, &plen))
		return -EINVAL;
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int bits = i * 8 >= plen ? 0 : plen - i * 8;

		net->base[i] =
			bits >= 8 ? a.s6_addr[i] : a.s6_addr[i] & (uint8_t)(0xff << (8 - bits));
	}
	net->plen = (unsigned int)plen;
	return 0;
}

int ip6_net_host(const struct ip6_net *net, unsigned int idx, char out[IP6_ADDR_LEN])
{
	struct in6_addr a;
	uint64_t low = 0, room = net->plen >= 96 ? (1ull << (128 - net->plen)) - 1 : UINT32_MAX;

	if (idx == 0 || idx > room)
		return -ERANGE;
	memcpy(a.s6_addr, net->base, 16);
	/* The host number goes in the low 32 bits, which a /96 or longer prefix leaves free. */
	for (int i = 12; i < 16; i++)
		low = low << 8 | a.s6_addr[i];
	low += idx;
	for (int i = 15; i >= 12; i--, low >>= 8)
		a.s6_addr[i] = (uint8_t)low;
	if (!inet_ntop(AF_INET6, &a, out, IP6_ADDR_LEN))
		return -errno;
	return 0;
}

int ip6_net_format(const struct ip6_net *net, char out[IP6_ADDR_LEN + 4])
{
	struct in6_addr a;
	char host[IP6_ADDR_LEN];

	memcpy(a.s6_addr, net->base, 16);
	if (!inet_ntop(AF_INET6, &a, host, sizeof(host)))
		return -errno;
	snprintf(out, IP6_ADDR_LEN + 4, "%s/%u", host, net->plen);
	return 0;
}

int ip6_net_cidr(char *buf, size_t len, const char *addr, const struct ip6_net *net)
{
	return snprintf(buf, len, "%s/%u", addr, net->plen) < (int)len ? 0 : -EINVAL;
}
