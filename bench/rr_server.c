// SPDX-License-Identifier: MIT
/*
 * The request/response engine's server: one response per request, over TCP
 * (a connection at a time, as many as the client makes) or UDP (the
 * request's sequence number echoed), stamped when traced.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/rr.h"
#include "bench/rr_sock.h"
#include "netns/inaddr.h"
#include "nsbench/rr_wire.h"

/* Server: the response to REQ, stamped with when it arrived (RX) and now. */
static void trace_response(const char *req, size_t n, char *resp, uint64_t rx)
{
	struct rr_trace_hdr h;

	if (n < sizeof(h))
		return;
	memcpy(&h, req, sizeof(h));
	if (h.magic != RR_TRACE_MAGIC)
		return;
	h.kind = RR_TRACE_RESPONSE;
	h.srv_rx_ns = rx;
	h.srv_tx_ns = rr_now_ns();
	memcpy(resp, &h, sizeof(h));
}

/* Accepted connections inherit the listener's buffers (O->window). */
static int tcp_listener(const struct rr_opts *o, const char *bind_addr, uint16_t port)
{
	struct rr_addr sa;
	int fd, one = 1;

	if (inaddr_parse(bind_addr, port, &sa.ss, &sa.len) < 0)
		return -EINVAL;
	fd = socket(sa.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rr_set_window(fd, o->window) < 0 || bind(fd, (struct sockaddr *)&sa.ss, sa.len) < 0 ||
	    listen(fd, 128) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int serve_tcp(const struct rr_opts *o, int lfd, char *req, char *resp)
{
	int one = 1;

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return -errno;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		/* A client that stops talking must not hold the server forever. */
		rr_set_timeouts(fd, 30000);
		while (rr_recv_all(fd, req, o->req_size) == 0) {
			if (o->trace)
				trace_response(req, o->req_size, resp, rr_now_ns());
			if (rr_send_all(fd, resp, o->resp_size))
				break;
		}
		close(fd);
	}
}

static int serve_udp(const struct rr_opts *o, const char *bind_addr, uint16_t port, char *req,
		     char *resp)
{
	struct sockaddr_storage peer;
	struct rr_addr sa;
	int fd;

	if (inaddr_parse(bind_addr, port, &sa.ss, &sa.len) < 0)
		return -EINVAL;
	fd = socket(sa.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa.ss, sa.len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	for (;;) {
		socklen_t plen = sizeof(peer);
		ssize_t n = recvfrom(fd, req, RR_MAX_MSG, 0, (struct sockaddr *)&peer, &plen);

		if (n < RR_UDP_MIN_MSG)
			continue;
		memcpy(resp, req, RR_UDP_MIN_MSG); /* the sequence number */
		if (o->trace)
			trace_response(req, (size_t)n, resp, rr_now_ns());
		sendto(fd, resp, o->resp_size, 0, (struct sockaddr *)&peer, plen);
	}
}

int rr_server(const struct rr_opts *o, const char *bind_addr, uint16_t port)
{
	char *req = calloc(1, RR_IO_BUF), *resp = calloc(1, RR_IO_BUF);
	int ret, lfd;

	if (!req || !resp) {
		ret = -ENOMEM;
		goto out;
	}
	memset(resp, 'r', RR_IO_BUF);
	if (o->kind == RR_UDP) {
		ret = serve_udp(o, bind_addr, port, req, resp);
		goto out;
	}
	lfd = tcp_listener(o, bind_addr, port);
	if (lfd < 0) {
		ret = lfd;
		goto out;
	}
	ret = serve_tcp(o, lfd, req, resp);
	close(lfd);
out:
	free(req);
	free(resp);
	return ret;
}
