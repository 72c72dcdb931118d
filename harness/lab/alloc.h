/* SPDX-License-Identifier: MIT */
#ifndef NSB_ALLOC_H
#define NSB_ALLOC_H

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

/* Host ports claimed in the instance's stack, with the task that holds each. */
#define PORT_TABLE_MAX 512

struct port_table {
	unsigned int n;
	struct {
		uint16_t port;
		int owner;
	} e[PORT_TABLE_MAX];
};

void port_table_init(struct port_table *t);
/* -EADDRINUSE (and *holder) when PORT is taken; -ENOSPC when the table is full. */
int port_claim(struct port_table *t, uint16_t port, int owner, int *holder);
/* Lowest free port in [lo, hi], as ECS's dynamic mapping; -ENOSPC when none. */
int port_alloc(struct port_table *t, uint16_t lo, uint16_t hi, int owner, uint16_t *port);
void port_release_owner(struct port_table *t, int owner);
/* The text of ip_local_port_range ("32768\t60999"). */
int port_range_parse(const char *text, uint16_t *lo, uint16_t *hi);

/* Decimal in [min, max], the whole string. */
int parse_uint(const char *text, unsigned long min, unsigned long max, unsigned long *out);
int parse_port(const char *text, uint16_t *port);
/* Bits per second with an optional k/M/G suffix (powers of 1000): "1G", "250M". */
int parse_rate(const char *text, uint64_t *bps);
/* A comma-separated list, no empty item: ITEM is called on each; its error stops. */
int parse_csv(const char *text, int (*item)(const char *tok, void *arg), void *arg);
/* Seconds, fractional allowed, in [min, max]. */
int parse_seconds(const char *text, double min, double max, double *out);

#endif
