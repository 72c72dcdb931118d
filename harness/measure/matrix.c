// SPDX-License-Identifier: MIT
/*
 * nsbench run: modes x paths x tests x repetitions. One lab per mode (host
 * mode's numbers must not pay for bridge mode's conntrack), built before the
 * first measurement and kept to the end; repetition-major order so that drift
 * on a noisy machine hits every mode alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/noise.h"
#include "harness/common/notice.h"
#include "harness/lab/build.h"
#include "harness/lab/mode.h"
#include "harness/measure/hotpath.h"
#include "harness/measure/matrix.h"
#include "harness/measure/perhop.h"
#include "harness/reports/results.h"
#include "harness/reports/summary.h"
#include "harness/reports/verdict.h"
#include "netns/counters.h"
#include "netns/rt.h"
#include "netns/testhooks.h"

static const enum bench_test default_tests[] = {TEST_TCP_STREAM, TEST_TCP_REVERSE, TEST_UDP,
						TEST_TCP_RR, TEST_TCP_CRR};

void run_config_default(struct run_config *c)
{
	memset(c, 0, sizeof(*c));
	for (int m = 0; m < MODE_COUNT; m++)
		c->modes[c->nmodes++] = (enum lab_mode)m;
	c->paths[c->npaths++] = PATH_INGRESS;
	for (size_t i = 0; i < sizeof(default_tests) / sizeof(default_tests[0]); i++)
		c->tests[c->ntests++] = default_tests[i];
	c->reps = 3;
	c->max_reps = 20;
	c->max_time_s = 600;
	c->tasks_list[0] = 1;
	c->ntasks_list = 1;
	c->stream_s = 2;
	c->rr_s = 1;
	c->par_streams = 4;
	c->hot_path = true;
	c->out_dir = "results";
	c->preset = "default";
	bench_opts_default(&c->bo);
	c->bo.stream.omit_s = 0;
	c->bo.rr.warmup_s = 0.1;
}

void run_config_quick(struct run_config *c)
{
	run_config_default(c);
	c->reps = 1;
	c->stream_s = 1;
	c->rr_s = 0.3;
	c->bo.rr.warmup_s = 0.05;
	c->preset = "quick";
}

void run_config_full(struct run_config *c)
{
	static const enum bench_test full[] = {
		TEST_TCP_STREAM, TEST_TCP_STREAM_PAR, TEST_TCP_REVERSE, TEST_UDP,
		TEST_TCP_RR,	 TEST_UDP_RR,	      TEST_TCP_CRR};

	run_config_default(c);
	c->npaths = 0;
	c->paths[c->npaths++] = PATH_INGRESS;
	c->paths[c->npaths++] = PATH_EGRESS;
	c->paths[c->npaths++] = PATH_INTRA_HOST;
	c->ntests = 0;
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++)
		c->tests[c->ntests++] = full[i];
	c->reps = 5;
	c->stream_s = 3;
	c->rr_s = 2;
	c->preset = "full";
}

static double test_seconds(const struct run_config *c, enum bench_test t)
{
	return bench_test_is_stream(t) ? c->stream_s + c->bo.stream.omit_s
				       : c->rr_s + c->bo.rr.warmup_s;
}

/* The paths MODE runs: none mode has only loopback, whatever was asked. */
static unsigned int mode_paths(const struct run_config *c, enum lab_mode m, enum lab_path *out)
{
	unsigned int n = 0;

	if (m == MODE_NONE) {
		out[0] = PATH_LOOPBACK;
		return 1;
	}
	for (unsigned int i = 0; i < c->npaths; i++)
		out[n++] = c->paths[i];
	return n;
}

double run_config_seconds(const struct run_config *c)
{
	double s = 0;

	for (unsigned int m = 0; m < c->nmodes; m++) {
		enum lab_path paths[PATH_COUNT];
		unsigned int np = mode_paths(c, c->modes[m], paths);

		for (unsigned int t = 0; t < c->ntests; t++)
			s += np * test_seconds(c, c->tests[t]);
	}
	return s * c->reps;
}

