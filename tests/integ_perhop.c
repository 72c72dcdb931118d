// SPDX-License-Identifier: MIT
/*
 * Where the time goes (root): the typed path is what the counters measure,
 * the per-hop probes stamp every hop of it, the segments add up to the
 * engine's round trip, the lab variants of explain's ladder are what they
 * say, jumbo frames stop at the bridge, and a kernel without BPF is named.
 * Probes left behind by explain are covered by the kill matrix (integ_kill).
 */
#include <math.h>
#include <time.h>

#include "labtest.h"
#include "bench/hopprobe.h"
#include "harness/lab/clean.h"
#include "harness/lab/mode.h"
#include "harness/measure/hotpath.h"
#include "harness/measure/perhop.h"
#include "netns/probe.h"

/* The route's interfaces, each once, as "role:ifname": what the counters report. */
static json_t *route_labels(const struct lab *lab, const struct lab_task *t,
			    const struct lab_task *peer, enum lab_path p)
{
	struct lab_route r;
	json_t *out = json_array();
	char label[48], last[48] = "";

	assert_int_equal(mode_route(lab, t, peer, p, &r), 0);
	for (unsigned int i = 0; i < r.n; i++) {
		hop_label(&r.hop[i].iface, label, sizeof(label));
		if (strcmp(label, last))
			json_array_append_new(out, json_string(label));
		snprintf(last, sizeof(last), "%s", label);
	}
	return out;
}

/* For every mode and path: the hops the packet counters see are the typed route's. */
static void test_typed_path_is_measured(void **state)
{
	static const struct {
		enum lab_mode mode;
		enum lab_path paths[2];
		unsigned int n;
	} cases[] = {
		{MODE_AWSVPC, {PATH_INGRESS, PATH_EGRESS}, 2},
		{MODE_BRIDGE, {PATH_INGRESS, PATH_EGRESS}, 2},
		{MODE_BRIDGE_DYNAMIC, {PATH_INGRESS, PATH_EGRESS}, 2},
		{MODE_HOST, {PATH_INGRESS, PATH_EGRESS}, 2},
		{MODE_NONE, {PATH_LOOPBACK}, 1},
	};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct lab *lab = tl_lab_with(cases[c].mode);

		for (unsigned int k = 0; k < cases[c].n; k++) {
			json_t *hp = tl_hot_path(lab, cases[c].paths[k]);
			json_t *want = route_labels(lab, &lab->tasks[0], NULL, cases[c].paths[k]);

			if (!json_equal(json_object_get(hp, "hops"), want)) {
				char *a = json_dumps(json_object_get(hp, "hops"), JSON_COMPACT);
				char *b = json_dumps(want, JSON_COMPACT);

				print_error("%s %s: counted %s, typed %s\n",
					    lab_mode_name(cases[c].mode),
					    path_name(cases[c].paths[k]), a, b);
				free(a);
				free(b);
			}
			assert_true(json_equal(json_object_get(hp, "hops"), want));
			assert_true(json_is_true(json_object_get(hp, "ok")));
			json_decref(want);
			json_decref(hp);
		}
		tl_lab_done(lab);
	}
	assert_root_unchanged();
}

static json_t *per_hop(struct lab *lab, enum bench_test test)
{
	struct perhop_opts po;
	struct bench_opts bo;
	json_t *ph = NULL;
	char why[512];
	int ret;

	bench_opts_default(&bo);
	assert_int_equal(bench_cpus_resolve(&bo.cpus), 0);
	perhop_opts_default(&po);
	po.test = test;
	ret = perhop_measure(lab, &lab->tasks[0], PATH_INGRESS, &bo, &po, &ph, why, sizeof(why));
	if (ret)
		print_error("%s\n", why);
	assert_int_equal(ret, 0);
	return ph;
}

