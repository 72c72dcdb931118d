// SPDX-License-Identifier: MIT
/*
 * What differs between kernels, on the kernel this runs on (root): `make test`
 * runs it on the machine's own kernel and, through scripts/kernel-guest.sh, in
 * a guest of each kernel ECS instances run (5.10, 6.1, 6.12). Deterministic
 * facts only, since an emulated CPU measures nothing real: doctor says every
 * mode is available and a lab of each comes up, shows and goes; a quick run of
 * every mode on every path crosses exactly its typed hops, and every test
 * measures something on every mode; explain's probes
 * attach with the hook this kernel has (tcx from 6.6, clsact before); the
 * deterministic claims hold; the instance profiles' rules load on both iptables
 * backends; a SIGKILLed run and explain leave nothing that
 * `nsbench clean` does not remove. After each: no namespace, state file or BPF
 * program of ours, and the root namespace as it was.
 */
#include "labtest.h"
#include "netns/probe.h"
#include "nsbench/ports.h"
#include <errno.h>
#include <sys/utsname.h>

static const char *const deterministic_claims =
	"awsvpc-own-address,awsvpc-same-port,awsvpc-eni-limit,awsvpc-trunking,awsvpc-flows,"
	"awsvpc-security-group,bridge-static-port,bridge-dynamic-ports,bridge-extra-hop,"
	"bridge-not-addressable,host-port,none-loopback-only,none-isolated,agent-endpoint";

static size_t leftovers_before;

static int setup(void **state)
{
	tl_setup_test(state);
	leftovers_before = clean_count_leftovers();
	return 0;
}

/* Nothing of ours left by the test: labs, BPF probes, the root namespace's state. */
static void assert_nothing_left(void)
{
	assert_int_equal(clean_count_leftovers(), leftovers_before);
	assert_int_equal(tl_probes_settled(), 0);
	assert_root_unchanged();
}

static json_t *parse_or_fail(const char *what, const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);

	if (!doc)
		print_error("%s: not JSON (%s): %.2000s\n", what, jerr.text, text);
	assert_non_null(doc);
	return doc;
}

/* The kernel's major.minor as one number: 6.6 -> 606. */
static int kernel_version(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &major, &minor);
	return major * 100 + minor;
}

static void test_doctor(void **state)
{
	char *out;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_capture(NSB " doctor 2>&1", &st);
	print_message("%s", strstr(out, "modes:") ? strstr(out, "modes:") : out);
	for (int m = 0; m < MODE_COUNT; m++) {
		char line[64];

		snprintf(line, sizeof(line), "  %-15s available\n",
			 lab_mode_name((enum lab_mode)m));
		if (!strstr(out, line))
			print_error("doctor does not say: %s", line);
		assert_non_null(strstr(out, line));
	}
	assert_non_null(strstr(out, "kernel: BPF tc classifier    ok"));
	assert_int_equal(st, 0);
	free(out);
	assert_nothing_left();
}

/* topo up, show and down of every mode, with two tasks where the mode holds two. */
static void test_topo_every_mode(void **state)
{
	static const struct {
		const char *mode, *args;
		size_t tasks;
	} cases[] = {
		{"awsvpc", "--tasks 2", 2},
		{"bridge", "--tasks 2 --port 5201,5202", 2},
		{"bridge-dynamic", "--tasks 2", 2},
		{"host", "", 1},
		{"none", "", 1},
	};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cmd[256], id[LAB_ID_LEN + 1];
		json_t *doc;
		char *out;
		int st;

		snprintf(cmd, sizeof(cmd), NSB " topo up %s %s --json", cases[i].mode,
			 cases[i].args);
		out = tl_capture(cmd, &st);
		if (st)
			print_error("%s: exit %d\n", cmd, st);
		assert_int_equal(st, 0);
		doc = parse_or_fail(cmd, out);
		free(out);
		snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(doc, "lab")));
		assert_int_equal(strlen(id), LAB_ID_LEN);
		assert_int_equal(json_array_size(json_object_get(doc, "tasks")), cases[i].tasks);
		json_decref(doc);

		out = tl_run(0, NSB " topo show %s", id);
		assert_non_null(strstr(out, id));
		assert_non_null(strstr(out, cases[i].mode));
		free(out);

		snprintf(cmd, sizeof(cmd), NSB " topo down %s 2>&1", id);
		out = tl_capture(cmd, &st);
		if (st)
			print_error("%s: exit %d: %s\n", cmd, st, out);
		assert_int_equal(st, 0);
		free(out);
		assert_int_equal(tl_leftovers(id), 0);
	}
	assert_nothing_left();
}

