// SPDX-License-Identifier: MIT
/*
 * IPv6 dual stack (root): every test over `--ip 6` for awsvpc and host, each
 * path's hot path over IPv6 the typed path, the two families kept apart in
 * the results, the lab's IPv6 static and quiet (no DAD, RA, SLAAC, router
 * solicitation or link-local address) and only where an address goes, the
 * claim row, a bridge task's hostPort through docker-proxy on "::"; the root namespace unchanged and nothing left.
 */
#include "labtest.h"
#include <errno.h>
#include <glob.h>

#include "harness/lab/clean.h"
#include "harness/lab/lab.h"
#include "harness/lab/state.h"
#include "harness/reports/results.h"
#include "netns/probe.h"
#include "netns/sysctl.h"

static char dir[] = "/tmp/nsbench-ipv6-XXXXXX";

/*
 * The labs and namespaces that appeared since the test began (tl_setup_test)
 * and have no live owner: what it left behind. Other nsbench runs on the
 * machine come and go meanwhile; theirs have a live owner, or were there.
 */
static size_t left_behind(void)
{
	char ids[STATE_MAX_LABS][LAB_ID_LEN + 1], names[TL_MAX][64], key[64];
	size_t n = 0, nn = 0, left = 0;

	state_list(ids, STATE_MAX_LABS, &n);
	for (size_t i = 0; i < n && i < STATE_MAX_LABS; i++) {
		json_t *doc;
		struct lab lab;

		snprintf(key, sizeof(key), "%.*s.json", LAB_ID_LEN, ids[i]);
		if (tl_was_seen(key) || state_load(ids[i], &lab, &doc))
			continue;
		left += !state_owner_alive(doc);
		json_decref(doc);
		lab_free(&lab);
	}
	netns_list("nsb-", names, TL_MAX, &nn);
	state_list(ids, STATE_MAX_LABS, &n);
	for (size_t i = 0; i < nn && i < TL_MAX; i++) {
		bool described = false;

		for (size_t k = 0; k < n && k < STATE_MAX_LABS; k++)
			described |= !strncmp(names[i] + 4, ids[k], LAB_ID_LEN);
		left += !described && !tl_was_seen(names[i]);
	}
	if (left)
		print_error("%zu labs or namespaces left behind\n", left);
	return left;
}

