// SPDX-License-Identifier: MIT
/*
 * The traffic engines on real labs (root): every mode and path returns
 * plausible numbers, low-rate UDP loses nothing, a server killed half-way is
 * an error within the deadline, and no endpoint process survives.
 */
#include "labtest.h"
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "bench/measurement.h"
#include "harness/lab/lab.h"
#include "harness/lab/path.h"
#include "netns/netns.h"

static bool is_lab_proxy(const struct lab *lab, pid_t pid)
{
	for (unsigned int i = 0; i < lab->ntasks; i++)
		for (unsigned int k = 0; k < 4; k++)
			if (lab->tasks[i].proxy_pid[k] == pid)
				return true;
	return false;
}

/*
 * No endpoint left: no child of ours but the lab's docker-proxies (alive: not
 * reapable), nothing else inside the lab's namespaces.
 */
static void expect_no_endpoints(const struct lab *lab)
{
	const char *names[8];
	unsigned int n = lab_namespaces(lab, names, 8);
	pid_t w = waitpid(-1, NULL, WNOHANG);

	if (w != 0) {
		assert_int_equal(w, -1);
		assert_int_equal(errno, ECHILD);
	}
	for (unsigned int i = 0; i < n; i++) {
		pid_t pids[8];
		size_t np = 0, others = 0;

		assert_int_equal(netns_pids(names[i], pids, 8, &np), 0);
		for (size_t k = 0; k < np; k++)
			others += !is_lab_proxy(lab, pids[k]);
		assert_int_equal(others, 0);
	}
}

static double metric(json_t *res, const char *key)
{
	json_t *v = json_object_get(json_object_get(res, "metrics"), key);

	if (!json_is_number(v))
		print_error("metric %s missing\n", key);
	assert_true(json_is_number(v));
	return json_number_value(v);
}

static void quick_opts(struct bench_opts *o)
{
	bench_opts_default(o);
	o->stream.duration_s = 1;
	o->stream.omit_s = 0;
	o->stream.rate_bps = 20000000; /* low: nothing may be lost */
	o->rr.duration_s = 0.3;
	o->rr.warmup_s = 0.05;
	assert_int_equal(bench_cpus_resolve(&o->cpus), 0);
}

static void run_one(struct lab *lab, enum lab_path p, enum bench_test test)
{
	struct bench_target t;
	struct bench_opts o;
	json_t *res = NULL;
	char why[512];
	int ret;

	quick_opts(&o);
	assert_int_equal(path_target(lab, &lab->tasks[0], NULL, p, &t, why, sizeof(why)), 0);
	ret = bench_run(test, &o, &t, &res, why, sizeof(why));
	if (ret)
		print_error("%s\n", why);
	assert_int_equal(ret, 0);
	assert_string_equal(json_string_value(json_object_get(res, "test")), bench_test_name(test));
	switch (test) {
	case TEST_TCP_STREAM:
	case TEST_TCP_REVERSE:
		assert_true(metric(res, "throughput_bps") > 1e8);
		assert_true(metric(res, "rtt_mean_us") > 0);
		assert_non_null(json_object_get(res, "iperf"));
		break;
	case TEST_UDP:
		assert_true(metric(res, "throughput_bps") > 1e7);
		assert_true(metric(res, "packets") > 1000);
		assert_true(metric(res, "lost_packets") == 0);
		break;
	default: {
		double mn = metric(res, "min_us"), p50 = metric(res, "p50_us");
		double p90 = metric(res, "p90_us"), p99 = metric(res, "p99_us");
		double p999 = metric(res, "p999_us"), mx = metric(res, "max_us");

		assert_true(metric(res, "tps") > 100);
		assert_true(mn > 0);
		assert_true(mn <= p50 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= mx);
		/* A round trip inside one machine: more than 1 us, less than 10 ms. */
		assert_true(p50 > 1 && p50 < 10000);
		if (test == TEST_UDP_RR)
			assert_true(metric(res, "lost") == 0);
		break;
	}
	}
	json_decref(res);
	expect_no_endpoints(lab);
}

static void matrix(enum lab_mode mode)
{
	static const enum bench_test tests[] = {TEST_TCP_STREAM, TEST_UDP, TEST_TCP_RR, TEST_UDP_RR,
						TEST_TCP_CRR};
	enum lab_path paths[] = {PATH_INGRESS, PATH_EGRESS};
	unsigned int npaths = mode == MODE_NONE ? 1 : 2;
	struct lab *lab = tl_lab_with(mode);

	if (mode == MODE_NONE)
		paths[0] = PATH_LOOPBACK;
	for (unsigned int p = 0; p < npaths; p++)
		for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			run_one(lab, paths[p], tests[i]);
	run_one(lab, paths[0], TEST_TCP_REVERSE);
	tl_lab_done(lab);
	assert_root_unchanged();
}