/*
 * `nsbench run --quick ARGS` into the scratch folder, which must pass: its
 * results document, whose NRESULTS results each measured something.
 */
static json_t *quick_run(const char *args, size_t nresults)
{
	json_t *doc, *results, *r;
	char cmd[512], *out;
	size_t i;
	int st;

	snprintf(cmd, sizeof(cmd), NSB " run --quick %s --out %s --json 2>/dev/null", args, tl_dir);
	out = tl_capture(cmd, &st);
	doc = parse_or_fail("run", out);
	free(out);
	if (st)
		print_error("run %s: exit %d, errors: %s\n", args, st,
			    json_dumps(json_object_get(doc, "errors"), 0));
	assert_int_equal(st, 0);
	results = json_object_get(doc, "results");
	assert_int_equal(json_array_size(results), nresults);
	json_array_foreach(results, i, r) {
		json_t *sum = json_object_get(r, "summary");

		if (!json_object_size(sum))
			print_error("no summary: %s\n", json_dumps(r, 0));
		assert_true(json_object_size(sum) > 0);
	}
	return doc;
}

/* Every mode on every path: each hot path crosses exactly the hops its lab types. */
static void test_run_every_path(void **state)
{
	static const char *const modes[] = {"awsvpc", "bridge", "bridge-dynamic", "host"};
	static const char *const paths[] = {"ingress", "egress", "intra-host"};
	json_t *doc, *hot;

	(void)state;
	SKIP_UNLESS_ROOT();
	/* Four modes on three paths and none on its loopback, three tests each. */
	doc = quick_run("--paths ingress,egress,intra-host --tests tcp_stream,tcp_rr,tcp_crr",
			(4 * 3 + 1) * 3);
	hot = json_object_get(doc, "hot_paths");
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
			char key[64];
			json_t *hp;

			snprintf(key, sizeof(key), "%s/%s", modes[m], paths[p]);
			hp = json_object_get(hot, key);
			if (!hp || !json_is_true(json_object_get(hp, "ok")))
				print_error("%s: %s\n", key, hp ? json_dumps(hp, 0) : "missing");
			assert_non_null(hp);
			assert_true(json_is_true(json_object_get(hp, "ok")));
			assert_true(json_equal(json_object_get(hp, "hops"),
					       json_object_get(hp, "expected_hops")));
			assert_true(json_array_size(json_object_get(hp, "hops")) >= 1);
		}
	assert_true(json_is_true(json_object_get(json_object_get(hot, "none/loopback"), "ok")));
	assert_int_equal(json_object_size(hot), 4 * 3 + 1);
	/*
	 * run's window on this kernel: 2 MiB, or rmem_max/wmem_max where less
	 * (212992 where the kernel keeps the old default), granted twice over.
	 */
	{
		long expect = 2 << 20, v;
		const char *const caps[] = {"/proc/sys/net/core/rmem_max",
					    "/proc/sys/net/core/wmem_max"};
		json_t *r;
		size_t i;

		for (size_t k = 0; k < 2; k++) {
			FILE *f = fopen(caps[k], "re");

			assert_non_null(f);
			assert_int_equal(fscanf(f, "%ld", &v), 1);
			fclose(f);
			if (v < expect)
				expect = v;
		}
		assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "config"),
								    "stream_window_bytes")),
				 expect);
		json_array_foreach(json_object_get(doc, "results"), i, r) {
			json_t *m = json_object_get(json_array_get(json_object_get(r, "reps"), 0),
						    "metrics");

			if (!strcmp(json_string_value(json_object_get(r, "test")), "tcp_stream"))
				assert_int_equal(
					json_integer_value(json_object_get(m, "rcvbuf_bytes")),
					2 * expect);
		}
	}
	/*
	 * tcp_crr widens the client's ephemeral ports, keeping the servers' block out:
	 * host mode's intra-host server binds 5202 in the namespace whose egress
	 * client made thousands of connections just before.
	 */
	{
		json_t *r;
		size_t i;

		json_array_foreach(json_object_get(doc, "results"), i, r) {
			json_t *sys = json_object_get(json_array_get(json_object_get(r, "reps"), 0),
						      "client_sysctls");

			if (strcmp(json_string_value(json_object_get(r, "test")), "tcp_crr"))
				continue;
			assert_string_equal(json_string_value(json_object_get(
						    sys, "net.ipv4.ip_local_reserved_ports")),
					    NSB_PORTS_RESERVED);
		}
	}
	json_decref(doc);
	assert_nothing_left();
}