/* The one results file `run --out DIR/SUB` wrote, loaded. */
static json_t *results_in(const char *sub)
{
	char pattern[128], why[256];
	json_t *doc = NULL;
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s/%s/*.json", dir, sub);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	if (results_load(g.gl_pathv[0], &doc, why, sizeof(why)))
		print_error("%s: %s\n", g.gl_pathv[0], why);
	globfree(&g);
	assert_non_null(doc);
	return doc;
}

/* `nsbench ARGS --out DIR/SUB`, which must exit 0. */
static void run_ok(const char *args, const char *sub)
{
	char cmd[600], *out;
	int st;

	snprintf(cmd, sizeof(cmd), NSB " %s --out %s/%s 2>&1", args, dir, sub);
	out = tl_capture(cmd, &st);
	if (st)
		print_error("%s: exit %d\n%s\n", cmd, st, out);
	assert_int_equal(st, 0);
	free(out);
}

/* A hot path that went where the typed path says: its measured hops are its expected ones. */
static void assert_typed_path(json_t *hp, const char *key)
{
	if (!json_equal(json_object_get(hp, "hops"), json_object_get(hp, "expected_hops")) ||
	    !json_is_true(json_object_get(hp, "ok"))) {
		char *s = json_dumps(hp, JSON_COMPACT);

		print_error("%s: %s\n", key, s);
		free(s);
	}
	assert_true(json_is_true(json_object_get(hp, "ok")));
	assert_true(json_array_size(json_object_get(hp, "hops")) >= 1);
	assert_true(json_equal(json_object_get(hp, "hops"), json_object_get(hp, "expected_hops")));
}

static double median(json_t *e, const char *metric)
{
	double m = json_number_value(
		json_object_get(json_object_get(json_object_get(e, "summary"), metric), "median"));

	if (m <= 0) {
		char *s = json_dumps(e, JSON_COMPACT);

		print_error("no %s in %.3000s\n", metric, s);
		free(s);
	}
	return m;
}

/* Every test over IPv6 alone, awsvpc and host: results keyed ipv6, nothing of IPv4. */
static void test_every_test_ipv6(void **state)
{
	size_t i;
	json_t *doc, *e, *hp;
	const char *key;

	(void)state;
	SKIP_UNLESS_ROOT();
	run_ok("run --quick --modes awsvpc,host --ip 6 --tests "
	       "tcp_stream,tcp_stream_par,tcp_reverse,udp,tcp_rr,udp_rr,tcp_crr",
	       "every");
	doc = results_in("every");
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
	assert_true(json_is_true(json_object_get(json_object_get(doc, "config"), "dual_stack")));
	assert_int_equal(json_array_size(json_object_get(doc, "results")), 2 * 7);
	json_array_foreach(json_object_get(doc, "results"), i, e) {
		const char *test = json_string_value(json_object_get(e, "test"));

		assert_string_equal(json_string_value(json_object_get(e, "family")), "ipv6");
		assert_int_equal(json_array_size(json_object_get(e, "reps")), 1);
		if (json_object_get(json_object_get(e, "summary"), "throughput_bps"))
			assert_true(median(e, "throughput_bps") > 0);
		else
			assert_true(median(e, "tps") > 0 && median(e, "p50_us") > 0);
		/* Its hot path is IPv6's. */
		assert_string_equal(json_string_value(json_object_get(
					    json_object_get(e, "hot_path"), "family")),
				    "ipv6");
		(void)test;
	}
	assert_int_equal(json_object_size(json_object_get(doc, "hot_paths")), 2);
	json_object_foreach(json_object_get(doc, "hot_paths"), key, hp) {
		assert_non_null(strstr(key, "/ipv6"));
		assert_typed_path(hp, key);
	}
	json_decref(doc);
	assert_int_equal(left_behind(), 0);
	assert_root_unchanged();
}

/*
 * Each path over both families: IPv4 and IPv6 are different entries, and
 * every IPv6 hot path crosses the interfaces the typed path names, the same
 * as IPv4's; awsvpc's instance IP layer sees none of its IPv6 packets either.
 */
static void test_paths_both_families(void **state)
{
	size_t i;
	json_t *doc, *hps, *hp, *e;
	const char *key;
	unsigned int v4 = 0, v6 = 0;

	(void)state;
	SKIP_UNLESS_ROOT();
	run_ok("run --quick --modes awsvpc,host --ip 4,6 --paths ingress,egress,intra-host,local "
	       "--tests udp_rr",
	       "paths");
	doc = results_in("paths");
	hps = json_object_get(doc, "hot_paths");
	json_array_foreach(json_object_get(doc, "results"), i, e) {
		bool six = !strcmp(results_entry_family(e), "ipv6");

		v4 += !six;
		v6 += six;
		assert_true(median(e, "tps") > 0);
	}
	/* awsvpc and host: all four paths (awsvpc's local one through the VPC). Each family. */
	assert_int_equal(v4, 8);
	assert_int_equal(v6, 8);
	assert_int_equal(json_object_size(hps), 16);
	json_object_foreach(hps, key, hp) {
		char v4key[64];
		json_t *twin;

		assert_typed_path(hp, key);
		if (!strstr(key, "/ipv6"))
			continue;
		assert_string_equal(json_string_value(json_object_get(hp, "family")), "ipv6");
		snprintf(v4key, sizeof(v4key), "%.*s", (int)(strstr(key, "/ipv6") - key), key);
		twin = json_object_get(hps, v4key);
		assert_non_null(twin);
		assert_true(json_equal(json_object_get(hp, "hops"), json_object_get(twin, "hops")));
	}
	/* The macvlan takes awsvpc's IPv6 before the instance's IP layer, as it does IPv4. */
	hp = json_object_get(hps, "awsvpc/ingress/ipv6");
	assert_true(json_integer_value(
			    json_object_get(json_object_get(json_object_get(hp, "snmp"), "inst"),
					    "ip_in_receives")) < HOTPATH_TRANSACTIONS / 10);
	/* Host mode's instance receives every request over IPv6 (snmp6). */
	hp = json_object_get(hps, "host/ingress/ipv6");
	assert_true(json_integer_value(
			    json_object_get(json_object_get(json_object_get(hp, "snmp"), "inst"),
					    "ip_in_receives")) >= HOTPATH_TRANSACTIONS);
	json_decref(doc);
	assert_int_equal(left_behind(), 0);
	assert_root_unchanged();
}

/* measure --ip 4,6: the same test once per family, on one lab, as a JSON array. */
static void test_measure_both(void **state)
{
	json_t *arr;
	char *out;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(0, NSB " measure awsvpc tcp_rr --ip 4,6 --duration 0.3 --json");
	arr = json_loads(out, 0, NULL);
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "family")),
			    "ipv4");
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 1), "family")),
			    "ipv6");
	assert_true(json_equal(json_object_get(json_array_get(arr, 0), "lab"),
			       json_object_get(json_array_get(arr, 1), "lab")));
	json_decref(arr);
	free(out);
	assert_int_equal(left_behind(), 0);
	assert_root_unchanged();
}

