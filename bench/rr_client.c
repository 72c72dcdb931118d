// SPDX-License-Identifier: MIT
/*
 * The request/response engine's client: TCP_RR on one persistent
 * connection, TCP_CRR a connection per transaction, UDP_RR with sequence
 * numbers and a timeout; each latency recorded after the warm-up, and the
 * four times of the sampled transactions when traced.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/rr.h"
#include "bench/rr_sock.h"
#include "netns/inaddr.h"
#include "netns/netns.h"
#include "netns/testhooks.h"
#include "nsbench/rr_wire.h"

/* Client: the header of request SEQ. */
static void trace_request(char *req, uint64_t seq)
{
	struct rr_trace_hdr h = {.seq = seq, .magic = RR_TRACE_MAGIC, .kind = RR_TRACE_REQUEST};

	memcpy(req, &h, sizeof(h));
}

/* A UDP request: send(2), or in a test build a failure on demand (NSBENCH_FAIL=rr-send). */
static ssize_t udp_send(int fd, const char *buf, size_t len)
{
	if (testhook_fail("rr-send")) {
		errno = EPERM;
		return -1;
	}
	return send(fd, buf, len, 0);
}

static void record(const struct rr_opts *o, struct rr_result *r, uint64_t ns)
{
	r->transactions++;
	if (o->tap)
		o->tap(o->tap_arg, ns);
	if (r->nsamples >= o->max_samples) {
		r->capped = true;
		return;
	}
	r->samples[r->nsamples++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

/* A traced transaction's four times, when its sequence number is sampled. */
static void record_stamp(const struct rr_opts *o, struct rr_result *r, uint64_t seq, uint64_t t0,
			 uint64_t t1, const char *resp)
{
	struct rr_trace_hdr h;

	if (!o->trace || (seq & o->trace_mask) || r->nstamps >= o->trace_max || !r->stamps)
		return;
	memcpy(&h, resp, sizeof(h));
	if (h.magic != RR_TRACE_MAGIC || h.seq != seq || h.kind != RR_TRACE_RESPONSE)
		return;
	r->stamps[r->nstamps++] =
		(struct rr_stamp){.seq = seq, .c_tx = t0, .s_rx = h.srv_rx_ns, .s_tx = h.srv_tx_ns,
				  .c_rx = t1};
}

/* A counted run (o->count) stops after that many transactions, warm-up or not. */
static inline bool enough(const struct rr_opts *o, const struct rr_result *r)
{
	return o->count && r->transactions + r->lost >= o->count;
}

/* From now: warm-up (none in a counted run), then the measured duration. */
static void window(const struct rr_opts *o, uint64_t *start, uint64_t *warm_end, uint64_t *end)
{
	*start = rr_now_ns();
	*warm_end = *start + (o->count ? 0 : (uint64_t)(o->warmup_s * 1e9));
	*end = *warm_end + (uint64_t)(o->duration_s * 1e9);
}

static int fail(struct rr_result *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct rr_result *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	r->err = err;
	return err;
}

/* A TCP connection to SA from namespace NS (NULL: this thread's), O's: its fd, or -errno. */
static int tcp_connect_in(const char *ns, const struct rr_addr *sa, const struct rr_opts *o)
{
	int fd, one = 1, err;

	fd = netns_socket(ns, sa->ss.ss_family, SOCK_STREAM);
	if (fd < 0)
		return fd;
	rr_set_timeouts(fd, o->timeout_ms);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Before connect: the window scale is agreed in the handshake. */
	if ((err = rr_set_window(fd, o->window)) < 0 ||
	    connect(fd, (const struct sockaddr *)&sa->ss, sa->len) < 0) {
		err = err < 0 ? err : errno == EINPROGRESS ? -ETIMEDOUT : -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int tcp_connect(const struct rr_addr *sa, const struct rr_opts *o)
{
	return tcp_connect_in(NULL, sa, o);
}

static int client_tcp_rr(const struct rr_opts *o, const struct rr_addr *sa, struct rr_result *r,
			 char *req, char *resp)
{
	uint64_t start, end, warm_end, t0, t1, seq = 0;
	int fd, ret = 0;

	fd = tcp_connect(sa, o);
	if (fd < 0)
		return fail(r, fd, "connect: %s", strerror(-fd));
	window(o, &start, &warm_end, &end);
	for (t0 = start; t0 < end && !enough(o, r); t0 = t1) {
		if (o->trace) {
			trace_request(req, ++seq);
			t0 = rr_now_ns();
		}
		ret = rr_send_all(fd, req, o->req_size);
		if (!ret)
			ret = rr_recv_all(fd, resp, o->resp_size);
		t1 = rr_now_ns();
		if (ret)
			break;
		if (t0 >= warm_end) {
			record(o, r, t1 - t0);
			record_stamp(o, r, seq, t0, t1, resp);
		}
	}
	r->elapsed_s = (double)(rr_now_ns() - warm_end) / 1e9;
	close(fd);
	if (ret == -EPIPE || ret == -ECONNRESET)
		return fail(r, ret, "the server closed the connection after %llu transactions",
			    (unsigned long long)r->transactions);
	if (ret)
		return fail(r, ret, "after %llu transactions: %s",
			    (unsigned long long)r->transactions, strerror(-ret));
	return 0;
}

static int client_tcp_crr(const struct rr_opts *o, const struct rr_addr *sa, struct rr_result *r,
			  char *req, char *resp)
{
	uint64_t start, end, warm_end, t0, t1;
	int ret = 0, consecutive = 0;

	window(o, &start, &warm_end, &end);
	for (t0 = start; t0 < end && !enough(o, r); t0 = rr_now_ns()) {
		int fd = tcp_connect(sa, o);

		ret = fd < 0 ? fd : 0;
		if (!ret)
			ret = rr_send_all(fd, req, o->req_size);
		if (!ret)
			ret = rr_recv_all(fd, resp, o->resp_size);
		t1 = rr_now_ns();
		if (fd >= 0)
			close(fd);
		if (ret) {
			/* One refused or reset connection is counted; a dead server is an error. */
			r->errors++;
			if (++consecutive >= 3)
				break;
			continue;
		}
		consecutive = 0;
		if (t0 >= warm_end)
			record(o, r, t1 - t0);
	}
	r->elapsed_s = (double)(rr_now_ns() - warm_end) / 1e9;
	if (ret)
		return fail(r, ret, "%s after %llu transactions",
			    ret == -EADDRNOTAVAIL ? "out of local ports" : strerror(-ret),
			    (unsigned long long)r->transactions);
	return 0;
}

static int client_udp_rr(const struct rr_opts *o, const struct rr_addr *sa, struct rr_result *r,
			 char *req, char *resp)
{
	uint64_t start, end, warm_end, t0, t1, seq = 0, lost_run = 0;
	int fd, err = 0;

	fd = socket(sa->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(r, -errno, "socket: %s", strerror(errno));
	if (connect(fd, (const struct sockaddr *)&sa->ss, sa->len) < 0) {
		int err = -errno;

		close(fd);
		return fail(r, err, "connect: %s", strerror(-err));
	}
	window(o, &start, &warm_end, &end);
	for (t0 = start; t0 < end && !enough(o, r); t0 = rr_now_ns()) {
		uint64_t deadline = t0 + (uint64_t)o->timeout_ms * 1000000ull;
		bool done = false;

		seq++;
		if (o->trace) {
			trace_request(req, seq);
			t0 = rr_now_ns();
		} else {
			memcpy(req, &seq, sizeof(seq));
		}
		if (udp_send(fd, req, o->req_size) < 0) {
			/*
			 * ECONNREFUSED reports an earlier ICMP port unreachable and
			 * ENOBUFS a full queue: the request is lost, counted below.
			 * Anything else is an error, never a quiet end of the run.
			 */
			if (errno != ECONNREFUSED && errno != ENOBUFS) {
				err = -errno;
				break;
			}
		}
		while (!done) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			uint64_t now = rr_now_ns(), got;
			ssize_t n;

			if (now >= deadline)
				break;
			if (poll(&p, 1, (int)((deadline - now + 999999) / 1000000)) <= 0)
				continue;
			n = recv(fd, resp, RR_MAX_MSG, MSG_DONTWAIT);
			if (n < 0 && errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED) {
				err = -errno;
				break;
			}
			if (n < (ssize_t)sizeof(got))
				continue;
			memcpy(&got, resp, sizeof(got));
			if (got != seq) {
				r->late++;
				continue;
			}
			done = true;
		}
		t1 = rr_now_ns();
		if (err)
			break;
		if (!done) {
			if (t0 >= warm_end)
				r->lost++;
			/* Nothing at all for a while: the server is gone, not lossy. */
			if (++lost_run >= 20 && lost_run * (uint64_t)o->timeout_ms >= 2000)
				break;
			continue;
		}
		lost_run = 0;
		if (t0 >= warm_end) {
			record(o, r, t1 - t0);
			record_stamp(o, r, seq, t0, t1, resp);
		}
	}
	r->elapsed_s = (double)(rr_now_ns() - warm_end) / 1e9;
	close(fd);
	if (err)
		return fail(r, err, "UDP_RR client: %s after %llu transactions", strerror(-err),
			    (unsigned long long)r->transactions);
	if (lost_run >= 20)
		return fail(r, -ETIMEDOUT,
			    "no response to the last %llu requests (%llu transactions before)",
			    (unsigned long long)lost_run, (unsigned long long)r->transactions);
	return 0;
}

int rr_client(const struct rr_opts *o, const char *dst, uint16_t port, struct rr_result *r)
{
	char *req = NULL, *resp = NULL;
	struct rr_addr sa;
	int ret;

	memset(r, 0, sizeof(*r));
	if (inaddr_parse(dst, port, &sa.ss, &sa.len) < 0)
		return fail(r, -EINVAL, "bad address %s", dst);
	/* Room for the samples, up to max_samples (untouched pages cost nothing). */
	r->samples = malloc((size_t)o->max_samples * sizeof(*r->samples));
	req = calloc(1, RR_IO_BUF);
	resp = calloc(1, RR_IO_BUF);
	if (o->trace && o->trace_max)
		r->stamps = calloc(o->trace_max, sizeof(*r->stamps));
	if (!r->samples || !req || !resp || (o->trace && o->trace_max && !r->stamps)) {
		ret = fail(r, -ENOMEM, "out of memory");
		goto out;
	}
	memset(req, 'q', RR_IO_BUF);
	switch (o->kind) {
	case RR_TCP:
		ret = client_tcp_rr(o, &sa, r, req, resp);
		break;
	case RR_UDP:
		ret = client_udp_rr(o, &sa, r, req, resp);
		break;
	default:
		ret = client_tcp_crr(o, &sa, r, req, resp);
		break;
	}
	/* No transaction in the time measured is no measurement, not a latency of 0. */
	if (!ret && r->transactions == 0)
		ret = fail(r, -ETIMEDOUT, "no transaction completed in the %.1f s measured",
			   r->elapsed_s);
	stats_summarize(r->samples, r->nsamples, &r->lat);
out:
	free(req);
	free(resp);
	return ret;
}

/* Target I's connection, its latencies' room; -errno with the reason in R[I]. */
static int interleave_open(const struct rr_opts *o, const struct rr_target *t, struct rr_result *r,
			   int *fd)
{
	struct rr_addr sa;

	r->samples = malloc((size_t)o->max_samples * sizeof(*r->samples));
	if (!r->samples)
		return fail(r, -ENOMEM, "out of memory");
	if (inaddr_parse(t->dst, t->port, &sa.ss, &sa.len) < 0)
		return fail(r, -EINVAL, "bad address %s", t->dst);
	*fd = tcp_connect_in(t->ns, &sa, o);
	if (*fd < 0)
		return fail(r, *fd, "connect from %s: %s", t->ns ? t->ns : "here", strerror(-*fd));
	return 0;
}

int rr_client_interleaved(const struct rr_opts *o, const struct rr_target *t, unsigned int n,
			  struct rr_result *r)
{
	int fd[RR_MAX_TARGETS], ret = 0;
	uint64_t start, end, warm_end, t0 = 0, t1 = 0;
	char *req = calloc(1, RR_IO_BUF), *resp = calloc(1, RR_IO_BUF);
	unsigned int i = 0, opened = 0;

	for (unsigned int k = 0; k < n && k < RR_MAX_TARGETS; k++)
		memset(&r[k], 0, sizeof(r[k]));
	if (n < 1 || n > RR_MAX_TARGETS || o->kind != RR_TCP || o->trace || o->count || o->tap) {
		ret = fail(&r[0], -EINVAL, "interleaving takes tcp_rr to 1 to %d targets, timed, "
					   "untraced", RR_MAX_TARGETS);
		goto out;
	}
	if (!req || !resp) {
		ret = fail(&r[0], -ENOMEM, "out of memory");
		goto out;
	}
	memset(req, 'q', RR_IO_BUF);
	for (; opened < n && !ret; opened++)
		ret = interleave_open(o, &t[opened], &r[opened], &fd[opened]);
	if (ret) {
		opened--; /* the failed one has no connection */
		goto out;
	}
	window(o, &start, &warm_end, &end);
	t0 = start;
	/* Turn k starts at target k mod n: each one first, and after each other, as often. */
	for (uint64_t k = 0; t0 < end && !ret; k++) {
		for (unsigned int j = 0; j < n && !ret; j++) {
			i = (unsigned int)((k + j) % n);
			t0 = rr_now_ns();
			ret = rr_send_all(fd[i], req, o->req_size);
			if (!ret)
				ret = rr_recv_all(fd[i], resp, o->resp_size);
			t1 = rr_now_ns();
			if (!ret && t0 >= warm_end)
				record(o, &r[i], t1 - t0);
		}
	}
	for (unsigned int k = 0; k < n; k++)
		r[k].elapsed_s = (double)(t1 - warm_end) / 1e9;
	if (ret)
		fail(&r[i], ret, "after %llu transactions: %s",
		     (unsigned long long)r[i].transactions, strerror(-ret));
out:
	for (unsigned int k = 0; k < opened; k++)
		close(fd[k]);
	for (unsigned int k = 0; !ret && k < n; k++)
		if (r[k].transactions == 0)
			ret = fail(&r[k], -ETIMEDOUT, "no transaction completed in the %.1f s measured",
				   r[k].elapsed_s);
	for (unsigned int k = 0; k < n && k < RR_MAX_TARGETS; k++)
		stats_summarize(r[k].samples, r[k].nsamples, &r[k].lat);
	free(req);
	free(resp);
	return ret;
}