/* Every hop stamped for >= 99% of 2000 transactions; nothing runs backwards; the sums agree. */
static void check_waterfall(json_t *ph, const struct lab *lab)
{
	json_t *h, *want = route_labels(lab, &lab->tasks[0], NULL, PATH_INGRESS), *sums;
	double seg, e2e;
	size_t i;

	assert_int_equal(json_integer_value(json_object_get(ph, "transactions")),
			 PERHOP_TRANSACTIONS);
	assert_int_equal(json_array_size(json_object_get(ph, "hops")), json_array_size(want));
	json_array_foreach(json_object_get(ph, "hops"), i, h) {
		double cov = json_number_value(json_object_get(h, "coverage"));

		assert_string_equal(json_string_value(json_object_get(h, "hop")),
				    json_string_value(json_array_get(want, i)));
		if (cov < 0.99)
			print_error("%s: %.1f%% stamped\n",
				    json_string_value(json_object_get(h, "hop")), 100 * cov);
		assert_true(cov >= 0.99);
	}
	assert_int_equal(json_integer_value(json_object_get(ph, "negative_segments")), 0);
	/* client send, 2 per hop, server receive/send, client receive: 2n + 3 segments */
	assert_int_equal(json_array_size(json_object_get(ph, "segments")),
			 2 * json_array_size(want) + 3);
	/*
	 * The segments of a transaction telescope to its round trip, so the sum of their
	 * means is the mean round trip: an identity, whatever the machine's load. (The
	 * sum of medians against the engine's median is a figure for explain, not a fact:
	 * on a busy machine they part by more than 10%.)
	 */
	sums = json_object_get(ph, "sums");
	seg = json_number_value(json_object_get(sums, "segments_mean_us"));
	e2e = json_number_value(json_object_get(json_object_get(ph, "round_trip_us"), "mean_us"));
	if (fabs(seg - e2e) > 1e-6 * e2e)
		print_error("segments' means sum to %.4f us, the round trips' mean %.4f us\n", seg,
			    e2e);
	assert_true(e2e > 0 && fabs(seg - e2e) <= 1e-6 * e2e);
	assert_true(json_number_value(json_object_get(sums, "engine_p50_us")) > 0);
	json_decref(want);
}

static void test_per_hop_bridge_and_host(void **state)
{
	struct lab *lab;
	json_t *bridge, *host, *tcp;

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_with(MODE_BRIDGE);
	bridge = per_hop(lab, TEST_UDP_RR);
	check_waterfall(bridge, lab);
	tcp = per_hop(lab, TEST_TCP_RR);
	check_waterfall(tcp, lab);
	tl_lab_done(lab);
	assert_int_equal(hopprobe_loaded(), 0);

	lab = tl_lab_with(MODE_HOST);
	host = per_hop(lab, TEST_UDP_RR);
	check_waterfall(host, lab);
	tl_lab_done(lab);
	/* Host mode crosses fewer hops: fewer segments. */
	assert_true(json_array_size(json_object_get(host, "segments")) <
		    json_array_size(json_object_get(bridge, "segments")));
	json_decref(bridge);
	json_decref(tcp);
	json_decref(host);
	assert_int_equal(hopprobe_loaded(), 0);
	assert_root_unchanged();
}

/*
 * explain's ladder: the routed veth has no bridge, the bridge step no
 * nftables, the conntrack step tracks without translating, and every step
 * before DNAT is reached at the task's own address. The counters say so.
 */
