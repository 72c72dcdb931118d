// SPDX-License-Identifier: MIT
/* One measurement: server and client endpoints forked into their namespaces. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "bench/endpoint.h"
#include "bench/measurement.h"
#include "netns/inaddr.h"
#include "netns/sysctl.h"
#include "netns/testhooks.h"
#include "nsbench/ports.h"

/* The last allowed CPU for SAME (CPU 0 takes most housekeeping), first and last for SPLIT. */
int bench_cpus_resolve(struct bench_cpus *c)
{
	cpu_set_t set;
	int first = -1, last = -1;

	if (c->policy == PLACE_FREE) {
		c->client = c->server = -1;
		return 0;
	}
	if (c->client >= 0 && c->server >= 0)
		return 0;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set)) {
			if (first < 0)
				first = i;
			last = i;
		}
	if (first < 0)
		return -ENODEV;
	if (c->policy == PLACE_SAME) {
		c->client = c->server = last;
	} else {
		if (first == last)
			return -ENODEV;
		c->client = first;
		c->server = last;
	}
	return 0;
}

/* SET as a list such as "0-3,6", for messages. */
static void cpu_list(const cpu_set_t *set, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < CPU_SETSIZE && off < len; i++) {
		int j = i;

		if (!CPU_ISSET(i, set))
			continue;
		while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, set))
			j++;
		off += (size_t)snprintf(buf + off, len - off, j > i ? "%s%d-%d" : "%s%d",
					off ? "," : "", i, j);
		i = j;
	}
}

int bench_cpus_check(const struct bench_cpus *c, char *why, size_t len)
{
	int cpus[2] = {c->client, c->server};
	bool pinned = c->client >= 0 || c->server >= 0;
	char list[128];
	cpu_set_t set;

	/* The placement recorded with every result must be the one the endpoints ran with. */
	if (pinned && c->policy == PLACE_FREE) {
		snprintf(why, len, "free leaves the endpoints to the scheduler; CPUs pin them");
		return -EINVAL;
	}
	if (pinned && c->policy == PLACE_SAME && c->client != c->server) {
		snprintf(why, len,
			 "same pins both endpoints to one CPU, not %d and %d (that is "
			 "split)",
			 c->client, c->server);
		return -EINVAL;
	}
	if (pinned && c->policy == PLACE_SPLIT && c->client == c->server) {
		snprintf(why, len,
			 "split puts the endpoints on two CPUs, not both on %d (that is "
			 "same)",
			 c->client);
		return -EINVAL;
	}
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		if (cpus[i] < 0 || (cpus[i] < CPU_SETSIZE && CPU_ISSET(cpus[i], &set)))
			continue;
		cpu_list(&set, list, sizeof(list));
		snprintf(why, len, "CPU %d is not one this process may run on (%s)", cpus[i], list);
		return -EINVAL;
	}
	return 0;
}

void bench_opts_default(struct bench_opts *o)
{
	memset(o, 0, sizeof(*o));
	stream_opts_default(&o->stream);
	rr_opts_default(&o->rr, RR_TCP);
	o->cpus.policy = PLACE_SAME;
	o->cpus.client = o->cpus.server = -1;
}

struct job {
	enum bench_test test;
	struct stream_opts stream;
	struct rr_opts rr;
	const struct bench_target *t;
	struct bench_detail detail;
	/* An interleaved client's targets (bench_run_interleaved): ALL[0..NALL-1]. */
	const struct bench_target *all;
	unsigned int nall;
};

bool bench_test_is_stream(enum bench_test t)
{
	return t == TEST_TCP_STREAM || t == TEST_TCP_REVERSE || t == TEST_UDP ||
	       t == TEST_TCP_STREAM_PAR;
}

static int server_fn(void *arg, FILE *out)
{
	struct job *j = arg;

	if (bench_test_is_stream(j->test))
		return stream_server(j->t->server_bind, j->t->server_port, out);
	return rr_server(&j->rr, j->t->server_bind, j->t->server_port) ? 1 : 0;
}