static void test_awsvpc(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	matrix(MODE_AWSVPC);
}

static void test_bridge(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	matrix(MODE_BRIDGE);
}

static void test_bridge_dynamic(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	matrix(MODE_BRIDGE_DYNAMIC);
}

static void test_host(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	matrix(MODE_HOST);
}

static void test_none(void **state)
{
	struct bench_target t;
	struct lab *lab;
	char why[256];

	(void)state;
	SKIP_UNLESS_ROOT();
	matrix(MODE_NONE);
	lab = tl_lab_with(MODE_NONE);
	assert_int_equal(path_target(lab, &lab->tasks[0], NULL, PATH_INGRESS, &t, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "loopback"));
	tl_lab_done(lab);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Kills every process in NS after DELAY seconds, from a child of ours. */
static pid_t kill_later(const char *ns, double delay)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct timespec ts = {(time_t)delay, (long)((delay - (long)delay) * 1e9)};
		pid_t pids[8];
		size_t n = 0;

		nanosleep(&ts, NULL);
		netns_pids(ns, pids, 8, &n);
		for (size_t i = 0; i < n && i < 8; i++)
			kill(pids[i], SIGKILL);
		_exit(n ? 0 : 1);
	}
	return pid;
}

static void server_dies(enum bench_test test, const char *expect)
{
	struct lab *lab = tl_lab_with(MODE_BRIDGE);
	struct bench_target t;
	struct bench_opts o;
	json_t *res = NULL;
	char why[512];
	double t0, took;
	pid_t killer;
	int status, ret;

	quick_opts(&o);
	/* Long enough that a run which missed the death cannot pass for one that saw it. */
	o.stream.duration_s = 12;
	o.rr.duration_s = 12;
	assert_int_equal(path_target(lab, &lab->tasks[0], NULL, PATH_INGRESS, &t, why, sizeof(why)),
			 0);
	killer = kill_later(lab->tasks[0].ns, 0.7);
	t0 = now_s();
	ret = bench_run(test, &o, &t, &res, why, sizeof(why));
	took = now_s() - t0;
	assert_int_equal(waitpid(killer, &status, 0), killer);
	/* The killer found the server to kill. */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	print_message("%s, server killed at 0.7 s: after %.2f s: %s\n", bench_test_name(test), took,
		      why);
	assert_int_not_equal(ret, 0);
	assert_null(res);
	assert_non_null(strstr(why, "mode bridge, path ingress"));
	assert_non_null(strstr(why, expect));
	/* Within the deadline: before the run would have ended by itself. */
	assert_true(took < 10.0);
	expect_no_endpoints(lab);
	tl_lab_done(lab);
}

static void test_server_dies_tcp_rr(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	server_dies(TEST_TCP_RR, "server closed the connection");
}

static void test_server_dies_udp_rr(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	server_dies(TEST_UDP_RR, "no response");
}

static void test_server_dies_tcp_crr(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	server_dies(TEST_TCP_CRR, "after");
}

static void test_server_dies_stream(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	server_dies(TEST_TCP_STREAM, "iperf");
}

static void test_server_cannot_listen(void **state)
{
	struct lab *lab;
	struct bench_target t;
	struct bench_opts o;
	json_t *res = NULL;
	char why[512];

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_with(MODE_AWSVPC);
	quick_opts(&o);
	assert_int_equal(path_target(lab, &lab->tasks[0], NULL, PATH_INGRESS, &t, why, sizeof(why)),
			 0);
	/* An address the task does not have: bind fails, the server exits at once. */
	snprintf(t.server_bind, sizeof(t.server_bind), "198.18.0.200");
	assert_int_not_equal(bench_run(TEST_TCP_RR, &o, &t, &res, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "did not start listening"));
	assert_non_null(strstr(why, "exited with status"));
	expect_no_endpoints(lab);
	tl_lab_done(lab);
}

/* One client taking turns between targets T[0] and T[1]: their results in RES, or a failure. */
static void run_turns(const struct bench_opts *o, const struct bench_target *t, json_t **res)
{
	char why[512];
	int ret = bench_run_interleaved(o, t, 2, res, why, sizeof(why));

	if (ret)
		print_error("%s\n", why);
	assert_int_equal(ret, 0);
}

/*
 * One client taking turns (bench_run_interleaved): host's and bridge's
 * servers in two labs, each connection opened in its own lab's VPC; each gets
 * its share of the transactions (turns are whole but the last: the counts
 * differ by at most one), each its own latencies, and nothing is left.
 */