static void test_ladder_variants(void **state)
{
	static const struct {
		enum lab_variant v;
		const char *hops[6];
		unsigned int n;
	} cases[] = {
		{LAB_VARIANT_VETH,
		 {"vpc:vpc0", "vpc:sw-eth0", "inst:eth0", "inst:veth-t1", "t1:eth0"},
		 5},
		{LAB_VARIANT_BRIDGE,
		 {"vpc:vpc0", "vpc:sw-eth0", "inst:eth0", "inst:ecs0", "inst:veth-t1", "t1:eth0"},
		 6},
		{LAB_VARIANT_CONNTRACK,
		 {"vpc:vpc0", "vpc:sw-eth0", "inst:eth0", "inst:ecs0", "inst:veth-t1", "t1:eth0"},
		 6},
	};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct lab *lab = calloc(1, sizeof(*lab));
		struct lab_config cfg;
		json_t *hp, *hops;

		lab_config_default(&cfg);
		cfg.variant = cases[c].v;
		assert_int_equal(lab_init(lab, &cfg, "test"), 0);
		assert_int_equal(lab_plan_task(lab, MODE_BRIDGE, 5201), 0);
		if (lab_up(lab))
			print_error("%s: %s\n", lab_variant_name(cases[c].v), lab->err);
		assert_true(lab->up);
		/* No hostPort before DNAT: the task's own address and port. */
		assert_string_equal(lab->tasks[0].ep_addr, lab->tasks[0].addr);
		assert_int_equal(lab->tasks[0].host_port, 0);
		hp = tl_hot_path(lab, PATH_INGRESS);
		hops = json_object_get(hp, "hops");
		assert_int_equal(json_array_size(hops), cases[c].n);
		for (unsigned int i = 0; i < cases[c].n; i++)
			assert_string_equal(json_string_value(json_array_get(hops, i)),
					    cases[c].hops[i]);
		/* Only the conntrack step has a table, and it tracks the flow. */
		if (cases[c].v == LAB_VARIANT_CONNTRACK)
			assert_true(json_integer_value(json_object_get(hp, "conntrack_entries")) >=
				    1);
		else
			assert_null(json_object_get(hp, "nft"));
		json_decref(hp);
		tl_lab_done(lab);
	}
	assert_root_unchanged();
}

/* --vpc-mtu 9001: the VPC finds 9001 to awsvpc and host tasks, 1500 to a bridge task. */
static void test_vpc_mtu(void **state)
{
	static const enum lab_mode modes[] = {MODE_AWSVPC, MODE_HOST, MODE_BRIDGE};
	static const unsigned int want[] = {9001, 9001, 1500};
	struct lab *lab = calloc(1, sizeof(*lab));
	struct lab_config cfg;
	char *out;

	(void)state;
	SKIP_UNLESS_ROOT();
	lab_config_default(&cfg);
	cfg.vpc_mtu = 9001;
	/* The path MTU probe is UDP: bridge's port mapped over udp too. */
	cfg.publish_udp = true;
	assert_int_equal(lab_init(lab, &cfg, "test"), 0);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(lab_plan_task(lab, modes[i], (uint16_t)(5201 + i)), 0);
	assert_int_equal(lab_up(lab), 0);
	for (unsigned int i = 0; i < 3; i++) {
		struct lab_task *t = &lab->tasks[i];
		unsigned int mtu = 0;

		assert_int_equal(probe_path_mtu(t->ns,
						t->mode == MODE_HOST ? lab->inst_addr : "0.0.0.0",
						t->container_port, t->client_ns, t->ep_addr,
						t->ep_port, &mtu),
				 0);
		assert_int_equal(mtu, want[i]);
	}
	tl_lab_done(lab);

	/* The claim row, through the CLI. */
	out = tl_run(0, NSB " claims --only jumbo-frames --format json");
	assert_non_null(strstr(out, "\"holds\""));
	assert_non_null(strstr(out, "awsvpc 9001, host 9001, bridge 1500"));
	free(out);
	assert_root_unchanged();
}

/* A kernel without BPF (a test build pretends): explain names it and exits 1; measure still works.
 */
