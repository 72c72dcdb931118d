// SPDX-License-Identifier: MIT
/*
 * nsbench calibrate (root, needs build-tools/docker-engine from
 * scripts/deps.sh): a short run through a real dockerd beside the emulated
 * lab, asserting facts, not speeds: the real engine's task is reached on
 * every path asked, the bridge paths cross the same kinds of devices in the
 * same order on both sides, the local path crosses the real docker-proxy,
 * each port mapping is one binding (tcp), and afterwards nothing of the
 * engine is left: no namespace, no live dockerd, containerd, shim or
 * container, nothing under its folder, no cgroup of its containers, nothing it
 * made outside its folder (/etc/docker, /run/docker, /run/containerd).
 */
#include "labtest.h"
#include <dirent.h>
#include <glob.h>

#include "harness/lab/engine.h"

static double fig(json_t *doc, const char *path, const char *mode, const char *metric,
		  const char *side)
{
	return json_number_value(json_object_get(
		json_object_get(
			json_object_get(json_object_get(json_object_get(doc, "paths"), path), mode),
			metric),
		side));
}

static size_t globbed(const char *pattern)
{
	glob_t g;
	size_t n;

	if (glob(pattern, 0, NULL, &g))
		return 0;
	n = g.gl_pathc;
	globfree(&g);
	return n;
}

static void test_calibrate_short(void **state)
{
	static const char *const paths[] = {"ingress", "local"};
	json_t *doc, *diff, *x;
	static const char *const outside[] = {"/etc/docker", "/run/docker", "/run/containerd"};
	bool there[3];
	size_t before, i;
	char *out;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	before = clean_count_leftovers();
	for (i = 0; i < 3; i++)
		there[i] = access(outside[i], F_OK) == 0;
	out = tl_capture(NSB " calibrate --rounds 2 --duration 1 --rr-duration 0.1 "
			     "--format json 2>/dev/null",
			 &st);
	/* A verdict either way: 0 within, 1 outside, 3 undecided; never a failure (1 with no
	 * document) or bad usage. */
	assert_true(st == 0 || st == 1 || st == 3);
	doc = json_loads(out, 0, NULL);
	if (!doc)
		print_error("calibrate printed: %s\n", out);
	assert_non_null(doc);
	free(out);
	assert_true(strlen(json_string_value(
			    json_object_get(json_object_get(doc, "engine"), "dockerd"))) > 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "rounds")), 2);
	for (i = 0; i < 2; i++) {
		json_t *h = json_object_get(json_object_get(doc, "hops"), paths[i]);
		char *e = json_dumps(json_object_get(h, "emulated"), JSON_COMPACT);
		char *r = json_dumps(json_object_get(h, "real"), JSON_COMPACT);

		/* Reached through the real engine on both sides, every test. */
		for (const char *const *m = (const char *const[]){"bridge", "host", NULL}; *m;
		     m++) {
			assert_true(fig(doc, paths[i], *m, "tcp_rr_p50_us", "real") > 0);
			assert_true(fig(doc, paths[i], *m, "tcp_crr_tps", "real") > 0);
			assert_true(fig(doc, paths[i], *m, "tcp_stream_bps", "real") > 0);
		}
		print_message("%s: emulated %s\n%s: real     %s\n", paths[i], e, paths[i], r);
		/* The same devices in the same order: Docker's docker0 where the lab has ecs0. */
		assert_true(json_is_true(json_object_get(h, "same")));
		assert_non_null(strstr(r, "instance:bridge:docker0"));
		assert_non_null(strstr(e, "instance:bridge:ecs0"));
		assert_non_null(strstr(r, "task:veth:eth0"));
		free(e);
		free(r);
	}
	/* The local path (127.0.0.1:hostPort) through the real docker-proxy: it worked. */
	assert_true(json_number_value(json_object_get(json_object_get(doc, "local_proxy_cpu_s"),
						      "real")) > 0);
	/* One binding per port mapping: neither side has a udp rule for the task. */
	diff = json_object_get(json_object_get(doc, "rules"), "differences");
	json_array_foreach(diff, i, x)
		assert_null(strstr(json_string_value(json_object_get(x, "rule")), "-p udp"));
	assert_null(
		strstr(json_string_value(json_object_get(json_object_get(doc, "rules"), "real")),
		       "-p udp"));
	/* dockerd started with ip_forward off, as at boot: it set FORWARD to DROP. */
	assert_non_null(
		strstr(json_string_value(json_object_get(json_object_get(doc, "rules"), "real")),
		       ":FORWARD DROP"));
	json_decref(doc);

	/* Nothing of it left. */
	assert_int_equal(clean_count_leftovers(), before);
	assert_int_equal(engine_live_processes(), 0);
	assert_int_equal(globbed("/run/nsbench/*.engine"), 0);
	assert_int_equal(globbed("/sys/fs/cgroup/*/nsbench-*"), 0);
	assert_int_equal(globbed("/sys/fs/cgroup/nsbench-*"), 0);
	/* What dockerd and the shim make outside its folder goes too (unless it was there). */
	for (i = 0; i < 3; i++)
		if (!there[i]) {
			if (access(outside[i], F_OK) == 0)
				print_error("%s left behind\n", outside[i]);
			assert_int_not_equal(access(outside[i], F_OK), 0);
		}
	assert_root_unchanged();
}

/* Bad usage is refused before anything is built. */
static void test_calibrate_usage(void **state)
{
	static const struct {
		const char *args, *says;
	} cases[] = {
		{"--modes awsvpc", "--modes 'awsvpc': bridge, host"},
		{"--paths egress", "--paths 'egress': ingress, local, intra-host"},
		{"--modes host --paths intra-host", "--modes needs bridge"},
		{"--rounds 1", "--rounds '1': 2 to 40"},
		{"--format csv", "--format 'csv': text or json"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cmd[256], *out;
		int st;

		snprintf(cmd, sizeof(cmd), NSB " calibrate %s 2>&1", cases[i].args);
		out = tl_capture(cmd, &st);
		if (!strstr(out, cases[i].says))
			print_error("%s: %s\n", cases[i].args, out);
		assert_int_equal(st, 2);
		assert_non_null(strstr(out, cases[i].says));
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_calibrate_usage, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_calibrate_short, tl_setup_test,
						tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