json_t *run_config_json(const struct run_config *c)
{
	json_t *modes = json_array(), *paths = json_array(), *tests = json_array();
	json_t *tasks = json_array(), *doc;

	for (unsigned int i = 0; i < c->nmodes; i++)
		json_array_append_new(modes, json_string(lab_mode_name(c->modes[i])));
	for (unsigned int i = 0; i < c->npaths; i++)
		json_array_append_new(paths, json_string(path_name(c->paths[i])));
	for (unsigned int i = 0; i < c->ntests; i++)
		json_array_append_new(tests, json_string(bench_test_name(c->tests[i])));
	for (unsigned int i = 0; i < c->ntasks_list; i++)
		json_array_append_new(tasks, json_integer(c->tasks_list[i]));
	doc = json_pack("{s:s, s:o, s:o, s:o, s:i, s:i, s:i, s:f, s:f, s:I, s:i, s:i, s:i, "
			"s:i, s:{s:s, s:i, s:i}, s:I, s:b, s:s, s:o, s:i}",
			"preset", c->preset, "modes", modes, "paths", paths, "tests", tests, "reps",
			(int)c->reps, "stream_duration_s", c->stream_s, "stream_omit_s",
			c->bo.stream.omit_s, "rr_duration_s", c->rr_s, "rr_warmup_s",
			c->bo.rr.warmup_s, "udp_rate_bps", (json_int_t)c->bo.stream.rate_bps,
			"parallel_streams", c->par_streams, "rr_request_bytes",
			(int)c->bo.rr.req_size, "rr_response_bytes", (int)c->bo.rr.resp_size,
			"stream_block_bytes", c->bo.stream.blksize, "placement", "policy",
			bench_placement_name(c->bo.cpus.policy), "client_cpu", c->bo.cpus.client,
			"server_cpu", c->bo.cpus.server, "shape_wire_bps", (json_int_t)c->shape_bps,
			"hot_path", c->hot_path, "order", "repetition-major", "tasks", tasks,
			"max_enis", (int)c->max_enis);
	json_object_set_new(doc, "security_group", json_boolean(c->security_group));
	json_object_set_new(doc, "per_hop", json_boolean(c->per_hop));
	json_object_set_new(doc, "mtu",
			    json_pack("{s:i, s:i}", "vpc", c->vpc_mtu ? c->vpc_mtu : LAB_DEFAULT_MTU,
				      "bridge", c->bridge_mtu ? c->bridge_mtu : LAB_DEFAULT_MTU));
	if (c->target_pct > 0)
		json_object_set_new(doc, "target",
				    json_pack("{s:f, s:i, s:i, s:f}", "pct", c->target_pct,
					      "min_reps", (int)c->reps, "max_reps",
					      (int)c->max_reps, "max_time_s", c->max_time_s));
	return doc;
}

struct cpu_hook {
	struct cpu_times before, after;
};

static void cpu_before(void *arg)
{
	cpu_times_read(&((struct cpu_hook *)arg)->before);
}

static void cpu_after(void *arg)
{
	cpu_times_read(&((struct cpu_hook *)arg)->after);
}

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* CPU time of the whole machine during the client's run: the cost of the traffic. */
static void add_cpu(json_t *res, const struct cpu_hook *h, enum bench_test t)
{
	json_t *m = json_object_get(res, "metrics");
	double user = h->after.user - h->before.user, sys = h->after.system - h->before.system;
	double soft = (h->after.softirq - h->before.softirq) + (h->after.irq - h->before.irq);
	double total = user + sys + soft;

	json_object_set_new(m, "cpu_user_s", json_real(user));
	json_object_set_new(m, "cpu_sys_s", json_real(sys));
	json_object_set_new(m, "cpu_softirq_s", json_real(soft));
	if (bench_test_is_stream(t)) {
		json_t *end = json_object_get(json_object_get(res, "iperf"), "end");
		double bytes = num(json_object_get(end, "sum_received"), "bytes");

		if (bytes > 0)
			json_object_set_new(m, "cpu_s_per_gb", json_real(total / (bytes / 1e9)));
	} else {
		double n = num(m, "transactions");

		if (n > 0)
			json_object_set_new(m, "cpu_us_per_trans", json_real(total / n * 1e6));
	}
}

/*
 * Each repetition's value over host mode's in the same repetition (same
 * test; host's first path for none mode's loopback): measured side by side,
 * these ratios cancel the drift of a shared machine that absolute numbers
 * carry from one run to the next.
 */