static void test_no_bpf(void **state)
{
	size_t before;
	char *out;

	(void)state;
	SKIP_UNLESS_ROOT();
	before = clean_count_leftovers();
	out = tl_run(1, "NSBENCH_BREAK=no-bpf " NSB_TEST " explain bridge 2>&1");
	assert_non_null(strstr(out, "BPF system call"));
	free(out);
	out = tl_run(1, "NSBENCH_BREAK=no-bpf " NSB_TEST " measure host tcp_rr --duration 0.2 "
			"--per-hop 2>&1");
	assert_non_null(strstr(out, "BPF system call"));
	free(out);
	out = tl_run(0, "NSBENCH_BREAK=no-bpf " NSB_TEST " measure host tcp_rr --duration 0.2 "
			"2>&1");
	free(out);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

/*
 * A kernel without tcx (the test build pretends): the probes go on clsact and
 * measure the same; killed there, they stay attached in the lab's namespaces
 * until `nsbench clean` deletes those. With tcx they die with the process.
 */
static void test_clsact_and_kill(void **state)
{
	size_t before;
	json_t *doc, *h;
	char *out;
	size_t i;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	before = clean_count_leftovers();
	out = tl_run(0, "NSBENCH_BREAK=no-tcx " NSB_TEST " explain bridge --no-ladder --json");
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(doc, "waterfall"), "probe_hook")),
		"clsact");
	json_array_foreach(json_object_get(json_object_get(doc, "waterfall"), "hops"), i, h)
		assert_true(json_number_value(json_object_get(h, "coverage")) >= 0.99);
	json_decref(doc);
	free(out);
	assert_int_equal(tl_probes_settled(), 0);

	/* SIGKILL with the probes on clsact: they outlive the process, not `clean`. */
	out = tl_capture("NSBENCH_BREAK=no-tcx NSBENCH_KILL_AT=per-hop:attached:9 " NSB_TEST " "
			 "explain bridge --no-ladder 2>&1; echo \"exit $?\"",
			 &st);
	assert_non_null(strstr(out, "exit 137"));
	free(out);
	assert_true(hopprobe_loaded() > 0);
	out = tl_run(0, NSB " clean 2>&1");
	free(out);
	assert_int_equal(tl_probes_settled(), 0);
	assert_int_equal(clean_count_leftovers(), before);

	/* The same kill with tcx links: no program outlives the process, even before clean. */
	out = tl_capture("NSBENCH_KILL_AT=per-hop:attached:9 " NSB_TEST " explain bridge "
			 "--no-ladder 2>&1; echo \"exit $?\"",
			 &st);
	assert_non_null(strstr(out, "exit 137"));
	free(out);
	assert_int_equal(tl_probes_settled(), 0);
	out = tl_run(0, NSB " clean 2>&1");
	free(out);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