/* The tests the run above leaves out, on every mode's ingress path: each measures something. */
static void test_run_every_test(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	/* Four modes with an ingress path and none on its loopback, four tests each. */
	json_decref(
		quick_run("--no-hot-path --tests tcp_stream_par,tcp_reverse,udp,udp_rr", 5 * 4));
	assert_nothing_left();
}

/* explain's probes attach with what this kernel has: tcx from 6.6, clsact before. */
static void test_explain_hook(void **state)
{
	const char *want = kernel_version() >= 606 ? "tcx" : "clsact";
	json_t *doc;
	char *out;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(0, NSB " explain bridge --no-ladder --transactions 500 --json "
			    "2>/dev/null");
	doc = parse_or_fail("explain", out);
	free(out);
	out = json_dumps(doc, 0);
	print_message("explain bridge: probes on %s\n", want);
	{
		char hook[64];

		snprintf(hook, sizeof(hook), "\"probe_hook\": \"%s\"", want);
		if (!strstr(out, hook))
			print_error("no %s in %.1500s\n", hook, out);
		assert_non_null(strstr(out, hook));
	}
	free(out);
	json_decref(doc);
	assert_nothing_left();
}

static void test_deterministic_claims(void **state)
{
	json_t *doc, *rows, *row;
	char cmd[512], *out;
	size_t i;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	snprintf(cmd, sizeof(cmd), NSB " claims --only %s --format json 2>/dev/null",
		 deterministic_claims);
	out = tl_capture(cmd, &st);
	doc = parse_or_fail("claims", out);
	rows = json_object_get(doc, "claims");
	free(out);
	assert_int_equal(json_array_size(rows), 14);
	json_array_foreach(rows, i, row) {
		const char *id = json_string_value(json_object_get(row, "id"));
		const char *v = json_string_value(json_object_get(row, "verdict"));

		const char *ev = json_string_value(json_object_get(row, "evidence"));

		print_message("%s: %s\n", id, v);
		/* Trunking needs 802.1Q: where the kernel lacks it, the claim says so. */
		if (!strcmp(id, "awsvpc-trunking") && !strcmp(v, "cannot check")) {
			assert_non_null(strstr(ev, "8021q"));
			continue;
		}
		if (strcmp(v, "holds"))
			print_error("%s: %s: %s\n", id, v, ev);
		assert_string_equal(v, "holds");
	}
	assert_int_equal(st, 0);
	json_decref(doc);
	assert_nothing_left();
}

/*
 * The instance profiles' rules load with this kernel's netfilter (modules on
 * Debian's kernels): Docker's per-binding DNAT and FORWARD policy in the
 * profile's backend, nothing in the other one.
 */