/* `ip -6 addr` in namespace NS. */
static char *addrs6(const char *ns)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip -n %s -6 addr show 2>&1", ns);
	return tl_capture(cmd, NULL);
}

static void expect_conf(const char *ns, const char *dev, const char *key, const char *want)
{
	char name[96], val[16] = "";

	snprintf(name, sizeof(name), "net.ipv6.conf.%s.%s", dev, key);
	assert_int_equal(sysctl_read(ns, name, val, sizeof(val)), 0);
	val[strcspn(val, "\n")] = '\0';
	if (strcmp(val, want))
		print_error("%s in %s: %s, not %s\n", name, ns, val, want);
	assert_string_equal(val, want);
}

/* An ICMPv6 counter of namespace NS (/proc/net/snmp6). */
static long long icmp6(const char *ns, const char *name)
{
	char cmd[160], *out;
	long long v;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s awk '$1 == \"%s\" {print $2}' /proc/net/snmp6",
		 ns, name);
	out = tl_capture(cmd, NULL);
	v = atoll(out);
	free(out);
	return v;
}

/*
 * A dual-stack lab holds static addresses without DAD or a link-local one,
 * IPv6 only where an address goes (not on Docker's bridge or its tasks), and
 * has sent no router solicitation nor DAD probe; a lab without dual stack has
 * no IPv6 at all.
 */
static void test_lab_static_and_quiet(void **state)
{
	struct lab *lab = calloc(1, sizeof(*lab));
	const struct lab_task *aw, *br;
	struct lab_config cfg;
	const char *names[8];
	unsigned int n;
	char *a;

	(void)state;
	SKIP_UNLESS_ROOT();
	assert_non_null(lab);
	lab_config_default(&cfg);
	cfg.dual_stack = true;
	assert_int_equal(lab_init(lab, &cfg, "test"), 0);
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5201), 0);
	assert_int_equal(lab_plan_task(lab, MODE_BRIDGE, 5202), 0);
	assert_int_equal(lab_plan_task(lab, MODE_HOST, 5203), 0);
	if (lab_up(lab))
		print_error("lab_up: %s\n", lab->err);
	assert_true(lab->up);
	aw = &lab->tasks[0];
	br = &lab->tasks[1];

	a = addrs6(lab->ns_vpc);
	assert_non_null(strstr(a, "inet6 2001:2::1/64 scope global nodad"));
	assert_null(strstr(a, "fe80"));
	free(a);
	a = addrs6(lab->ns_inst);
	assert_non_null(strstr(a, "inet6 2001:2::2/64 scope global nodad"));
	assert_non_null(strstr(a, "inet6 ::1/128"));
	assert_null(strstr(a, "fe80"));
	assert_null(strstr(a, "tentative"));
	free(a);
	a = addrs6(aw->ns);
	assert_non_null(strstr(a, "inet6 2001:2::b/64 scope global nodad"));
	assert_null(strstr(a, "fe80"));
	free(a);
	/* Docker's default bridge: no IPv6 on the bridge, its veths or its task. */
	a = addrs6(br->ns);
	assert_null(strstr(a, "inet6"));
	free(a);
	expect_conf(lab->ns_inst, "ecs0", "disable_ipv6", "1");
	expect_conf(br->ns, "eth0", "disable_ipv6", "1");
	expect_conf(aw->ns, "ecs-eth0", "disable_ipv6", "1");
	expect_conf(lab->ns_inst, "eth0", "accept_ra", "0");
	expect_conf(lab->ns_inst, "eth0", "autoconf", "0");
	expect_conf(lab->ns_inst, "eth0", "accept_dad", "0");
	expect_conf(lab->ns_inst, "eth0", "router_solicitations", "0");
	expect_conf(aw->ns, "eth0", "accept_ra", "0");
	expect_conf(lab->ns_vpc, "vpc0", "router_solicitations", "0");
	/* What topo show lists: the interfaces' IPv6 addresses beside the IPv4 ones. */
	{
		json_t *d = state_describe(lab), *i;
		size_t k, seen = 0;

		json_array_foreach(json_object_get(d, "interfaces"), k, i) {
			const char *a6 = json_string_value(json_object_get(i, "address6"));

			if (!a6)
				continue;
			seen++;
			assert_true(!strcmp(a6, "2001:2::1/64") || !strcmp(a6, "2001:2::2/64") ||
				    !strcmp(a6, "2001:2::b/64"));
		}
		assert_int_equal(seen, 3);
		json_decref(d);
	}
	/* Reached over IPv6 (which also resolves the neighbours once). */
	assert_int_equal(probe_tcp(aw->ns, "::", 5201, lab->ns_vpc, aw->addr6, 5201, 1000), 0);
	n = lab_namespaces(lab, names, 8);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(icmp6(names[i], "Icmp6OutRouterSolicits"), 0);
		assert_int_equal(icmp6(names[i], "Icmp6InRouterAdvertisements"), 0);
		/* Neighbour solicitations only for the probe's two neighbours, none for DAD. */
		assert_true(icmp6(names[i], "Icmp6OutNeighborSolicits") <= 2);
	}
	tl_lab_done(lab);

	/*
	 * Without dual stack: IPv6 stays disabled, but for the instance's ::1 on lo
	 * (an instance has it; Docker's "::" docker-proxy depends on it).
	 */
	lab = tl_lab_with(MODE_AWSVPC);
	a = addrs6(lab->tasks[0].ns);
	assert_null(strstr(a, "inet6"));
	free(a);
	a = addrs6(lab->ns_inst);
	assert_non_null(strstr(a, "inet6 ::1/128"));
	assert_null(strstr(a, "2001:"));
	assert_null(strstr(a, "fe80"));
	free(a);
	tl_lab_done(lab);
	assert_root_unchanged();
}

