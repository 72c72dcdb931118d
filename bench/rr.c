// SPDX-License-Identifier: MIT
/*
 * The request/response engine, over IPv4 or IPv6: TCP_RR (one persistent
 * connection), UDP_RR (sequence-numbered, losses counted after a timeout) and
 * TCP_CRR (connect, request, response, close; the client closes first, so
 * TIME_WAIT lands on the client side, where the runner widens the port range
 * and allows reuse). One transaction at a time; each latency is recorded,
 * nothing is binned.
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
#include <time.h>
#include <unistd.h>

#include "bench/rr.h"
#include "netns/inaddr.h"
#include "netns/testhooks.h"
#include "nsbench/rr_wire.h"

const char *rr_kind_name(enum rr_kind k)
{
	switch (k) {
	case RR_TCP:
		return "tcp_rr";
	case RR_UDP:
		return "udp_rr";
	case RR_TCP_CRR:
		return "tcp_crr";
	}
	return "?";
}

void rr_opts_default(struct rr_opts *o, enum rr_kind kind)
{
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->req_size = 64;
	o->resp_size = 64;
	o->warmup_s = 0.2;
	o->duration_s = 5;
	o->timeout_ms = kind == RR_UDP ? 100 : 2000;
	o->max_samples = 16u << 20;
}

int rr_opts_check(const struct rr_opts *o, char *why, size_t len)
{
	uint32_t min = o->kind == RR_UDP ? RR_UDP_MIN_MSG : 1;

	if (o->req_size < min || o->req_size > RR_MAX_MSG || o->resp_size < min ||
	    o->resp_size > RR_MAX_MSG) {
		snprintf(why, len, "request and response sizes must be %u to %u bytes for %s", min,
			 (unsigned int)RR_MAX_MSG, rr_kind_name(o->kind));
		return -EINVAL;
	}
	if (!(o->duration_s >= 0.01 && o->duration_s <= 86400)) {
		snprintf(why, len, "duration must be 0.01 to 86400 seconds");
		return -EINVAL;
	}
	if (!(o->warmup_s >= 0 && o->warmup_s <= 3600)) {
		snprintf(why, len, "warm-up must be 0 to 3600 seconds");
		return -EINVAL;
	}
	if (o->trace && o->kind == RR_TCP_CRR) {
		snprintf(why, len, "tracing covers udp_rr and tcp_rr, not tcp_crr");
		return -EINVAL;
	}
	if (o->trace && (o->req_size < RR_TRACE_MIN_MSG || o->resp_size < RR_TRACE_MIN_MSG)) {
		snprintf(why, len, "traced messages are at least %d bytes", RR_TRACE_MIN_MSG);
		return -EINVAL;
	}
	if (o->timeout_ms < 1 || o->timeout_ms > 60000) {
		snprintf(why, len, "transaction timeout must be 1 to 60000 ms");
		return -EINVAL;
	}
	return 0;
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Client: the header of request SEQ. */
static void trace_request(char *req, uint64_t seq)
{
	struct rr_trace_hdr h = {.seq = seq, .magic = RR_TRACE_MAGIC, .kind = RR_TRACE_REQUEST};

	memcpy(req, &h, sizeof(h));
}

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
	h.srv_tx_ns = now_ns();
	memcpy(resp, &h, sizeof(h));
}

/* An endpoint's address, IPv4 or IPv6 (inaddr_parse). */
struct rr_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