static void test_instance_backends(void **state)
{
	static const enum lab_instance profiles[] = {INSTANCE_AL2023, INSTANCE_AL2};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t k = 0; k < 2; k++) {
		struct lab *lab = tl_lab_new_as(0, profiles[k]);
		char cmd[160], *mine, *other;
		int st;

		assert_int_equal(lab_plan_task(lab, MODE_BRIDGE, 5201), 0);
		if (lab_up(lab) == -EPERM && profiles[k] == INSTANCE_AL2) {
			/*
			 * Before 5.13, loading the legacy table modules would put tables in
			 * the root namespace: al2 refuses to. This guest is disposable, so
			 * the test loads them itself, as a user who accepts that would, and
			 * the root namespace's state is noted again after.
			 */
			print_message("al2 refused: %s\n", lab->err);
			assert_non_null(strstr(lab->err, "before Linux 5.13"));
			assert_int_equal(tl_leftovers(lab->id), 0);
			/* The kernel's own modprobe: a guest's finds the guest kernel's modules. */
			assert_int_equal(system("m=$(cat /proc/sys/kernel/modprobe) && "
						"$m iptable_filter && $m iptable_nat && $m ip6table_filter"),
					 0);
			free(tl_root_before);
			tl_root_before = tl_root_snapshot();
			lab_free(lab);
			free(lab);
			lab = tl_lab_new_as(0, profiles[k]);
			assert_int_equal(lab_plan_task(lab, MODE_BRIDGE, 5201), 0);
			assert_int_equal(lab_up(lab), 0);
		}
		if (!lab->up)
			print_error("lab_up: %s\n", lab->err);
		assert_true(lab->up);

		snprintf(cmd, sizeof(cmd), "ip netns exec %s %s 2>/dev/null", lab->ns_inst,
			 k ? "iptables-legacy-save" : "iptables-nft-save");
		mine = tl_capture(cmd, &st);
		snprintf(cmd, sizeof(cmd), "ip netns exec %s %s 2>/dev/null | grep -v '^#'",
			 lab->ns_inst, k ? "iptables-nft-save" : "iptables-legacy-save");
		other = tl_capture(cmd, &st);
		print_message("%s: %zu bytes of rules, the other backend %zu\n",
			      lab_instance_name(profiles[k]), strlen(mine), strlen(other));
		assert_non_null(strstr(mine, ":FORWARD DROP"));
		assert_non_null(strstr(mine,
				       "-A DOCKER ! -i ecs0 -p tcp -m tcp --dport 5201 -j DNAT "
				       "--to-destination 198.19.0.2:5201"));
		assert_non_null(strstr(mine,
				       "-A PREROUTING -d 169.254.170.2/32 -p tcp -m tcp --dport "
				       "80 -j DNAT --to-destination 127.0.0.1:51679"));
		assert_string_equal(other, "");
		free(mine);
		free(other);
		tl_lab_done(lab);
	}
	assert_nothing_left();
}

/*
 * ENI trunking: VLAN branches of one trunk ENI, on a kernel whose 8021q is a
 * module (Debian's: the guests); task to task goes out through the trunk and
 * back in. A kernel without that module (this machine's own) refuses, naming it.
 */
static void test_trunking(void **state)
{
	static const char *const in[] = {"vpc:vpc0", "vpc:sw-vl-t1", "vpc:sw-trunk0",
					 "inst:trunk0", "t1:eth0"};
	/* Each interface once, in the order first met: the trunk carries both ways. */
	static const char *const intra[] = {"t1:eth0",	    "inst:trunk0",  "vpc:sw-trunk0",
					    "vpc:sw-vl-t1", "vpc:sw-vl-t2", "t2:eth0"};
	static const char *const out[] = {"t1:eth0", "inst:trunk0", "vpc:sw-trunk0",
					  "vpc:sw-vl-t1", "vpc:vpc0"};
	static const char *const local[] = {"inst:eth0",     "vpc:sw-eth0", "vpc:sw-vl-t1",
					    "vpc:sw-trunk0", "inst:trunk0", "t1:eth0"};
	static const struct {
		enum lab_path p;
		const char *const *hops;
		size_t n;
	} paths[] = {{PATH_INGRESS, in, 5},
		     {PATH_EGRESS, out, 5},
		     {PATH_LOCAL, local, 6},
		     {PATH_INTRA_HOST, intra, 6}};
	struct lab *lab = tl_lab_new(0);
	struct utsname u;
	char dir[300];
	int ret;

	(void)state;
	SKIP_UNLESS_ROOT();
	uname(&u);
	snprintf(dir, sizeof(dir), "/lib/modules/%s/kernel/net/8021q", u.release);
	lab->cfg.trunking = true;
	/* A security group on the trunk: each task's own port only. */
	lab->cfg.security_group = true;
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5201), 0);
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5202), 0);
	ret = lab_up(lab);
	if (ret && access(dir, F_OK)) {
		print_message("no 8021q module here: %s\n", lab->err);
		assert_non_null(strstr(lab->err, "CONFIG_VLAN_8021Q"));
		lab_free(lab);
		free(lab);
		assert_nothing_left();
		return;
	}
	if (ret)
		print_error("lab_up: %s\n", lab->err);
	assert_int_equal(ret, 0);
	/* The security group on the trunk lets the task's port through and stops another. */
	assert_int_not_equal(probe_tcp(lab->tasks[0].ns, "0.0.0.0", 5299, lab->ns_vpc,
				       lab->tasks[0].addr, 5299, 300),
			     0);
	for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
		json_t *hp = tl_hot_path(lab, paths[k].p), *hops = json_object_get(hp, "hops");
		char *got = json_dumps(hops, JSON_COMPACT);

		print_message("%s: %s %s\n", path_name(paths[k].p), got,
			      json_string_value(json_object_get(hp, "problem")) ?: "");
		free(got);
		assert_int_equal(json_array_size(hops), paths[k].n);
		for (size_t i = 0; i < paths[k].n; i++)
			assert_string_equal(json_string_value(json_array_get(hops, i)),
					    paths[k].hops[i]);
		assert_true(json_is_true(json_object_get(hp, "ok")));
		json_decref(hp);
	}
	tl_lab_done(lab);
	assert_nothing_left();
}

