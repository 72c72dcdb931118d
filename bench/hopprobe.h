/* SPDX-License-Identifier: MIT */
#ifndef NSB_HOPPROBE_H
#define NSB_HOPPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nsbench/hopstamp.h"

/*
 * BPF probes on the tc hooks of a lab path's interfaces (never the root
 * namespace's): each stamps the traced request/response messages crossing it
 * (nsbench/rr_wire.h) into one shared array (nsbench/hopstamp.h).
 */
struct hopprobe;

struct hopprobe_if {
	char ns[32];
	char ifname[16];
};

/* The name every probe program's name starts with, to find ours among the kernel's. */
#define HOPPROBE_PROG_PREFIX "nsb_hop"

/*
 * 0 when this kernel and process can load a tc classifier; else -errno
 * (-EOPNOTSUPP for a missing feature) and WHY names the missing feature.
 */
int hopprobe_supported(char *why, size_t len);
/* Whether the kernel describes itself in BTF (/sys/kernel/btf/vmlinux); the probes do not need it. */
bool hopprobe_btf_present(void);
/*
 * Loads one probe per interface (hop I of the result is IFS[I], at most
 * HOPSTAMP_HOPS) sampling transactions whose sequence number has no bit of
 * SAMPLE_MASK set, and attaches it to the interface's ingress and egress
 * hooks in its namespace. All or nothing: on failure nothing stays attached.
 */
int hopprobe_open(struct hopprobe **out, const struct hopprobe_if *ifs, unsigned int n,
		  uint32_t sample_mask, char *why, size_t len);
/* How the probes are attached: "tcx" (links) or "clsact" (the qdisc and cls_bpf). */
const char *hopprobe_hook(const struct hopprobe *hp);
/* Forgets every stamp (before a run: sequence numbers restart per client). */
void hopprobe_reset(struct hopprobe *hp);
/* When transaction SEQ's request (RESP 0) or response crossed hop HOP in DIR; 0 if it did not. */
uint64_t hopprobe_stamp(const struct hopprobe *hp, unsigned int hop, unsigned int resp,
			unsigned int dir, uint64_t seq);
/* Detaches from every hook whose namespace still exists, unloads, frees. */
void hopprobe_close(struct hopprobe *hp);
/* How many of nsbench's probe programs the kernel holds now (any process's), or -errno. */
int hopprobe_loaded(void);

#endif