/* explain without its ladder, through the CLI: a waterfall, then nothing of it left. */
static void test_explain_cli(void **state)
{
	size_t before;
	json_t *doc;
	char *out;

	(void)state;
	SKIP_UNLESS_ROOT();
	before = clean_count_leftovers();
	out = tl_run(0, NSB " explain bridge --no-ladder --transactions 500 --json");
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(
		json_array_size(json_object_get(json_object_get(doc, "waterfall"), "hops")), 6);
	assert_null(json_object_get(doc, "ladder"));
	assert_int_equal(json_dump_file(doc, "/tmp/nsbench-perhop-test.json", 0), 0);
	json_decref(doc);
	free(out);
	/* The same as an SVG waterfall: valid XML, every segment named. */
	out = tl_run(0, "./scripts/waterfall.sh /tmp/nsbench-perhop-test.json "
			"/tmp/nsbench-perhop-test.svg >/dev/null && "
			"xmllint --noout /tmp/nsbench-perhop-test.svg && "
			"grep -c -e '-&gt; server receive' -e '-> server receive' "
			"/tmp/nsbench-perhop-test.svg");
	assert_true(atoi(out) >= 1);
	free(out);
	unlink("/tmp/nsbench-perhop-test.json");
	unlink("/tmp/nsbench-perhop-test.svg");

	/* One transaction in 4 stamped: a quarter traced, each of them at every hop. */
	out = tl_run(0, NSB " explain host --no-ladder --transactions 400 --sample-every 4 "
			    "--json");
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	{
		json_t *w = json_object_get(doc, "waterfall"), *h;
		size_t i;

		assert_int_equal(json_integer_value(json_object_get(w, "sample_every")), 4);
		assert_int_equal(json_integer_value(json_object_get(w, "sampled")), 100);
		json_array_foreach(json_object_get(w, "hops"), i, h)
			assert_true(json_number_value(json_object_get(h, "coverage")) >= 0.99);
	}
	json_decref(doc);
	free(out);
	assert_int_equal(hopprobe_loaded(), 0);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

/* On an emulated CPU (the test build's NSBENCH_BREAK=tcg) the ladder decides nothing. */
static void test_explain_emulated(void **state)
{
	json_t *doc, *v;
	char *out;
	size_t n = 0;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(0, "NSBENCH_BREAK=tcg " NSB_TEST " explain awsvpc --rounds 2 --duration 1 "
			"--rr-duration 0.1 --transactions 200 --json 2>/dev/null");
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	free(out);
	out = json_dumps(json_object_get(doc, "ladder"), 0);
	assert_non_null(out);
	/* Every step's metrics say "emulated", none says what more rounds would settle. */
	for (const char *p = out; (p = strstr(p, "\"verdict\"")); p++)
		n++;
	{
		size_t emulated = 0;

		for (const char *p = out; (p = strstr(p, "\"emulated\"")); p++)
			emulated++;
		assert_int_equal(emulated, n);
	}
	assert_true(n >= 3);
	assert_null(strstr(out, "rounds_needed"));
	v = json_object_get(doc, "ladder");
	assert_non_null(v);
	free(out);
	json_decref(doc);
	assert_int_equal(hopprobe_loaded(), 0);
	assert_root_unchanged();
}

/*
 * explain --schedule duet: each step measured at the same time as the one
 * before it, each side on a CPU of its own: every step's server ran on the
 * CPU the round gave it (read back from its affinity), and the CPUs swap
 * every round. Under one CPU it is refused with exit 2.
 */
static void test_explain_duet(void **state)
{
	json_t *doc, *lad, *cpus, *s;
	char *out;
	size_t i;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(0, NSB " explain awsvpc --instance bare --schedule duet --rounds 2 "
			    "--duration 1 --rr-duration 0.1 --transactions 200 --json 2>/dev/null");
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	free(out);
	lad = json_object_get(doc, "ladder");
	assert_string_equal(json_string_value(json_object_get(lad, "schedule")), "duet");
	assert_int_equal(json_integer_value(json_object_get(lad, "rounds")), 2);
	cpus = json_object_get(lad, "duet_cpus");
	assert_int_equal(json_array_size(cpus), 2);
	assert_int_not_equal(json_integer_value(json_array_get(cpus, 0)),
			     json_integer_value(json_array_get(cpus, 1)));
	/* host -> +ENI -> +security group: two steps, each with its figures. */
	assert_int_equal(json_array_size(json_object_get(lad, "steps")), 2);
	json_array_foreach(json_object_get(lad, "steps"), i, s) {
		json_t *c = json_object_get(s, "cpu");

		assert_int_equal(json_array_size(c), 2);
		/* Round 0: the step on the second CPU; round 1: on the first. */
		assert_int_equal(json_integer_value(json_array_get(c, 0)),
				 json_integer_value(json_array_get(cpus, 1)));
		assert_int_equal(json_integer_value(json_array_get(c, 1)),
				 json_integer_value(json_array_get(cpus, 0)));
		assert_true(json_number_value(json_object_get(
				    json_object_get(s, "tcp_rr_p50_us"), "to")) > 0);
	}
	assert_int_equal(json_array_size(json_object_get(json_object_get(lad, "total"), "cpu")),
			 2);
	json_decref(doc);
	assert_int_equal(hopprobe_loaded(), 0);
	assert_root_unchanged();

	out = tl_run(2, "taskset -c 0 " NSB " explain bridge --schedule duet 2>&1");
	assert_non_null(strstr(out, "CPU"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_typed_path_is_measured, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_per_hop_bridge_and_host, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_ladder_variants, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_vpc_mtu, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_no_bpf, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_explain_cli, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_explain_emulated, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_explain_duet, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_clsact_and_kill, tl_setup_test,
						tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