/*
 * A dual-stack lab on this kernel: IPv6 enabled only where an address goes,
 * quietly (no DAD, RA or solicitations: sysctls older kernels may lack), and
 * awsvpc's and host's ingress over IPv6 crossing the hops IPv4 does.
 */
static void test_ipv6(void **state)
{
	static const enum lab_mode modes[] = {MODE_AWSVPC, MODE_HOST};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t m = 0; m < 2; m++) {
		struct lab *lab = calloc(1, sizeof(*lab));
		json_t *v4, *v6 = NULL;
		struct lab_config cfg;
		struct bench_opts bo;
		char why[512];
		int ret;

		assert_non_null(lab);
		lab_config_default(&cfg);
		cfg.dual_stack = true;
		assert_int_equal(lab_init(lab, &cfg, "test"), 0);
		assert_int_equal(lab_plan_task(lab, modes[m], 5201), 0);
		if (lab_up(lab))
			print_error("lab_up: %s\n", lab->err);
		assert_true(lab->up);
		v4 = tl_hot_path(lab, PATH_INGRESS);
		bench_opts_default(&bo);
		assert_int_equal(bench_cpus_resolve(&bo.cpus), 0);
		ret = hotpath_probe_family(lab, &lab->tasks[0], PATH_INGRESS, FAMILY_IPV6, &bo, &v6,
					   why, sizeof(why));
		if (ret)
			print_error("%s\n", why);
		assert_int_equal(ret, 0);
		assert_true(json_is_true(json_object_get(v6, "ok")));
		assert_true(json_equal(json_object_get(v4, "hops"), json_object_get(v6, "hops")));
		json_decref(v4);
		json_decref(v6);
		tl_lab_done(lab);
	}
	assert_nothing_left();
}

/* A run and an explain (probes attached) killed outright: clean removes what they left. */
static void test_sigkill_then_clean(void **state)
{
	static const char *const cases[] = {
		"NSBENCH_KILL_AT=run:measure:tcp_rr:9 " NSB_TEST
		" run --quick --modes bridge,awsvpc --tests tcp_rr --out",
		"NSBENCH_KILL_AT=per-hop:attached:9 " NSB_TEST
		" explain bridge --no-ladder --transactions 200",
	};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cmd[512], *out;
		int st;

		snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1; echo \"exit $?\"", cases[i],
			 strstr(cases[i], "--out") ? tl_dir : "");
		out = tl_capture(cmd, &st);
		if (!strstr(out, "exit 137"))
			print_error("%s: %s\n", cases[i], out);
		assert_non_null(strstr(out, "exit 137"));
		free(out);
		assert_true(clean_count_leftovers() > leftovers_before);
		out = tl_run(0, NSB " clean 2>&1");
		free(out);
		assert_nothing_left();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_doctor, setup, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_topo_every_mode, setup, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_every_path, setup, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_every_test, setup, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_explain_hook, setup, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_deterministic_claims, setup, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_instance_backends, setup, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_trunking, setup, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_ipv6, setup, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_sigkill_then_clean, setup, tl_teardown_test),
	};
	int ret;

	tl_tmpdir_setup(NULL);
	tl_filter_from_env();
	ret = cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
	tl_tmpdir_teardown(NULL);
	return ret;
}