static void add_host_ratios(json_t *doc)
{
	static const char *const keys[][2] = {
		{"throughput_bps", "throughput_vs_host"},
		{"tps", "tps_vs_host"},
		{"p50_us", "p50_vs_host"},
		{"p99_us", "p99_vs_host"},
	};
	json_t *results = json_object_get(doc, "results"), *e, *h;
	size_t i, k;

	json_array_foreach(results, i, e) {
		const char *mode = json_string_value(json_object_get(e, "mode"));
		const char *path = json_string_value(json_object_get(e, "path"));
		json_t *host = NULL, *rep;

		if (!strcmp(mode, "host"))
			continue;
		json_array_foreach(results, k, h) {
			if (strcmp(json_string_value(json_object_get(h, "mode")), "host") ||
			    !json_equal(json_object_get(h, "test"), json_object_get(e, "test")))
				continue;
			if (!host || !strcmp(json_string_value(json_object_get(h, "path")), path))
				host = h;
		}
		if (!host)
			continue;
		json_array_foreach(json_object_get(e, "reps"), k, rep) {
			json_t *m = json_object_get(rep, "metrics"), *hm = NULL, *hr;
			size_t j;

			json_array_foreach(json_object_get(host, "reps"), j, hr)
				if (json_equal(json_object_get(hr, "rep"),
					       json_object_get(rep, "rep")))
					hm = json_object_get(hr, "metrics");
			if (!hm)
				continue;
			for (size_t q = 0; q < sizeof(keys) / sizeof(keys[0]); q++) {
				double x = json_number_value(json_object_get(m, keys[q][0]));
				double y = json_number_value(json_object_get(hm, keys[q][0]));

				if (json_object_get(m, keys[q][0]) && y > 0)
					json_object_set_new(m, keys[q][1], json_real(x / y));
			}
		}
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
	unsigned int done, total;
	double planned_done, planned_total, t0;
};

/* Step DONE+1 of TOTAL, with the time left at the pace so far (the CLI shows it, or not). */
static void progress_show(struct progress *p, const char *what)
{
	double el = now_s() - p->t0;
	double rate = p->planned_done > 0 ? el / p->planned_done : 1.0;
	double left = (p->planned_total - p->planned_done) * rate;

	notice_progress(p->done, p->total, left < 0 ? 0 : left, what);
}

/* Ports of N tasks: one task definition (same port) where ECS allows it, distinct where not. */
static uint16_t task_port(enum lab_mode m, unsigned int i)
{
	return m == MODE_BRIDGE || m == MODE_HOST ? (uint16_t)(LAB_DEFAULT_PORT + i)
						  : LAB_DEFAULT_PORT;
}

/*
 * One lab per mode with N tasks (one more as the peer of the intra-host path
 * when N is 1). A mode the kernel cannot build, or N beyond the ENI limit, is
 * recorded and skipped; the other modes still run.
 */
static int build_labs(const struct run_config *c, unsigned int n, struct lab **labs, json_t *doc,
		      char *why, size_t len)
{
	bool intra = false;

	for (unsigned int i = 0; i < c->npaths; i++)
		intra |= c->paths[i] == PATH_INTRA_HOST;
	for (unsigned int i = 0; i < c->nmodes; i++) {
		enum lab_mode m = c->modes[i];
		unsigned int want = n + (intra && n == 1 && m != MODE_NONE);
		struct lab_config cfg;
		struct lab *lab = calloc(1, sizeof(*lab));
		int ret = 0;

		if (!lab)
			return -ENOMEM;
		labs[m] = lab;
		lab_config_default(&cfg);
		cfg.max_enis = c->max_enis;
		cfg.security_group = c->security_group;
		cfg.vpc_mtu = c->vpc_mtu;
		cfg.bridge_mtu = c->bridge_mtu;
		ret = lab_init(lab, &cfg, "run");
		for (unsigned int k = 0; !ret && k < want; k++)
			ret = lab_plan_task(lab, m, task_port(m, k));
		if (ret) {
			/* ECS would refuse it too: the ENI limit is where awsvpc stops. */
			json_array_append_new(json_object_get(doc, "density_limits"),
					      json_pack("{s:s, s:i, s:s}", "mode", lab_mode_name(m),
							"tasks", (int)n, "refused", lab->err));
			notice(NOTICE_WARNING, "mode %s, %u tasks: %s", lab_mode_name(m), n, lab->err);
			free(lab);
			labs[m] = NULL;
			continue;
		}
		ret = lab_up(lab);
		if (ret) {
			if (ret == -EINTR) {
				snprintf(why, len, "interrupted");
				return ret;
			}
			json_array_append_new(json_object_get(doc, "errors"),
					      json_pack("{s:s, s:s}", "mode", lab_mode_name(m),
							"error", lab->err));
			notice(NOTICE_ERROR, "mode %s unavailable: %s", lab_mode_name(m), lab->err);
			lab_free(lab);
			free(lab);
			labs[m] = NULL;
			continue;
		}
		json_array_append_new(json_object_get(doc, "density"),
				      json_pack("{s:s, s:i, s:f, s:f}", "mode", lab_mode_name(m),
						"tasks", (int)n, "setup_ms", lab->build_ms,
						"setup_ms_per_task", lab->build_ms / n));
		if (c->shape_bps) {
			struct rt *rt = NULL;

			ret = rt_open(&rt, lab->ns_vpc);
			if (!ret)
				ret = rt_tbf_add(rt, mode_wire_ifname(), c->shape_bps);
			if (ret) {
				snprintf(why, len, "shaping %s in %s: %s%s%s", mode_wire_ifname(), lab->ns_vpc,
					 strerror(-ret), *rt_ext_msg(rt) ? ": " : "",
					 rt_ext_msg(rt));
				rt_close(rt);
				return ret;
			}
			rt_close(rt);
		}
	}
	return 0;
}

/*
 * N tasks' results as one: throughput and transactions add up; latency is the
 * median task's (and the worst task's p99); each task's metrics are kept.
 */
static json_t *aggregate(json_t **res, unsigned int n)
{
	static const char *const sums[] = {"throughput_bps", "sent_bps",    "tps",
					   "transactions",   "retransmits", "lost_packets",
					   "packets",	     "lost",	    "errors"};
	static const char *const medians[] = {"p50_us", "p90_us",  "p99_us",	  "p999_us",
					      "min_us", "mean_us", "rtt_mean_us", "jitter_ms"};
	json_t *out = json_deep_copy(res[0]), *m = json_object(), *per = json_array();
	double v[LAB_MAX_TASKS];

	if (n == 1) {
		json_decref(m);
		json_decref(per);
		return out;
	}
	json_object_del(out, "iperf");
	json_object_del(out, "rr");
	for (size_t k = 0; k < sizeof(sums) / sizeof(sums[0]); k++) {
		double sum = 0;
		bool any = false;

		for (unsigned int i = 0; i < n; i++) {
			json_t *x = json_object_get(json_object_get(res[i], "metrics"), sums[k]);

			any |= json_is_number(x);
			sum += json_number_value(x);
		}
		if (any)
			json_object_set_new(m, sums[k], json_real(sum));
	}
	for (size_t k = 0; k < sizeof(medians) / sizeof(medians[0]); k++) {
		struct summary s;
		size_t cnt = 0;

		for (unsigned int i = 0; i < n; i++) {
			json_t *x = json_object_get(json_object_get(res[i], "metrics"), medians[k]);

			if (json_is_number(x))
				v[cnt++] = json_number_value(x);
		}
		if (cnt && !summary_of(v, cnt, &s)) {
			json_object_set_new(m, medians[k], json_real(s.median));
			if (!strcmp(medians[k], "p99_us"))
				json_object_set_new(m, "p99_worst_task_us", json_real(s.max));
		}
	}
	if (json_object_get(m, "throughput_bps"))
		json_object_set_new(m, "throughput_per_task_bps",
				    json_real(num(m, "throughput_bps") / n));
	if (json_object_get(m, "tps"))
		json_object_set_new(m, "tps_per_task", json_real(num(m, "tps") / n));
	for (unsigned int i = 0; i < n; i++)
		json_array_append(per, json_object_get(res[i], "metrics"));
	json_object_set_new(out, "metrics", m);
	json_object_set_new(out, "per_task", per);
	return out;
}

static void teardown(struct lab **labs)
{
	for (int m = 0; m < MODE_COUNT; m++) {
		if (!labs[m])
			continue;
		lab_down(labs[m], LAB_TEARDOWN_GROUP);
		lab_free(labs[m]);
		free(labs[m]);
		labs[m] = NULL;
	}
}

/* One probe of a mode's path, stored under "mode/path" in OUT; false when it failed. */
typedef bool (*path_probe_fn)(const struct run_config *c, struct lab *lab, enum lab_path p,
			      json_t **doc);

/* FN on every mode and path the run measures (intra-host only with two tasks). */
static int each_path(const struct run_config *c, struct lab **labs, path_probe_fn fn, json_t *out,
		     bool *failed)
{
	for (unsigned int i = 0; i < c->nmodes; i++) {
		enum lab_mode m = c->modes[i];
		enum lab_path paths[PATH_COUNT];
		unsigned int np = mode_paths(c, m, paths);

		if (!labs[m])
			continue;
		for (unsigned int k = 0; k < np; k++) {
			json_t *doc = NULL;
			char key[64];

			if (paths[k] == PATH_INTRA_HOST && labs[m]->ntasks < 2)
				continue;
			if (!fn(c, labs[m], paths[k], &doc))
				*failed = true;
			if (lab_stop) {
				json_decref(doc);
				return -EINTR;
			}
			snprintf(key, sizeof(key), "%s/%s", lab_mode_name(m), path_name(paths[k]));
			json_object_set_new(out, key, doc);
		}
	}
	return 0;
}

static bool hot_path(const struct run_config *c, struct lab *lab, enum lab_path p, json_t **doc)
{
	enum lab_mode m = lab->tasks[0].mode;
	char why[512];

	if (hotpath_probe(lab, &lab->tasks[0], p, &c->bo, doc, why, sizeof(why)))
		*doc = json_pack("{s:s, s:s, s:b, s:s, s:[]}", "mode", lab_mode_name(m), "path",
				 path_name(p), "ok", 0, "problem", why, "hops");
	if (json_is_true(json_object_get(*doc, "ok")))
		return true;
	notice(NOTICE_ERROR, "mode %s, path %s: hot path: %s", lab_mode_name(m), path_name(p),
		json_string_value(json_object_get(*doc, "problem")));
	return false;
}

/* Where each mode's round trip goes, hop by hop: its own traced run, apart from the tests. */
static bool per_hop(const struct run_config *c, struct lab *lab, enum lab_path p, json_t **doc)
{
	enum lab_mode m = lab->tasks[0].mode;
	struct perhop_opts po;
	char why[512];

	perhop_opts_default(&po);
	if (!perhop_measure(lab, &lab->tasks[0], p, &c->bo, &po, doc, why, sizeof(why)))
		return true;
	notice(NOTICE_ERROR, "mode %s, path %s: per-hop: %s", lab_mode_name(m), path_name(p), why);
	*doc = json_pack("{s:s, s:s, s:s}", "mode", lab_mode_name(m), "path", path_name(p),
			 "error", why);
	return false;
}

static json_t *noise_json(const struct noise *n)
{
	return json_pack("{s:f, s:f, s:f, s:b}", "steal_pct", n->steal_pct, "outside_pct",
			 n->outside_pct, "load1", n->load1, "noisy", n->noisy);
}

/*
 * Every entry of N tasks has each headline metric's 95% interval within
 * PCT of its value. With RECORD, each entry says so in "target".
 */
static bool target_check(json_t *doc, unsigned int n, double pct, bool record)
{
	bool all = true;
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		const char *widest = NULL;
		double worst = 0, v[256];
		bool met = true;

		if (results_entry_ntasks(e) != n)
			continue;
		for (size_t k = 0; k < VERDICT_NHEADLINE; k++) {
			size_t cnt = results_rep_values(e, verdict_headline[k], v, 256);
			double hw = verdict_halfwidth_pct(v, cnt);

			if (cnt == 0)
				continue;
			if (hw < 0 && cnt < 2)
				hw = INFINITY;
			if (hw > worst || !widest) {
				worst = hw < 0 ? 0 : hw;
				widest = verdict_headline[k];
			}
			met &= hw <= pct;
		}
		all &= met;
		if (record && widest)
			json_object_set_new(
				e, "target",
				json_pack("{s:f, s:b, s:s, s:f, s:i}", "pct", pct, "met", met,
					  "widest_metric", widest, "widest_halfwidth_pct",
					  isfinite(worst) ? worst : -1, "reps",
					  (int)json_array_size(json_object_get(e, "reps"))));
	}
	return all;
}