static void test_interleaved(void **state)
{
	struct lab *labs[2];
	struct bench_target t[2];
	struct bench_opts o;
	json_t *res[2] = {NULL, NULL};
	char why[512];
	json_int_t n[2];

	(void)state;
	SKIP_UNLESS_ROOT();
	labs[0] = tl_lab_with(MODE_HOST);
	labs[1] = tl_lab_with(MODE_BRIDGE);
	quick_opts(&o);
	for (int i = 0; i < 2; i++)
		assert_int_equal(path_target(labs[i], &labs[i]->tasks[0], NULL, PATH_INGRESS, &t[i],
					     why, sizeof(why)),
				 0);
	assert_string_not_equal(t[0].client_ns, t[1].client_ns);
	run_turns(&o, t, res);
	for (int i = 0; i < 2; i++) {
		json_t *rr = json_object_get(res[i], "rr");

		assert_string_equal(json_string_value(json_object_get(res[i], "mode")),
				    i ? "bridge" : "host");
		n[i] = json_integer_value(json_object_get(rr, "transactions"));
		assert_true(n[i] > 100);
		assert_true(metric(res[i], "p50_us") > 1 && metric(res[i], "p50_us") < 10000);
		json_decref(res[i]);
	}
	assert_true(n[0] - n[1] <= 1 && n[1] - n[0] <= 1);
	/*
	 * Bulk transfers in turns (claims' throughput): each request, larger than
	 * the engine's buffer and the window, arrives whole before its answer.
	 */
	o.rr.req_size = 3u << 20;
	o.rr.resp_size = 1;
	o.rr.window = 1 << 20;
	run_turns(&o, t, res);
	for (int i = 0; i < 2; i++) {
		json_t *rr = json_object_get(res[i], "rr");

		assert_int_equal(json_integer_value(json_object_get(rr, "request_bytes")), 3 << 20);
		n[i] = json_integer_value(json_object_get(rr, "transactions"));
		assert_true(n[i] >= 2);
		json_decref(res[i]);
	}
	assert_true(n[0] - n[1] <= 1 && n[1] - n[0] <= 1);
	o.rr.req_size = o.rr.resp_size = 64;
	o.rr.window = 0;
	/* A target that nobody serves: an error that names it, and still nothing left. */
	t[1].dst_port = 5299;
	assert_int_not_equal(bench_run_interleaved(&o, t, 2, res, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "bridge"));
	assert_null(res[0]);
	for (int i = 0; i < 2; i++) {
		expect_no_endpoints(labs[i]);
		tl_lab_done(labs[i]);
	}
	assert_root_unchanged();
}

/* --window reaches both ends: each asks for it and the kernel grants twice that. */
static void test_window(void **state)
{
	struct lab *lab;
	struct bench_target t;
	struct bench_opts o;
	json_t *res = NULL, *srv;
	unsigned long rmem_max = 0;
	char why[512];
	FILE *f;
	int ret;

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_with(MODE_NONE);
	quick_opts(&o);
	o.stream.window = 128 << 10;
	assert_int_equal(
		path_target(lab, &lab->tasks[0], NULL, PATH_LOOPBACK, &t, why, sizeof(why)), 0);
	ret = bench_run(TEST_TCP_STREAM, &o, &t, &res, why, sizeof(why));
	if (ret)
		print_error("%s\n", why);
	assert_int_equal(ret, 0);
	assert_int_equal(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(res, "iperf"), "start"), "sock_bufsize")),
		128 << 10);
	srv = json_object_get(json_object_get(json_object_get(res, "iperf"), "server_output_json"),
			      "start");
	assert_int_equal(json_integer_value(json_object_get(srv, "sock_bufsize")), 128 << 10);
	assert_int_equal(json_integer_value(json_object_get(srv, "rcvbuf_actual")), 256 << 10);
	json_decref(res);
	res = NULL;

	/*
	 * The kernel grants twice what is asked, up to twice rmem_max: beyond that
	 * iperf refuses the run, with an error that says where to look.
	 */
	f = fopen("/proc/sys/net/core/rmem_max", "re");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu", &rmem_max), 1);
	fclose(f);
	if (rmem_max < STREAM_WINDOW_MAX / 4) {
		o.stream.window = (int)(rmem_max * 4);
		assert_int_not_equal(bench_run(TEST_TCP_STREAM, &o, &t, &res, why, sizeof(why)), 0);
		assert_non_null(strstr(why, "rmem_max"));
	}
	expect_no_endpoints(lab);
	tl_lab_done(lab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_awsvpc, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_bridge, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_bridge_dynamic, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_host, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_none, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_server_dies_tcp_rr, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_server_dies_udp_rr, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_server_dies_tcp_crr, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_server_dies_stream, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_server_cannot_listen, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_window, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_interleaved, tl_setup_test, tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
