// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Per-hop timestamps: a tc classifier on the ingress and egress hook of one
 * interface on the lab's path. For every IPv4 UDP or TCP packet whose payload
 * starts with the request/response engine's trace header (nsbench/rr_wire.h)
 * and whose sequence number is sampled, it stores bpf_ktime_get_ns() in the
 * slot (sequence, hop, request or response, direction) of one array shared by
 * every hop of the lab. Nothing is queued and nobody is woken: user space
 * reads the array after the run. Every packet passes unchanged (TC_ACT_OK).
 *
 * Only the UAPI context (struct __sk_buff) and packet bytes are read, so the
 * program needs no CO-RE relocation and no vmlinux.h.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "nsbench/hopstamp.h"
#include "nsbench/rr_wire.h"

/* Set by the loader before the program is loaded: which hop this copy stamps. */
const volatile __u32 hop_id = 0;
const volatile __u32 sample_mask = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, HOPSTAMP_ENTRIES);
	__type(key, __u32);
	__type(value, struct hopstamp);
} stamps SEC(".maps");

static __always_inline int stamp(struct __sk_buff *skb, __u32 dir)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct rr_trace_hdr h;
	struct hopstamp *v;
	__u8 *ip = data + ETH_HLEN, *l4;
	__u32 key, off;

	/* Direct packet access for the headers: most packets leave after a few loads. */
	if (skb->protocol != bpf_htons(ETH_P_IP) || (void *)(ip + 20) > end)
		return TC_ACT_OK;
	off = (ip[0] & 0x0f) * 4;
	if (off < 20)
		return TC_ACT_OK;
	l4 = ip + off;
	off += ETH_HLEN;
	if (ip[9] == IPPROTO_UDP) {
		off += 8;
	} else if (ip[9] == IPPROTO_TCP) {
		if ((void *)(l4 + 13) > end)
			return TC_ACT_OK;
		off += ((l4[12] >> 4) & 0x0f) * 4;
	} else {
		return TC_ACT_OK;
	}
	/*
	 * Read in place when the payload is in the linear part (UDP); TCP may
	 * leave it in page fragments, which only a copy reaches.
	 */
	off &= 0xff;
	if (data + off + RR_TRACE_PROBE_BYTES <= end)
		__builtin_memcpy(&h, data + off, RR_TRACE_PROBE_BYTES);
	else if (bpf_skb_load_bytes(skb, off, &h, RR_TRACE_PROBE_BYTES))
		return TC_ACT_OK;
	if (h.magic != RR_TRACE_MAGIC || (h.seq & sample_mask))
		return TC_ACT_OK;
	key = hopstamp_key(h.seq, hop_id, h.kind & 1, dir);
	v = bpf_map_lookup_elem(&stamps, &key);
	if (v) {
		v->ns = bpf_ktime_get_ns();
		v->seq = h.seq;
	}
	return TC_ACT_OK;
}

SEC("tc")
int nsb_hop_ingress(struct __sk_buff *skb)
{
	return stamp(skb, HOPSTAMP_INGRESS);
}

SEC("tc")
int nsb_hop_egress(struct __sk_buff *skb)
{
	return stamp(skb, HOPSTAMP_EGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
