/* SPDX-License-Identifier: MIT */
#ifndef NSB_HOPSTAMP_H
#define NSB_HOPSTAMP_H

/*
 * The per-hop probes' shared array, as the BPF program (bench/hopprobe.bpf.c)
 * writes it and bench/hopprobe.c reads it through mmap: one slot per (sampled
 * transaction, hop, request/response, direction). The sequence number is kept
 * with the time so that a slot reused by a later transaction is not mistaken
 * for this one.
 */
#include <linux/types.h>

#define HOPSTAMP_SLOTS 4096 /* sampled transactions kept at once */
#define HOPSTAMP_HOPS 8	    /* interfaces probed in one lab path */
#define HOPSTAMP_EGRESS 0
#define HOPSTAMP_INGRESS 1
#define HOPSTAMP_POINTS (HOPSTAMP_HOPS * 4)
#define HOPSTAMP_ENTRIES (HOPSTAMP_SLOTS * HOPSTAMP_POINTS)

struct hopstamp {
	__u64 ns; /* bpf_ktime_get_ns(), CLOCK_MONOTONIC */
	__u64 seq;
};

/* RESP: 0 request, 1 response; DIR: HOPSTAMP_EGRESS or HOPSTAMP_INGRESS. */
static inline __u32 hopstamp_key(__u64 seq, __u32 hop, __u32 resp, __u32 dir)
{
	return (__u32)(seq % HOPSTAMP_SLOTS) * HOPSTAMP_POINTS +
	       (hop % HOPSTAMP_HOPS) * 4 + resp * 2 + dir;
}

#endif