/* All the N tasks' targets for one path: task i, and its peer for intra-host. */
static int targets_for(struct lab *lab, unsigned int n, enum lab_path p, struct bench_target *t,
		       char *why, size_t len)
{
	for (unsigned int i = 0; i < n; i++) {
		struct lab_task *peer = NULL;
		int ret;

		if (p == PATH_INTRA_HOST && lab->ntasks > 1)
			peer = &lab->tasks[(i + 1) % lab->ntasks];
		ret = path_target(lab, &lab->tasks[i], peer, p, &t[i], why, len);
		if (ret)
			return ret;
	}
	return 0;
}

static int run_density(const struct run_config *c, unsigned int n, struct lab **labs, json_t *doc,
		       json_t *hp, struct progress *prog, double *measured, bool *failed, char *why,
		       size_t len)
{
	static struct bench_target targets[LAB_MAX_TASKS];
	static json_t *res[LAB_MAX_TASKS];
	unsigned int max_reps = c->target_pct > 0 ? c->max_reps : c->reps;
	double t0 = now_s();

	for (unsigned int r = 0; r < max_reps; r++) {
		if (r > 0)
			testhook_phase("run:between-reps");
		/* --target: stop once every headline interval is narrow enough, or the budget ends.
		 */
		if (c->target_pct > 0 && r >= c->reps) {
			add_host_ratios(doc);
			if (target_check(doc, n, c->target_pct, false))
				break;
			if (now_s() - t0 >= c->max_time_s) {
				notice(NOTICE_INFO, "--max-time %.0f s reached after %u repetitions",
					 c->max_time_s, r);
				break;
			}
		}
		for (unsigned int i = 0; i < c->nmodes; i++) {
			enum lab_mode m = c->modes[i];
			enum lab_path paths[PATH_COUNT];
			struct lab *lab = labs[m];
			unsigned int np;

			if (!lab)
				continue;
			np = mode_paths(c, m, paths);
			for (unsigned int k = 0; k < np; k++) {
				for (unsigned int t = 0; t < c->ntests; t++) {
					enum bench_test test = c->tests[t];
					struct bench_opts bo = c->bo;
					struct cpu_hook cpu;
					struct noise_mark mark;
					struct noise noise;
					bool noise_ok;
					char what[160], err[512];
					json_t *agg, *entry, *key_hp;
					char hk[64];
					int ret;

					snprintf(what, sizeof(what), "rep %u/%u%s %s%s%.0u %s %s",
						 r + 1, max_reps,
						 c->target_pct > 0 ? " (at most)" : "",
						 lab_mode_name(m), n > 1 ? " x" : "", n > 1 ? n : 0,
						 path_name(paths[k]), bench_test_name(test));
					progress_show(prog, what);
					bo.stream.duration_s = c->stream_s;
					bo.stream.streams =
						test == TEST_TCP_STREAM_PAR ? c->par_streams : 1;
					bo.rr.duration_s = c->rr_s;
					bo.before_client = cpu_before;
					bo.after_client = cpu_after;
					bo.hook_arg = &cpu;
					snprintf(hk, sizeof(hk), "run:measure:%s",
						 bench_test_name(test));
					testhook_phase(hk);
					ret = targets_for(lab, n, paths[k], targets, err,
							  sizeof(err));
					noise_ok = !noise_mark(&mark);
					if (!ret)
						ret = bench_run_many(test, &bo, targets, n, res,
								     err, sizeof(err));
					noise_ok = noise_ok && !noise_since(&mark, &noise);
					if (lab_stop) {
						for (unsigned int q = 0; !ret && q < n; q++)
							json_decref(res[q]);
						snprintf(why, len, "interrupted");
						return -EINTR;
					}
					prog->done++;
					prog->planned_done += test_seconds(c, test);
					if (ret) {
						*failed = true;
						notice(NOTICE_ERROR, "%s", err);
						json_array_append_new(
							json_object_get(doc, "errors"),
							json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}",
								  "mode", lab_mode_name(m), "path",
								  path_name(paths[k]), "test",
								  bench_test_name(test), "tasks",
								  (int)n, "rep", (int)r + 1,
								  "error", err));
						continue;
					}
					*measured +=
						test_seconds(c, test) -
						(bench_test_is_stream(test) ? c->bo.stream.omit_s
									    : c->bo.rr.warmup_s);
					agg = aggregate(res, n);
					for (unsigned int q = 0; q < n; q++)
						json_decref(res[q]);
					add_cpu(agg, &cpu, test);
					if (noise_ok)
						json_object_set_new(agg, "noise",
								    noise_json(&noise));
					json_object_set_new(agg, "rep", json_integer(r + 1));
					json_object_del(agg, "mode");
					json_object_del(agg, "path");
					json_object_del(agg, "test");
					entry = results_entry_tasks(doc, lab_mode_name(m),
								    path_name(paths[k]),
								    bench_test_name(test), n);
					json_array_append_new(json_object_get(entry, "reps"), agg);
					snprintf(hk, sizeof(hk), "%s/%s", lab_mode_name(m),
						 path_name(paths[k]));
					key_hp = json_object_get(hp, hk);
					if (key_hp && !json_object_get(entry, "hot_path"))
						json_object_set(entry, "hot_path", key_hp);
				}
			}
		}
	}
	return 0;
}