/* One client, every target's transactions in turn: {"interleaved": [rr result, ...]}. */
static int client_interleaved(const struct job *j, FILE *out)
{
	struct rr_target t[RR_MAX_TARGETS];
	struct rr_result r[RR_MAX_TARGETS];
	json_t *doc = json_object(), *each = json_array();
	unsigned int n = j->nall < RR_MAX_TARGETS ? j->nall : RR_MAX_TARGETS;
	int ret;

	for (unsigned int i = 0; i < n; i++)
		t[i] = (struct rr_target){.ns = j->all[i].client_ns,
					  .dst = j->all[i].dst_addr,
					  .port = j->all[i].dst_port};
	ret = rr_client_interleaved(&j->rr, t, n, r);
	for (unsigned int i = 0; i < n; i++) {
		json_array_append_new(each, rr_result_json(&j->rr, &r[i]));
		rr_result_free(&r[i]);
	}
	json_object_set_new(doc, "interleaved", each);
	json_dumpf(doc, out, JSON_COMPACT);
	json_decref(doc);
	return ret ? 1 : 0;
}

static int client_fn(void *arg, FILE *out)
{
	struct job *j = arg;
	struct rr_detail *dt;
	struct rr_result r;
	json_t *doc;
	int ret;

	if (bench_test_is_stream(j->test))
		return stream_client(&j->stream, j->t->dst_addr, j->t->dst_port, out);
	if (j->nall > 1)
		return client_interleaved(j, out);
	dt = rr_detail_start(&j->detail, &j->rr);
	ret = rr_client(&j->rr, j->t->dst_addr, j->t->dst_port, &r);
	doc = rr_result_json(&j->rr, &r);
	rr_detail_finish(dt, &j->detail, &r, doc);
	json_dumpf(doc, out, JSON_COMPACT);
	json_decref(doc);
	rr_result_free(&r);
	return ret ? 1 : 0;
}

static int failf(char *why, size_t len, const struct bench_target *t, enum bench_test test, int err,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int failf(char *why, size_t len, const struct bench_target *t, enum bench_test test, int err,
		 const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(why, len, "mode %s, path %s%s, %s: %s", t->mode ? t->mode : "?",
		 t->path ? t->path : "?", t->family == FAMILY_IPV6 ? " (ipv6)" : "",
		 bench_test_name(test), msg);
	return err;
}

/* "ADDR:PORT", "[ADDR]:PORT" for IPv6, for messages. */
static const char *host_port(const char *addr, uint16_t port, char *buf, size_t len)
{
	snprintf(buf, len, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, port);
	return buf;
}

/*
 * Ephemeral ports for connect-per-transaction, in the client's (lab) namespace
 * only; the servers' block stays out of them, or a server that binds in the
 * same namespace later finds its port taken (seen: host mode's intra-host
 * server on 5202 after its egress tcp_crr, "Address already in use").
 */
static int crr_prepare(const char *ns, json_t *res)
{
	static const char *const set[][2] = {
		{"net.ipv4.ip_local_port_range", "1024 65535"},
		{"net.ipv4.ip_local_reserved_ports", NSB_PORTS_RESERVED},
		{"net.ipv4.tcp_tw_reuse", "1"},
	};
	json_t *done = json_object();
	int ret = 0;

	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]) && !ret; i++)
		if (!(ret = sysctl_write(ns, set[i][0], set[i][1])))
			json_object_set_new(done, set[i][0], json_string(set[i][1]));
	if (!ret)
		json_object_set_new(res, "client_sysctls", done);
	else
		json_decref(done);
	return ret;
}

static json_t *rr_metrics(json_t *rr)
{
	json_t *lat = json_object_get(rr, "latency_us");
	json_t *m = json_object();
	static const char *const keys[][2] = {
		{"min", "min_us"},   {"p50", "p50_us"},	      {"p90", "p90_us"},
		{"p99", "p99_us"},   {"p999", "p999_us"},     {"max", "max_us"},
		{"mean", "mean_us"}, {"stddev", "stddev_us"},
	};

	json_object_set(m, "tps", json_object_get(rr, "tps"));
	json_object_set(m, "transactions", json_object_get(rr, "transactions"));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_set(m, keys[i][1], json_object_get(lat, keys[i][0]));
	json_object_set(m, "lost", json_object_get(rr, "lost"));
	json_object_set(m, "errors", json_object_get(rr, "errors"));
	return m;
}

