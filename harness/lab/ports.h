/* SPDX-License-Identifier: MIT */
#ifndef NSB_PORTS_H
#define NSB_PORTS_H

#include <stdint.h>

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
/* Namespace NS's ip_local_port_range: the ports its connect() picks from. */
int ports_local_range(const char *ns, uint16_t *lo, uint16_t *hi);

#endif
