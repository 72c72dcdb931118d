/* SPDX-License-Identifier: MIT */
#ifndef NSB_WIREFRAMES_H
#define NSB_WIREFRAMES_H

#include <jansson.h>
#include <stddef.h>

#include "bench/measurement.h"
#include "harness/lab/model.h"

/*
 * The frames a TCP stream from the VPC puts on the instance's side of the
 * link it enters by (the primary ENI, the task's ENI or the trunk): the link's
 * received packets and bytes around one tcp_stream ingress to TASK, and with
 * them packets per GB on that link against 1e9 / MSS, the MSS the path's MTU
 * gives (MTU - 40 bytes of IPv4 and TCP headers - 12 of TCP timestamps).
 * *OUT: {link, mtu, mss, packets, bytes, bytes_per_packet, packets_per_gb,
 * mss_packets_per_gb, ratio, gbps, cpu_s_per_gb}.
 */
int wire_frames(struct lab *lab, struct lab_task *task, const struct bench_opts *bo, json_t **out,
		char *why, size_t len);

#endif
