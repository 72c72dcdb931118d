/* SPDX-License-Identifier: MIT */
#ifndef NSB_RR_H
#define NSB_RR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench/stats.h"

/* Request/response tests, as netperf names them. */
enum rr_kind { RR_TCP, RR_UDP, RR_TCP_CRR };

/* A UDP payload's limit: every message's but a bulk TCP_RR request's (a transfer timed whole). */
#define RR_MAX_MSG 65507
#define RR_MAX_BULK (64u << 20)
#define RR_UDP_MIN_MSG 8 /* UDP messages carry a sequence number */

struct rr_opts {
	enum rr_kind kind;
	uint32_t req_size, resp_size;
	double warmup_s, duration_s;
	int timeout_ms;	      /* one transaction; UDP counts it lost, TCP fails */
	uint32_t max_samples; /* latencies kept; transactions beyond still count */
	uint32_t count;	      /* > 0: exactly this many transactions, no warm-up */
	int window;	      /* TCP: SO_SNDBUF, SO_RCVBUF of both ends (iperf3 -w); 0: kernel's */
	/*
	 * Traced (udp_rr, tcp_rr): messages carry struct rr_trace_hdr and the
	 * client keeps the four times of every transaction whose sequence
	 * number has no bit of trace_mask set, up to trace_max.
	 */
	bool trace;
	uint32_t trace_mask, trace_max;
	/* Called with each recorded latency (ns), when set: measure's intervals and samples. */
	void (*tap)(void *arg, uint64_t ns);
	void *tap_arg;
};

/* One traced transaction, CLOCK_MONOTONIC ns: client send/receive, server receive/send. */
struct rr_stamp {
	uint64_t seq, c_tx, s_rx, s_tx, c_rx;
};

struct rr_result {
	uint64_t transactions;
	uint64_t lost;	 /* UDP: no response within timeout_ms */
	uint64_t late;	 /* UDP: a response to an earlier, given-up request */
	uint64_t errors; /* TCP_CRR: connections refused or reset */
	double elapsed_s;
	uint32_t *samples; /* ns */
	size_t nsamples;
	bool capped;
	struct rr_stamp *stamps; /* traced runs */
	size_t nstamps;
	struct stats_summary lat;
	int err;
	char why[160];
};

/* One server of an interleaved client: its address, and the client's namespace for it. */
struct rr_target {
	const char *ns; /* NULL: the calling thread's */
	const char *dst;
	uint16_t port;
};

#define RR_MAX_TARGETS 8

void rr_opts_default(struct rr_opts *o, enum rr_kind kind);
/* -EINVAL with a reason in WHY when a size, duration or timeout is out of range. */
int rr_opts_check(const struct rr_opts *o, char *why, size_t len);
/* Serves forever (until killed); returns only when setup fails. */
int rr_server(const struct rr_opts *o, const char *bind_addr, uint16_t port);
int rr_client(const struct rr_opts *o, const char *dst, uint16_t port, struct rr_result *r);
/*
 * TCP_RR to N servers (at most RR_MAX_TARGETS) from one client, a transaction
 * to each in turn, R[i] target i's: the machine's drift, which moves latency
 * from one second to the next, falls on every target alike, and their ratios
 * cancel it (doc/method.md, "Interleaving"). Timed, untraced runs only.
 */
int rr_client_interleaved(const struct rr_opts *o, const struct rr_target *t, unsigned int n,
			  struct rr_result *r);
json_t *rr_result_json(const struct rr_opts *o, const struct rr_result *r);
void rr_result_free(struct rr_result *r);
const char *rr_kind_name(enum rr_kind k);

#endif