/* The job's options for TEST; -EINVAL with WHY when they are out of range. */
static int job_prepare(struct job *j, enum bench_test test, const struct bench_opts *o, char *msg,
		       size_t len)
{
	switch (test) {
	case TEST_TCP_STREAM:
	case TEST_TCP_REVERSE:
		j->stream.udp = false;
		j->stream.reverse = test == TEST_TCP_REVERSE;
		break;
	case TEST_UDP:
		j->stream.udp = true;
		j->stream.reverse = false;
		break;
	case TEST_TCP_STREAM_PAR:
		j->stream.udp = false;
		j->stream.reverse = false;
		if (j->stream.streams < 2)
			j->stream.streams = 4;
		break;
	case TEST_TCP_RR:
	case TEST_UDP_RR:
	case TEST_TCP_CRR:
		j->rr.kind = test == TEST_TCP_RR   ? RR_TCP
			     : test == TEST_UDP_RR ? RR_UDP
						   : RR_TCP_CRR;
		if (j->rr.kind == RR_UDP && o->rr.timeout_ms == 2000)
			j->rr.timeout_ms = 100;
		break;
	default:
		snprintf(msg, len, "unknown test");
		return -EINVAL;
	}
	return bench_test_is_stream(test) ? stream_opts_check(&j->stream, msg, len)
					  : rr_opts_check(&j->rr, msg, len);
}

/*
 * One pair's result: {test, mode, path, placement, metrics, iperf|rr}, from
 * OUT (taken): its client's output, or its entry of the interleaved client's.
 */
static int collect(struct job *j, const struct endpoint *cli, json_t *out, json_t *res, char *why,
		   size_t len)
{
	const struct bench_target *t = j->t;
	json_t *metrics = NULL;
	char how[96], msg[256], dst[64];
	int ret = 0;

	if (!out) {
		endpoint_describe_exit(cli, how, sizeof(how));
		return failf(why, len, t, j->test, -EIO, "client in %s %s without a result",
			     t->client_ns, how);
	}
	if (bench_test_is_stream(j->test)) {
		ret = stream_metrics(&j->stream, out, &metrics, msg, sizeof(msg));
		if (ret)
			failf(why, len, t, j->test, ret, "client in %s to %s: %s", t->client_ns,
			      host_port(t->dst_addr, t->dst_port, dst, sizeof(dst)), msg);
		else
			json_object_set(res, "iperf", out);
	} else {
		json_t *err = json_object_get(out, "error");

		if (json_is_string(err)) {
			ret = failf(why, len, t, j->test, -EIO, "client in %s to %s: %s",
				    t->client_ns,
				    host_port(t->dst_addr, t->dst_port, dst, sizeof(dst)),
				    json_string_value(err));
		} else {
			metrics = rr_metrics(out);
			json_object_set(res, "rr", out);
		}
	}
	if (!ret) {
		json_object_set_new(res, "metrics", metrics);
		detail_collect(bench_test_is_stream(j->test), &j->detail, res);
	}
	json_decref(out);
	return ret;
}

/*
 * Progress while the client runs (O's tick, at once and about every second),
 * until it starts writing its result, which it does as it ends: the wait
 * proper is endpoint_finish's, with its deadline.
 */
static void wait_ticking(const struct bench_opts *o, const struct endpoint *cli, double total_s)
{
	struct timespec t0, t;
	double elapsed = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = {.fd = cli->fd, .events = POLLIN};

		o->tick(o->tick_arg, elapsed, total_s);
		if (elapsed > total_s + 30 || poll(&p, 1, 1000) != 0)
			return;
		clock_gettime(CLOCK_MONOTONIC, &t);
		elapsed = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
	}
}

int bench_check(enum bench_test test, const struct bench_opts *o, char *why, size_t len)
{
	struct job j = {.test = test, .stream = o->stream, .rr = o->rr};

	return job_prepare(&j, test, o, why, len);
}

