/* SPDX-License-Identifier: MIT */
#ifndef NSB_RR_WIRE_H
#define NSB_RR_WIRE_H

/*
 * The request/response engine's traced messages, as they travel: every
 * request and response of a traced UDP_RR or TCP_RR run starts with this
 * header. Two programs in two languages agree on it: the engine (bench/rr_client.c and
 * rr_server.c) writes it, the per-hop probes (bench/hopprobe.bpf.c, BPF C) read it from
 * the packet to stamp each hop. The server fills in when it received and
 * answered, on CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns().
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

/* What a probe reads of a packet (seq, magic, kind): the header's first 16 bytes. */
#define RR_TRACE_PROBE_BYTES 16
_Static_assert(__builtin_offsetof(struct rr_trace_hdr, kind) + sizeof(__u32) ==
		       RR_TRACE_PROBE_BYTES,
	       "a probe reads seq, magic and kind, and nothing after them");
_Static_assert(sizeof(struct rr_trace_hdr) <= RR_TRACE_MIN_MSG,
	       "a traced message holds the whole header");

#endif
