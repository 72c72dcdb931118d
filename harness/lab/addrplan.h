/* SPDX-License-Identifier: MIT */
#ifndef NSB_ADDRPLAN_H
#define NSB_ADDRPLAN_H

#include <stddef.h>
#include <stdint.h>

/* IPv4 subnets of the address plan, host order. */
struct ip4_net {
	uint32_t base;
	unsigned int plen;
};

int ip4_net_parse(const char *text, struct ip4_net *net);
/* The IDX-th host of NET (1 = first usable), as dotted text; -ERANGE past the last. */
int ip4_net_host(const struct ip4_net *net, unsigned int idx, char out[16]);
unsigned int ip4_net_hosts(const struct ip4_net *net);
int ip4_net_format(const struct ip4_net *net, char out[20]);
/* "ADDR/PLEN" of an address in NET; -EINVAL when it does not fit in LEN. */
int ip4_net_cidr(char *buf, size_t len, const char *addr, const struct ip4_net *net);

/*
 * The IPv6 side of a dual-stack VPC: its subnet (from 2001:2::/48, RFC 5180's
 * benchmarking range: 2001:2::/64 by default) and its hosts as the IPv4 plan
 * numbers them (router 1, instance 2, awsvpc task N offset + N).
 */
#define IP6_ADDR_LEN 46 /* INET6_ADDRSTRLEN */

struct ip6_net {
	uint8_t base[16];
	unsigned int plen;
};

/* Prefixes from /48 to /120. */
int ip6_net_parse(const char *text, struct ip6_net *net);
/*
 * The IDX-th host of NET (1 = first; 0, the subnet-router anycast, is none);
 * -ERANGE past the last.
 */
int ip6_net_host(const struct ip6_net *net, unsigned int idx, char out[IP6_ADDR_LEN]);
int ip6_net_format(const struct ip6_net *net, char out[IP6_ADDR_LEN + 4]);
/* "ADDR/PLEN" of an address in NET; -EINVAL when it does not fit in LEN. */
int ip6_net_cidr(char *buf, size_t len, const char *addr, const struct ip6_net *net);

#endif