/*
 * The CPUs the listening server may run on, read back from the kernel into
 * the result's placement ("server_affinity", a list such as "1"): what it
 * was pinned to, as the scheduler holds it.
 */
static void affinity_read(const struct endpoint *ep, json_t *result)
{
	cpu_set_t set;
	char list[64];

	if (sched_getaffinity(ep->pid, sizeof(set), &set) < 0)
		return;
	cpu_list(&set, list, sizeof(list));
	json_object_set_new(json_object_get(result, "placement"), "server_affinity",
			    json_string(list));
}

/* Where a target's endpoints run: its own CPU (a duet's side), else the options' placement. */
static int client_cpu(const struct bench_opts *o, const struct bench_target *t)
{
	return t->own_cpu ? t->cpu : o->cpus.client;
}

static int server_cpu(const struct bench_opts *o, const struct bench_target *t)
{
	return t->own_cpu ? t->cpu : o->cpus.server;
}

/* Client I's output: its own, or its entry of ALL, the interleaved client's (not NULL). */
static json_t *client_output(struct endpoint *cli, json_t *all, unsigned int i)
{
	if (!all)
		return endpoint_result(&cli[i]);
	return json_incref(json_array_get(json_object_get(all, "interleaved"), i));
}

/* N pairs at once, or N servers and one client that takes turns (INTERLEAVE). */
static int run_pairs(enum bench_test test, const struct bench_opts *o,
		     const struct bench_target *targets, unsigned int n, bool interleave,
		     json_t **results, char *why, size_t len)
{
	struct endpoint *srv = calloc(n, sizeof(*srv)), *cli = calloc(n, sizeof(*cli));
	struct job *jobs = calloc(n, sizeof(*jobs));
	json_t *all = NULL; /* the interleaved client's output */
	char how[96], msg[256];
	int ret = 0, deadline_ms = 0;
	unsigned int started = 0, cstarted = 0;

	if (!srv || !cli || !jobs) {
		free(srv);
		free(cli);
		free(jobs);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		srv[i].fd = cli[i].fd = -1;
		results[i] = NULL;
	}
	for (unsigned int i = 0; i < n && !ret; i++) {
		const struct bench_target *t = &targets[i];

		jobs[i] = (struct job){.test = test,
				       .stream = o->stream,
				       .rr = o->rr,
				       .t = t,
				       .detail = o->detail,
				       .all = interleave ? targets : NULL,
				       .nall = interleave ? n : 0};
		if (!t->client_ns[0] || !t->server_ns[0])
			ret = failf(why, len, t, test, -EINVAL, "no namespace for an endpoint");
		else if ((ret = job_prepare(&jobs[i], test, o, msg, sizeof(msg))))
			failf(why, len, t, test, ret, "%s", msg);
		if (ret)
			goto out;
		results[i] = json_pack(
			"{s:s, s:s, s:s, s:s, s:{s:s, s:i, s:i}}", "test", bench_test_name(test),
			"mode", t->mode ? t->mode : "", "path", t->path ? t->path : "", "family",
			bench_family_name(t->family), "placement", "policy",
			t->own_cpu ? "same" : bench_placement_name(o->cpus.policy), "client_cpu",
			client_cpu(o, t), "server_cpu", server_cpu(o, t));
		if (test == TEST_TCP_CRR && (ret = crr_prepare(t->client_ns, results[i]))) {
			failf(why, len, t, test, ret, "widening the port range in %s: %s",
			      t->client_ns, strerror(-ret));
			goto out;
		}
	}
	/* Every server listening before any client starts: the pairs run together. */
	for (unsigned int i = 0; i < n; i++) {
		const struct bench_target *t = &targets[i];

		ret = endpoint_start(&srv[i], "server", t->server_ns, server_cpu(o, t), server_fn,
				     &jobs[i]);
		if (ret) {
			failf(why, len, t, test, ret, "server: fork: %s", strerror(-ret));
			goto out;
		}
		started++;
		/* The listener's family: a bridge task over IPv6 listens on IPv4 (a proxy between). */
		ret = endpoint_wait_bound(&srv[i], inaddr_family(t->server_bind),
					  test == TEST_UDP_RR ? SOCK_DGRAM : SOCK_STREAM,
					  t->server_port, 5000);
		if (ret) {
			endpoint_stop(&srv[i]);
			endpoint_describe_exit(&srv[i], how, sizeof(how));
			failf(why, len, t, test, ret,
			      "server in %s did not start listening on %s (%s)%s%.120s",
			      t->server_ns,
			      host_port(t->server_bind, t->server_port, msg, sizeof(msg)),
			      ret == -ETIMEDOUT ? "timed out" : how, srv[i].len ? ": " : "",
			      srv[i].len ? srv[i].out : "");
			goto out;
		}
		affinity_read(&srv[i], results[i]);
	}
	if (o->before_client)
		o->before_client(o->hook_arg);
	for (unsigned int i = 0; i < (interleave ? 1 : n); i++) {
		ret = endpoint_start(&cli[i], "client", targets[i].client_ns,
				     client_cpu(o, &targets[i]), client_fn, &jobs[i]);
		if (ret) {
			failf(why, len, &targets[i], test, ret, "client: fork: %s", strerror(-ret));
			goto out;
		}
		cstarted++;
	}
	testhook_phase("endpoints-up");
	/* A counted RR run is bounded by its duration too (rr.duration_s). */
	deadline_ms = bench_test_is_stream(test)
			      ? (jobs[0].stream.duration_s + jobs[0].stream.omit_s) * 1000 + 15000
			      : (int)((jobs[0].rr.warmup_s + jobs[0].rr.duration_s) * 1000) + 10000;
	if (o->tick)
		wait_ticking(o, &cli[0],
			     bench_test_is_stream(test)
				     ? jobs[0].stream.duration_s + jobs[0].stream.omit_s
				     : jobs[0].rr.warmup_s + jobs[0].rr.duration_s);
	for (unsigned int i = 0; i < cstarted; i++) {
		int r = endpoint_finish(&cli[i], deadline_ms);

		if (r == -ETIMEDOUT && !ret)
			ret = failf(why, len, &targets[i], test, r,
				    "client in %s did not finish within %d s; killed",
				    targets[i].client_ns, deadline_ms / 1000);
		else if (r == -EINTR && !ret)
			ret = failf(why, len, &targets[i], test, r, "interrupted");
	}
	if (o->after_client)
		o->after_client(o->hook_arg);
	all = interleave && !ret ? endpoint_result(&cli[0]) : NULL;
	for (unsigned int i = 0; i < n && !ret; i++)
		ret = collect(&jobs[i], &cli[interleave ? 0 : i], client_output(cli, all, i),
			      results[i], why, len);
	json_decref(all);
out:
	for (unsigned int i = 0; i < cstarted; i++)
		endpoint_free(&cli[i]);
	for (unsigned int i = 0; i < started; i++) {
		/* A one-off iperf server ends by itself; an RR server serves until killed. */
		if (!ret && bench_test_is_stream(test))
			endpoint_finish(&srv[i], 3000);
		endpoint_free(&srv[i]);
	}
	if (ret)
		for (unsigned int i = 0; i < n; i++) {
			json_decref(results[i]);
			results[i] = NULL;
		}
	free(srv);
	free(cli);
	free(jobs);
	return ret;
}

int bench_run_many(enum bench_test test, const struct bench_opts *o,
		   const struct bench_target *targets, unsigned int n, json_t **results, char *why,
		   size_t len)
{
	return run_pairs(test, o, targets, n, false, results, why, len);
}

int bench_run_interleaved(const struct bench_opts *o, const struct bench_target *targets,
			  unsigned int n, json_t **results, char *why, size_t len)
{
	if (n < 1 || n > RR_MAX_TARGETS) {
		snprintf(why, len, "an interleaved client takes 1 to %d targets", RR_MAX_TARGETS);
		return -EINVAL;
	}
	return run_pairs(TEST_TCP_RR, o, targets, n, true, results, why, len);
}

int bench_run(enum bench_test test, const struct bench_opts *o, const struct bench_target *t,
	      json_t **result, char *why, size_t len)
{
	return bench_run_many(test, o, t, 1, result, why, len);
}