static void set_timeouts(int fd, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
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

/* Whole messages on a stream: 0, or -errno, or -EPIPE when the peer closed. */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_all(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t n = recv(fd, buf, len, 0);

		if (n == 0)
			return -EPIPE;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int tcp_listener(const char *bind_addr, uint16_t port)
{
	struct rr_addr sa;
	int fd, one = 1;

	if (inaddr_parse(bind_addr, port, &sa.ss, &sa.len) < 0)
		return -EINVAL;
	fd = socket(sa.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa.ss, sa.len) < 0 || listen(fd, 128) < 0) {
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
		set_timeouts(fd, 30000);
		while (recv_all(fd, req, o->req_size) == 0) {
			if (o->trace)
				trace_response(req, o->req_size, resp, now_ns());
			if (send_all(fd, resp, o->resp_size))
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
			trace_response(req, (size_t)n, resp, now_ns());
		sendto(fd, resp, o->resp_size, 0, (struct sockaddr *)&peer, plen);
	}
}

int rr_server(const struct rr_opts *o, const char *bind_addr, uint16_t port)
{
	char *req = calloc(1, RR_MAX_MSG), *resp = calloc(1, RR_MAX_MSG);
	int ret, lfd;

	if (!req || !resp) {
		ret = -ENOMEM;
		goto out;
	}
	memset(resp, 'r', RR_MAX_MSG);
	if (o->kind == RR_UDP) {
		ret = serve_udp(o, bind_addr, port, req, resp);
		goto out;
	}
	lfd = tcp_listener(bind_addr, port);
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
	*start = now_ns();
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

static int tcp_connect(const struct rr_addr *sa, int timeout_ms)
{
	int fd, one = 1;

	fd = socket(sa->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_timeouts(fd, timeout_ms);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&sa->ss, sa->len) < 0) {
		int err = errno == EINPROGRESS ? -ETIMEDOUT : -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int client_tcp_rr(const struct rr_opts *o, const struct rr_addr *sa, struct rr_result *r,
			 char *req, char *resp)
{
	uint64_t start, end, warm_end, t0, t1, seq = 0;
	int fd, ret = 0;

	fd = tcp_connect(sa, o->timeout_ms);
	if (fd < 0)
		return fail(r, fd, "connect: %s", strerror(-fd));
	window(o, &start, &warm_end, &end);
	for (t0 = start; t0 < end && !enough(o, r); t0 = t1) {
		if (o->trace) {
			trace_request(req, ++seq);
			t0 = now_ns();
		}
		ret = send_all(fd, req, o->req_size);
		if (!ret)
			ret = recv_all(fd, resp, o->resp_size);
		t1 = now_ns();
		if (ret)
			break;
		if (t0 >= warm_end) {
			record(o, r, t1 - t0);
			record_stamp(o, r, seq, t0, t1, resp);
		}
	}
	r->elapsed_s = (double)(now_ns() - warm_end) / 1e9;
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
	for (t0 = start; t0 < end && !enough(o, r); t0 = now_ns()) {
		int fd = tcp_connect(sa, o->timeout_ms);

		ret = fd < 0 ? fd : 0;
		if (!ret)
			ret = send_all(fd, req, o->req_size);
		if (!ret)
			ret = recv_all(fd, resp, o->resp_size);
		t1 = now_ns();
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
	r->elapsed_s = (double)(now_ns() - warm_end) / 1e9;
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
	for (t0 = start; t0 < end && !enough(o, r); t0 = now_ns()) {
		uint64_t deadline = t0 + (uint64_t)o->timeout_ms * 1000000ull;
		bool done = false;

		seq++;
		if (o->trace) {
			trace_request(req, seq);
			t0 = now_ns();
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
			uint64_t now = now_ns(), got;
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
		t1 = now_ns();
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
	r->elapsed_s = (double)(now_ns() - warm_end) / 1e9;
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
	size_t cap;
	int ret;

	memset(r, 0, sizeof(*r));
	if (inaddr_parse(dst, port, &sa.ss, &sa.len) < 0)
		return fail(r, -EINVAL, "bad address %s", dst);
	/* Room for the expected samples, grown on the way up to max_samples. */
	cap = o->max_samples;
	r->samples = malloc((size_t)cap * sizeof(*r->samples));
	req = calloc(1, RR_MAX_MSG);
	resp = calloc(1, RR_MAX_MSG);
	if (o->trace && o->trace_max)
		r->stamps = calloc(o->trace_max, sizeof(*r->stamps));
	if (!r->samples || !req || !resp || (o->trace && o->trace_max && !r->stamps)) {
		ret = fail(r, -ENOMEM, "out of memory");
		goto out;
	}
	memset(req, 'q', RR_MAX_MSG);
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

json_t *rr_result_json(const struct rr_opts *o, const struct rr_result *r)
{
	const struct stats_summary *s = &r->lat;
	json_t *doc;

	doc = json_pack("{s:s, s:i, s:i, s:f, s:I, s:f, s:I, s:I, s:I, s:b, s:{s:f, s:f, s:f, s:f, "
			"s:f, s:f, s:f, s:f, s:I}}",
			"test", rr_kind_name(o->kind), "request_bytes", (int)o->req_size,
			"response_bytes", (int)o->resp_size, "duration_s", r->elapsed_s,
			"transactions", (json_int_t)r->transactions, "tps",
			r->elapsed_s > 0 ? (double)r->transactions / r->elapsed_s : 0.0, "lost",
			(json_int_t)r->lost, "late", (json_int_t)r->late, "errors",
			(json_int_t)r->errors, "samples_capped", r->capped, "latency_us", "min",
			s->min / 1e3, "p50", s->p50 / 1e3, "p90", s->p90 / 1e3, "p99", s->p99 / 1e3,
			"p999", s->p999 / 1e3, "max", s->max / 1e3, "mean", s->mean / 1e3, "stddev",
			s->stddev / 1e3, "samples", (json_int_t)s->n);
	if (doc && r->err)
		json_object_set_new(doc, "error", json_string(r->why));
	if (doc && o->trace) {
		json_t *tr = json_array();

		for (size_t i = 0; i < r->nstamps; i++) {
			const struct rr_stamp *st = &r->stamps[i];

			json_array_append_new(tr, json_pack("[I, I, I, I, I]", (json_int_t)st->seq,
							    (json_int_t)st->c_tx,
							    (json_int_t)st->s_rx,
							    (json_int_t)st->s_tx,
							    (json_int_t)st->c_rx));
		}
		json_object_set_new(doc, "trace", tr);
	}
	return doc;
}

void rr_result_free(struct rr_result *r)
{
	free(r->samples);
	r->samples = NULL;
	free(r->stamps);
	r->stamps = NULL;
}
