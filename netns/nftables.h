/* SPDX-License-Identifier: MIT */
#ifndef NSB_PORTMAP_H
#define NSB_PORTMAP_H

#include <jansson.h>
#include <stdint.h>

/*
 * The instance's port mapping (Docker's DNAT and masquerade) as one nftables
 * table inside the instance namespace, never anywhere else.
 */
struct portmap;

#define PORTMAP_TABLE "nsbench"
#define PORTMAP_SG_TABLE "nsbench_sg"

int portmap_open(struct portmap **out, const char *netns);
void portmap_close(struct portmap *pm);
/* nftables' own error text for the last failed batch, or "". */
const char *portmap_error(const struct portmap *pm);

int portmap_init(struct portmap *pm, const char *bridge, const char *bridge_cidr);
/* The same, queued: portmap_commit() sends what is queued as one batch. */
int portmap_queue_init(struct portmap *pm, const char *bridge, const char *bridge_cidr);
/* The table with conntrack and no NAT: explain's +conntrack step (queued). */
int portmap_queue_conntrack(struct portmap *pm, const char *bridge);
/* A hostPort mapping over each protocol of PROTOS (bit 0 tcp, bit 1 udp). */
int portmap_queue_add(struct portmap *pm, const char *host_addr, uint16_t host_port,
		      const char *task_addr, uint16_t task_port, unsigned int protos,
		      const char *comment);
int portmap_commit(struct portmap *pm);
int portmap_destroy(struct portmap *pm);
/* Every rule's counter: [{"chain", "comment", "packets", "bytes"}]. */
int portmap_counters(struct portmap *pm, json_t **rules);
/* The awsvpc security-group analogue's netdev table (queued; commit after). */
int portmap_sg_init(struct portmap *pm);
/* TASK_ADDR's rules on DEV's ingress hook (its chain made the first time). */
int portmap_sg_allow(struct portmap *pm, const char *dev, const char *task_addr, uint16_t port,
		     uint16_t ephemeral_lo, const char *comment);
int portmap_sg_counters(struct portmap *pm, json_t **rules);
/* Runs one nft command (for counters and tests); output stays in the buffer. */
int portmap_cmd(struct portmap *pm, const char *cmd, const char **output);

#endif
