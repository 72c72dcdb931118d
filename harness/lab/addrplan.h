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

#endif
