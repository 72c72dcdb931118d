/* SPDX-License-Identifier: MIT */
#ifndef NSB_RR_SOCK_H
#define NSB_RR_SOCK_H

/* Inside the request/response engine: what its client and server share. */
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

/* The engine's message buffers: a UDP payload's limit fits, and a bulk request's pieces. */
#define RR_IO_BUF (128u << 10)

/* An endpoint's address, IPv4 or IPv6 (inaddr_parse). */
struct rr_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Inline: it stamps both ends of every transaction. */
static inline uint64_t rr_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* SO_RCVTIMEO and SO_SNDTIMEO of FD, MS each. */
void rr_set_timeouts(int fd, int ms);
/* SO_SNDBUF and SO_RCVBUF of FD, BYTES each (as iperf3 -w); nothing when BYTES is 0. */
int rr_set_window(int fd, int bytes);
/*
 * Whole messages on a stream: 0, or -errno, or -EPIPE when the peer closed.
 * BUF holds min(LEN, RR_IO_BUF) bytes: a longer message goes through it in pieces.
 */
int rr_send_all(int fd, const char *buf, size_t len);
int rr_recv_all(int fd, char *buf, size_t len);

#endif