int runner_run(const struct run_config *c, json_t **out, char *why, size_t len)
{
	struct lab *labs[MODE_COUNT] = {0};
	struct progress prog = {.t0 = now_s()};
	json_t *doc, *hp = json_object(), *ph = json_object();
	bool failed = false;
	double t_start = now_s(), measured = 0;
	int ret = 0;

	doc = results_new(run_config_json(c));
	if (!doc) {
		json_decref(hp);
		return -ENOMEM;
	}
	json_object_set_new(doc, "density", json_array());
	json_object_set_new(doc, "density_limits", json_array());
	/* Progress over the whole run: every N's plan, assuming every mode builds. */
	prog.planned_total = run_config_seconds(c) * c->ntasks_list;
	for (unsigned int r = 0; r < (c->target_pct > 0 ? c->max_reps : c->reps); r++)
		for (unsigned int i = 0; i < c->nmodes; i++) {
			enum lab_path paths[PATH_COUNT];

			prog.total += mode_paths(c, c->modes[i], paths) * c->ntests;
		}
	prog.total *= c->ntasks_list;

	for (unsigned int q = 0; q < c->ntasks_list && !ret; q++) {
		unsigned int n = c->tasks_list[q];

		ret = build_labs(c, n, labs, doc, why, len);
		testhook_phase("run:built");
		if (!ret && c->hot_path && q == 0) {
			notice_progress(0, 0, -1, "measuring the hot packet path of each mode");
			testhook_phase("run:hot-path");
			ret = each_path(c, labs, hot_path, hp, &failed);
			if (ret)
				snprintf(why, len, "interrupted");
		}
		if (!ret && c->per_hop && q == 0) {
			notice_progress(0, 0, -1, "measuring where each mode's round trip goes");
			testhook_phase("run:per-hop");
			ret = each_path(c, labs, per_hop, ph, &failed);
			if (ret)
				snprintf(why, len, "interrupted");
		}
		if (!ret)
			ret = run_density(c, n, labs, doc, hp, &prog, &measured, &failed, why, len);
		teardown(labs);
	}
	notice_progress_end();
	if (ret)
		goto out;
	add_host_ratios(doc);
	if (c->target_pct > 0)
		for (unsigned int q = 0; q < c->ntasks_list; q++)
			target_check(doc, c->tasks_list[q], c->target_pct, true);
	results_summarize(doc);
	results_finish(doc);
	json_object_set_new(doc, "hot_paths", hp);
	hp = NULL;
	if (c->per_hop)
		json_object_set(doc, "per_hop", ph);
	json_object_set_new(doc, "wall_s", json_real(now_s() - t_start));
	json_object_set_new(doc, "measured_s", json_real(measured));
	json_object_set_new(doc, "status", json_string(failed ? "failed" : "ok"));
out:
	teardown(labs);
	json_decref(hp);
	json_decref(ph);
	if (ret) {
		json_decref(doc);
		return ret;
	}
	*out = doc;
	return 0;
}

