/* SPDX-License-Identifier: MIT */
#ifndef NSB_RR_WIRE_H
#define NSB_RR_WIRE_H

/*
 * The request/response engine's traced messages, as they travel: every
 * request and response of a traced UDP_RR or TCP_RR run starts with this
 * header. The per-hop probes (netns/hopprobe.bpf.c) read it from the packet
 * to stamp each hop; the server fills in when it received and answered, on
 * CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns().
 */
#include <linux/types.h>

#define RR_TRACE_MAGIC 0x5462736eU /* "nsbT" */
#define RR_TRACE_REQUEST 0
#define RR_TRACE_RESPONSE 1

struct rr_trace_hdr {
	__u64 seq;	 /* from 1, per client run */
	__u32 magic;	 /* RR_TRACE_MAGIC */
	__u32 kind;	 /* RR_TRACE_REQUEST or RR_TRACE_RESPONSE */
	__u64 srv_rx_ns; /* response: the server's receive and send times */
	__u64 srv_tx_ns;
};

#define RR_TRACE_MIN_MSG 32

#endif