/* The claim row, on its own dual-stack lab. */
static void test_claim(void **state)
{
	json_t *doc, *rows, *row;
	char *out;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_capture(NSB " claims --only ipv6 --format json 2>/dev/null", &st);
	doc = json_loads(out, 0, NULL);
	rows = json_object_get(doc, "claims");
	assert_int_equal(json_array_size(rows), 1);
	row = json_array_get(rows, 0);
	if (strcmp(json_string_value(json_object_get(row, "verdict")), "holds"))
		print_error("%s\n", out);
	assert_string_equal(json_string_value(json_object_get(row, "verdict")), "holds");
	assert_non_null(strstr(json_string_value(json_object_get(row, "evidence")), "2001:2::"));
	assert_int_equal(st, 0);
	json_decref(doc);
	free(out);
	assert_int_equal(left_behind(), 0);
	assert_root_unchanged();
}

/*
 * A bridge task over IPv6: its hostPort answers through Docker's second
 * docker-proxy, on "::" (the task itself stays IPv4-only); a path that needs
 * the task's own IPv6 address is refused with exit 2, before any lab.
 */
static void test_bridge_hostport(void **state)
{
	json_t *doc, *task, *pids;
	char cmd[160], *out;
	const char *id;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(0, NSB " topo up bridge --ip 4,6 --json 2>/dev/null");
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	free(out);
	id = json_string_value(json_object_get(doc, "lab"));
	task = json_array_get(json_object_get(doc, "tasks"), 0);
	assert_null(json_object_get(task, "address6"));
	pids = json_object_get(task, "docker_proxy_pids");
	/* One binding (tcp), two proxies: 0.0.0.0 and "::". */
	assert_true(json_integer_value(json_object_get(pids, "tcp")) > 0);
	assert_true(json_integer_value(json_object_get(pids, "tcp6")) > 0);
	assert_int_equal(json_integer_value(json_object_get(pids, "udp")), 0);
	out = tl_run(0, NSB " measure bridge tcp_rr --ip 6 --lab %s --duration 0.3 2>&1", id);
	assert_non_null(strstr(out, "bridge ingress ipv6 tcp_rr"));
	free(out);
	/* UDP needs a udp mapping: the lab's task has none (ECS's default protocol). */
	out = tl_run(1, NSB " measure bridge udp_rr --ip 6 --lab %s 2>&1", id);
	assert_non_null(strstr(out, "over tcp only"));
	free(out);
	snprintf(cmd, sizeof(cmd), NSB " topo down %s 2>&1", id);
	free(tl_capture(cmd, &st));
	assert_int_equal(st, 0);
	json_decref(doc);
	out = tl_run(2, NSB " measure bridge tcp_rr --ip 6 --path egress 2>&1");
	assert_non_null(strstr(out, "a bridge task has no IPv6 address of its own"));
	free(out);
	out = tl_run(2, NSB " measure none tcp_rr --ip 6 2>&1");
	assert_non_null(strstr(out, "mode none has no IPv6"));
	free(out);
	assert_int_equal(left_behind(), 0);
}

static int setup(void **state)
{
	tl_setup_group(state);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	tl_teardown_group(state);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bridge_hostport, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_lab_static_and_quiet, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_measure_both, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_claim, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_every_test_ipv6, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_paths_both_families, tl_setup_test,
						tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, setup, teardown);
}