static double median_n(json_t *doc, const char *mode, const char *test, const char *metric,
		       unsigned int tasks, bool *ok)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		json_t *v;

		if (strcmp(json_string_value(json_object_get(e, "mode")), mode) ||
		    strcmp(json_string_value(json_object_get(e, "test")), test) ||
		    results_entry_ntasks(e) != tasks)
			continue;
		v = json_object_get(json_object_get(json_object_get(e, "summary"), metric),
				    "median");
		if (json_is_number(v)) {
			*ok = true;
			return json_number_value(v);
		}
	}
	*ok = false;
	return 0;
}

/* The table's rows are at the first task count of the run. */
static unsigned int first_tasks(json_t *doc)
{
	json_t *t = json_array_get(json_object_get(json_object_get(doc, "config"), "tasks"), 0);

	return json_is_integer(t) ? (unsigned int)json_integer_value(t) : 1;
}

static double median_of(json_t *doc, const char *mode, const char *test, const char *metric,
			bool *ok)
{
	return median_n(doc, mode, test, metric, first_tasks(doc), ok);
}

static void density_table(json_t *doc, FILE *f)
{
	json_t *d, *lim;
	size_t i;

	fprintf(f, "\n%-15s %5s %10s %14s %10s %12s %12s\n", "density", "tasks", "Gbit/s",
		"Gbit/s/task", "RR p50 us", "RR trans/s", "setup ms/task");
	json_array_foreach(json_object_get(doc, "density"), i, d) {
		const char *mode = json_string_value(json_object_get(d, "mode"));
		unsigned int n = (unsigned int)json_integer_value(json_object_get(d, "tasks"));
		bool a, b, c;
		double thr = median_n(doc, mode, "tcp_stream", "throughput_bps", n, &a);
		double p50 = median_n(doc, mode, "tcp_rr", "p50_us", n, &b);
		double tps = median_n(doc, mode, "tcp_rr", "tps", n, &c);
		char s1[16] = "-", s2[16] = "-", s3[16] = "-", s4[16] = "-";

		if (a) {
			snprintf(s1, sizeof(s1), "%.2f", thr / 1e9);
			snprintf(s2, sizeof(s2), "%.2f", thr / 1e9 / n);
		}
		if (b)
			snprintf(s3, sizeof(s3), "%.1f", p50);
		if (c)
			snprintf(s4, sizeof(s4), "%.0f", tps);
		fprintf(f, "%-15s %5u %10s %14s %10s %12s %12.2f\n", mode, n, s1, s2, s3, s4,
			json_number_value(json_object_get(d, "setup_ms_per_task")));
	}
	json_array_foreach(json_object_get(doc, "density_limits"), i, lim)
		fprintf(f, "%-15s %5lld refused: %s\n",
			json_string_value(json_object_get(lim, "mode")),
			(long long)json_integer_value(json_object_get(lim, "tasks")),
			json_string_value(json_object_get(lim, "refused")));
	fprintf(f, "tasks driven together; Gbit/s and trans/s are the sum over the tasks, "
		   "latency the median task's\n");
}

