/* SPDX-License-Identifier: MIT */
#ifndef NSB_STREAM_H
#define NSB_STREAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Throughput through libiperf: TCP (N streams, forward or reverse) or UDP at a rate. */
struct stream_opts {
	bool udp;
	bool reverse;
	int streams;
	int duration_s;
	int omit_s;
	int blksize;	   /* 0: iperf's default for TCP (128 KiB), 1448 bytes for UDP */
	int window;	   /* 0: the kernel's buffer autotuning; else both ends' socket buffers */
	uint64_t rate_bps; /* UDP: required */
};

/* libiperf's own bounds for -w (MAX_TCP_BUFFER is 512 MiB). */
#define STREAM_WINDOW_MIN 1024
#define STREAM_WINDOW_MAX (512 << 20)

void stream_opts_default(struct stream_opts *o);
int stream_opts_check(const struct stream_opts *o, char *why, size_t len);
/*
 * -ERANGE with WHY when WINDOW (bytes, both ends) is above net.core.rmem_max
 * or wmem_max, which SO_RCVBUF/SO_SNDBUF cannot exceed: read where this
 * thread is (a lab's new namespaces have the same values here).
 */
int stream_window_fits(int window, char *why, size_t len);
/* The largest window both ends may ask for here (min of rmem_max, wmem_max); -1 unreadable. */
long stream_window_max(void);
/*
 * The window that takes autotuning's draw out of a figure (doc/measuring.md):
 * STREAM_WINDOW_STEADY, or stream_window_max() where that is less (212992
 * bytes on kernels whose rmem_max is still the old default).
 */
#define STREAM_WINDOW_STEADY (2 << 20)
int stream_window_steady(void);
/* One-off server; returns when the test is over. The JSON goes to OUT. */
int stream_server(const char *bind_addr, uint16_t port, FILE *out);
/* Client; writes iperf's JSON (with the server's, for reverse RTT) to OUT. */
int stream_client(const struct stream_opts *o, const char *dst, uint16_t port, FILE *out);
/*
 * What nsbench reports from the client's iperf JSON: throughput, retransmits,
 * sender RTT, UDP loss and jitter, CPU. -EIO with WHY when iperf failed.
 */
int stream_metrics(const struct stream_opts *o, json_t *iperf, json_t **metrics, char *why,
		   size_t len);

#endif
