/* SPDX-License-Identifier: MIT */
#ifndef NSB_ENDPOINT_H
#define NSB_ENDPOINT_H

#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * A traffic endpoint is a forked child: it enters its namespace, pins itself
 * to a CPU, runs, writes one JSON document to a pipe and exits. The parent
 * enforces a deadline and kills it by pid; nothing outlives the run.
 */
typedef int (*endpoint_fn)(void *arg, FILE *out);

struct endpoint {
	pid_t pid;
	int fd;
	char role[16];
	char ns[32];
	int cpu;
	char *out;
	size_t len, cap;
	int status; /* from waitpid, valid once reaped */
	int reaped;
};

int endpoint_start(struct endpoint *ep, const char *role, const char *netns, int cpu,
		   endpoint_fn fn, void *arg);
/*
 * Until the endpoint has a socket of FAMILY (AF_INET, AF_INET6) listening
 * (TCP) or bound (UDP) on PORT in its namespace.
 */
int endpoint_wait_bound(struct endpoint *ep, int family, int sock_type, uint16_t port,
			int timeout_ms);
/* Collects its output until it exits; kills it at the deadline (-ETIMEDOUT). */
int endpoint_finish(struct endpoint *ep, int timeout_ms);
/* SIGKILL by pid and reap; safe to call twice. */
void endpoint_stop(struct endpoint *ep);
/* The JSON the endpoint wrote, or NULL; the caller owns it. */
json_t *endpoint_result(const struct endpoint *ep);
void endpoint_free(struct endpoint *ep);
/* "exited with status 3", "killed by signal 9", for messages. */
void endpoint_describe_exit(const struct endpoint *ep, char *buf, size_t len);

/*
 * FLAG (the CLI's signal flag) ends every wait of endpoint_finish with
 * -EINTR, the endpoint killed, as soon as it is set.
 */
void endpoint_watch_stop(const volatile sig_atomic_t *flag);

#endif