static void cell(FILE *f, double v, bool ok, double host, bool host_ok, int decimals)
{
	char buf[48], ratio[16] = "";

	if (!ok) {
		fprintf(f, " %16s", "-");
		return;
	}
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	if (host_ok && host != 0)
		snprintf(ratio, sizeof(ratio), " (%.2fx)", v / host);
	strncat(buf, ratio, sizeof(buf) - strlen(buf) - 1);
	fprintf(f, " %16s", buf);
}

void runner_print_table(json_t *doc, FILE *f)
{
	static const struct {
		const char *head, *test, *metric;
		int decimals;
		double scale;
	} cols[] = {
		{"Gbit/s", "tcp_stream", "throughput_bps", 2, 1e-9},
		{"RR p50 us", "tcp_rr", "p50_us", 1, 1},
		{"RR p99 us", "tcp_rr", "p99_us", 1, 1},
		{"CRR trans/s", "tcp_crr", "tps", 0, 1},
		{"CPU s/GB", "tcp_stream", "cpu_s_per_gb", 3, 1},
	};
	json_t *modes = json_object_get(json_object_get(doc, "config"), "modes"), *mv;
	size_t i;

	fprintf(f, "%-15s", "mode");
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		fprintf(f, " %16s", cols[c].head);
	fprintf(f, " %5s\n", "hops");
	json_array_foreach(modes, i, mv) {
		const char *mode = json_string_value(mv);
		json_t *hp = NULL, *v;
		const char *key;

		fprintf(f, "%-15s", mode);
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			bool ok, hok;
			double x = median_of(doc, mode, cols[c].test, cols[c].metric, &ok);
			double h = median_of(doc, "host", cols[c].test, cols[c].metric, &hok);

			cell(f, x * cols[c].scale, ok, h * cols[c].scale, hok, cols[c].decimals);
		}
		json_object_foreach(json_object_get(doc, "hot_paths"), key, v)
			if (!strcmp(json_string_value(json_object_get(v, "mode")), mode) && !hp)
				hp = v;
		if (hp)
			fprintf(f, " %5zu%s\n", json_array_size(json_object_get(hp, "hops")),
				json_is_true(json_object_get(hp, "ok")) ? "" : " (unexpected!)");
		else
			fprintf(f, " %5s\n", "-");
	}
	{
		size_t lo = SIZE_MAX, hi = 0, noisy = 0, all = 0, j;
		json_t *e, *rep;

		json_array_foreach(json_object_get(doc, "results"), i, e) {
			size_t n = json_array_size(json_object_get(e, "reps"));

			lo = n < lo ? n : lo;
			hi = n > hi ? n : hi;
			json_array_foreach(json_object_get(e, "reps"), j, rep) {
				all++;
				noisy += json_is_true(
					json_object_get(json_object_get(rep, "noise"), "noisy"));
			}
		}
		if (lo == hi)
			fprintf(f, "medians over %zu repetition(s)", hi);
		else
			fprintf(f, "medians over %zu to %zu repetitions", lo, hi);
		fprintf(f, "; (x) = ratio to host mode; hops = interfaces crossed on the first "
			   "path\n");
		if (noisy)
			fprintf(f,
				"%zu of %zu repetitions ran under interference (CPU steal >= "
				"%.0f%% "
				"or other processes >= %.0f%% of the CPUs): see \"noise\" in the "
				"results file; compare --drop-noisy leaves them out\n",
				noisy, all, NOISE_STEAL_PCT, NOISE_OUTSIDE_PCT);
	}
	if (json_array_size(json_object_get(json_object_get(doc, "config"), "tasks")) > 1 ||
	    first_tasks(doc) > 1)
		density_table(doc, f);
}
