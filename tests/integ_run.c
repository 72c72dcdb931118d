// SPDX-License-Identifier: MIT
/*
 * The product end to end (root): the hop list of every mode measured on a
 * real lab, a wrong path caught, `nsbench run --quick` writing a valid,
 * sane results file and leaving nothing behind, an unwritable output
 * directory refused up front, and an interrupted run writing nothing.
 */
#include "labtest.h"
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <time.h>

#include "bench/stream.h"
#include "harness/lab/clean.h"
#include "harness/lab/lab.h"
#include "harness/measure/hotpath.h"
#include "harness/reports/results.h"

static char dir[] = "/tmp/nsbench-run-XXXXXX";

/*
 * The measured hops are WANT, in order. Request and response: 2 packets per
 * transaction on each, 4 where both cross it twice: lo (each packet sent and
 * received) and a WANT entry marked "*2" (ecs0 routing back out of itself).
 */
static void expect_hops(json_t *hp, const char *const *want, size_t n)
{
	json_t *hops = json_object_get(hp, "hops");

	if (json_array_size(hops) != n) {
		char *s = json_dumps(hops, JSON_COMPACT);

		print_error("measured hops %s\n", s);
		free(s);
	}
	assert_int_equal(json_array_size(hops), n);
	for (size_t i = 0; i < n; i++) {
		const char *h = json_string_value(json_array_get(hops, i));
		double per = json_number_value(
			json_object_get(json_object_get(hp, "packets_per_transaction"), h));
		size_t len = strcspn(want[i], "*");
		double each = strstr(h, ":lo") || want[i][len] ? 4 : 2;

		assert_int_equal(strlen(h), len);
		assert_memory_equal(h, want[i], len);
		if (per < each - 0.1 || per > each + 0.2)
			print_error("%s: %.3f packets per transaction, not %.0f\n", h, per, each);
		assert_true(per > each - 0.1 && per < each + 0.2);
	}
	assert_true(json_is_true(json_object_get(hp, "ok")));
}

static long long snmp_of(json_t *hp, const char *role, const char *key)
{
	return json_integer_value(
		json_object_get(json_object_get(json_object_get(hp, "snmp"), role), key));
}

static void test_hops_every_mode(void **state)
{
	/* The VPC's switch vpc0, then the task's own ENI, or the instance's primary one. */
	static const char *const awsvpc[] = {"vpc:vpc0", "vpc:sw-eni-t1", "inst:eni-t1",
					     "t1:eth0"};
	static const char *const awsvpc_out[] = {"t1:eth0", "inst:eni-t1", "vpc:sw-eni-t1",
						 "vpc:vpc0"};
	static const char *const bridge[] = {"vpc:vpc0",  "vpc:sw-eth0",  "inst:eth0",
					     "inst:ecs0", "inst:veth-t1", "t1:eth0"};
	static const char *const bridge_out[] = {"t1:eth0",	"inst:veth-t1", "inst:ecs0",
						 "inst:eth0",	"vpc:sw-eth0",	"vpc:vpc0"};
	static const char *const host[] = {"vpc:vpc0", "vpc:sw-eth0", "inst:eth0"};
	static const char *const none[] = {"t1:lo"};
	struct lab *lab;
	json_t *hp;

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_with(MODE_AWSVPC);
	hp = tl_hot_path(lab, PATH_INGRESS);
	expect_hops(hp, awsvpc, 4);
	/* The macvlan takes the frames before the instance's IP layer and its rules. */
	assert_true(snmp_of(hp, "inst", "ip_in_receives") < 10);
	assert_int_equal(tl_rule_packets(hp, "to-bridge") + tl_rule_packets(hp, "from-bridge"), 0);
	json_decref(hp);
	hp = tl_hot_path(lab, PATH_EGRESS);
	expect_hops(hp, awsvpc_out, 4);
	json_decref(hp);
	tl_lab_done(lab);

	/* The lab's own nftables NAT (bare, both bridge modes), then Docker's rules (al2023). */
	for (int k = 0; k < 3; k++) {
		enum lab_mode m = k == 1 ? MODE_BRIDGE_DYNAMIC : MODE_BRIDGE;
		bool bare = k < 2;

		lab = tl_lab_with_as(m, bare ? INSTANCE_BARE : INSTANCE_AL2023);
		hp = tl_hot_path(lab, PATH_INGRESS);
		expect_hops(hp, bridge, 6);
		/* The instance routes every packet, and the forward rules count each request. */
		assert_true(snmp_of(hp, "inst", "ip_forw_datagrams") >= 2 * HOTPATH_TRANSACTIONS);
		assert_true(tl_rule_packets(hp, bare ? "ingress-dnat" : "to-bridge") >=
			    HOTPATH_TRANSACTIONS);
		/* NAT chains see the first packet of the flow only. */
		assert_true(tl_rule_packets(hp, "t1 udp") == 1);
		assert_true(json_integer_value(json_object_get(hp, "conntrack_entries")) >= 1);
		json_decref(hp);
		hp = tl_hot_path(lab, PATH_EGRESS);
		expect_hops(hp, bridge_out, 6);
		assert_true(tl_rule_packets(hp, "from-bridge") >= HOTPATH_TRANSACTIONS);
		if (bare)
			assert_true(tl_rule_packets(hp, "egress") == 1);
		json_decref(hp);
		tl_lab_done(lab);
	}

	lab = tl_lab_with(MODE_HOST);
	hp = tl_hot_path(lab, PATH_INGRESS);
	expect_hops(hp, host, 3);
	assert_true(snmp_of(hp, "inst", "ip_in_receives") >= HOTPATH_TRANSACTIONS);
	assert_true(snmp_of(hp, "inst", "ip_forw_datagrams") == 0);
	json_decref(hp);
	tl_lab_done(lab);

	lab = tl_lab_with(MODE_NONE);
	hp = tl_hot_path(lab, PATH_LOOPBACK);
	expect_hops(hp, none, 1);
	json_decref(hp);
	tl_lab_done(lab);
	assert_root_unchanged();
}

/* Task to task on one instance: what each mode really crosses. */
static void test_intra_host_hops(void **state)
{
	/* Out through one ENI, switched in the VPC, in through the other. */
	static const char *const awsvpc[] = {"t1:eth0",	      "inst:eni-t1", "vpc:sw-eni-t1",
					     "vpc:sw-eni-t2", "inst:eni-t2", "t2:eth0"};
	static const char *const bridge[] = {"t1:eth0", "inst:veth-t1", "inst:veth-t2", "t2:eth0"};
	static const char *const bridge_routed[] = {"t1:eth0", "inst:veth-t1", "inst:ecs0*2",
						    "inst:veth-t2", "t2:eth0"};
	static const char *const host[] = {"inst:lo"};
	static const struct {
		enum lab_mode mode;
		const char *const *hops;
		size_t n;
	} cases[] = {
		{MODE_AWSVPC, awsvpc, 6},
		{MODE_BRIDGE, bridge, 4},
		{MODE_BRIDGE_DYNAMIC, bridge, 4},
		{MODE_HOST, host, 1},
	};

	(void)state;
	SKIP_UNLESS_ROOT();
	/*
	 * The kernel's hairpin, with Docker's proxy off (al2023: br_netfilter on)
	 * and on a bare instance (off); the proxy's path is integ_instance's.
	 */
	for (size_t k = 0; k < 2 * sizeof(cases) / sizeof(cases[0]); k++) {
		size_t i = k / 2;
		struct lab *lab;
		json_t *hp;

		/* Only bridge's path depends on the instance: the others once. */
		if (k % 2 && cases[i].hops != bridge)
			continue;
		lab = tl_lab_new_as(0, k % 2 ? INSTANCE_BARE : INSTANCE_AL2023);
		lab->cfg.userland_proxy = false;
		assert_int_equal(lab_plan_task(lab, cases[i].mode, 5201), 0);
		assert_int_equal(lab_plan_task(lab, cases[i].mode, 5202), 0);
		assert_int_equal(lab_up(lab), 0);
		hp = tl_hot_path(lab, PATH_INTRA_HOST);
		/* ecs0 itself only without br_netfilter (which DNATs on the bridge). */
		if (cases[i].hops == bridge && lab->br_nf != 1)
			expect_hops(hp, bridge_routed, 5);
		else
			expect_hops(hp, cases[i].hops, cases[i].n);
		assert_null(json_object_get(json_object_get(hp, "packets_per_transaction"),
					    "vpc:vpc0"));
		/* awsvpc: nothing of the exchange on the instance's own eth0 or IP layer (an ARP at most). */
		if (cases[i].mode == MODE_AWSVPC) {
			json_t *ifs = json_object_get(hp, "interfaces"), *e;
			size_t x;
			bool seen = false;

			json_array_foreach(ifs, x, e) {
				if (strcmp(json_string_value(json_object_get(e, "hop")), "inst:eth0"))
					continue;
				seen = true;
				assert_true(json_integer_value(json_object_get(e, "rx_packets")) +
						    json_integer_value(json_object_get(e, "tx_packets")) <=
					    4);
			}
			assert_true(seen);
			assert_true(snmp_of(hp, "inst", "ip_in_receives") < 10);
		}
		/* ecs0 only for bridge without br_netfilter. */
		if (cases[i].hops != bridge || lab->br_nf == 1)
			assert_null(json_object_get(json_object_get(hp, "packets_per_transaction"),
						    "inst:ecs0"));
		json_decref(hp);
		tl_lab_done(lab);
	}
	assert_root_unchanged();
}

/* A bridge lab measured against host mode's expectation: the run must fail. */
static void test_wrong_path_caught(void **state)
{
	struct lab *lab;
	json_t *hp;

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_with(MODE_BRIDGE);
	hp = tl_hot_path(lab, PATH_INGRESS);
	assert_true(json_is_true(json_object_get(hp, "ok")));
	/* The same measurement held against host mode's path, and against egress order. */
	{
		struct lab_task host = lab->tasks[0];
		json_t *exp;

		host.mode = MODE_HOST;
		exp = hotpath_expected(lab, &host, PATH_INGRESS);
		assert_int_equal(hotpath_verdict(hp, exp, &host, PATH_INGRESS), -EPROTO);
		json_decref(exp);
		assert_false(json_is_true(json_object_get(hp, "ok")));
		assert_non_null(
			strstr(json_string_value(json_object_get(hp, "problem")), "differ"));
		exp = hotpath_expected(lab, &lab->tasks[0], PATH_EGRESS);
		assert_int_equal(hotpath_verdict(hp, exp, &lab->tasks[0], PATH_EGRESS), -EPROTO);
		json_decref(exp);
		/* Right expectation, but the NAT rule's counter wiped: evidence missing. */
		json_object_set_new(hp, "nft", json_array());
		exp = hotpath_expected(lab, &lab->tasks[0], PATH_INGRESS);
		assert_int_equal(hotpath_verdict(hp, exp, &lab->tasks[0], PATH_INGRESS), -EPROTO);
		assert_non_null(strstr(json_string_value(json_object_get(hp, "problem")), "NAT"));
		json_decref(exp);
	}
	assert_false(json_is_true(json_object_get(hp, "ok")));
	json_decref(hp);
	tl_lab_done(lab);
}

static char *files_in(const char *d, size_t *n)
{
	char pat[256];
	glob_t g;
	char *first = NULL;

	snprintf(pat, sizeof(pat), "%s/*", d);
	*n = 0;
	if (glob(pat, GLOB_PERIOD, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *b = strrchr(g.gl_pathv[i], '/') + 1;

			if (!strcmp(b, ".") || !strcmp(b, ".."))
				continue;
			if (!first)
				first = strdup(g.gl_pathv[i]);
			(*n)++;
		}
		globfree(&g);
	}
	return first;
}

/*
 * The tests of OUT's step lines (-v: "nsbench: [k/N] rep R/M MODE PATH TEST"),
 * in the order measured: each test's steps together, in every mode, before
 * the next test's (test-major within a round). Returns how many steps.
 */
static size_t steps_test_major(const char *out)
{
	char seen[8][32] = {{0}}, cur[32] = "";
	size_t nseen = 0, steps = 0;

	for (const char *l = strstr(out, "] rep "); l; l = strstr(l + 1, "] rep ")) {
		char mode[32], path[32], test[32];

		assert_int_equal(sscanf(l, "] rep %*u/%*u %31s %31s %31s", mode, path, test), 3);
		steps++;
		if (!strcmp(test, cur))
			continue;
		/* A test measured again after another began: not test-major. */
		for (size_t k = 0; k < nseen; k++)
			if (!strcmp(seen[k], test))
				fail_msg("%s measured again after %s began", test, cur);
		assert_true(nseen < 8);
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", test);
		snprintf(cur, sizeof(cur), "%s", test);
	}
	return steps;
}

static void test_run_quick(void **state)
{
	char cmd[512], *out, *file, why[256];
	size_t before = clean_count_leftovers(), n;
	json_t *doc, *e;
	size_t i;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(0, NSB " -v run --quick --out %s/quick 2>&1", dir);
	/* The table names every mode. */
	assert_non_null(strstr(out, "awsvpc"));
	assert_non_null(strstr(out, "bridge-dynamic"));
	/* Every mode's step of a test, then the next test's: 5 tests x 5 modes. */
	assert_int_equal(steps_test_major(out), 5 * 5);
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/quick", dir);
	file = files_in(cmd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(results_load(file, &doc, why, sizeof(why)), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
	assert_int_equal(json_array_size(json_object_get(doc, "results")), 5 * 5);
	/* The default window: recorded, and granted at both ends (twice what is asked). */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "config"),
							    "stream_window_bytes")),
			 stream_window_steady());
	json_array_foreach(json_object_get(doc, "results"), i, e) {
		json_t *s = json_object_get(e, "summary"), *hp = json_object_get(e, "hot_path");
		const char *test = json_string_value(json_object_get(e, "test"));
		json_t *m =
			json_object_get(json_array_get(json_object_get(e, "reps"), 0), "metrics");

		if (!strcmp(test, "tcp_stream") || !strcmp(test, "tcp_reverse")) {
			assert_int_equal(json_integer_value(json_object_get(m, "rcvbuf_bytes")),
					 2 * stream_window_steady());
			assert_int_equal(json_integer_value(json_object_get(m, "sndbuf_bytes")),
					 2 * stream_window_steady());
		}

		assert_true(json_is_true(json_object_get(hp, "ok")));
		assert_true(json_array_size(json_object_get(hp, "hops")) >= 1);
		if (!strcmp(test, "tcp_stream") || !strcmp(test, "udp"))
			assert_true(json_number_value(json_object_get(
					    json_object_get(s, "throughput_bps"), "median")) > 0);
		if (!strcmp(test, "tcp_rr") || !strcmp(test, "tcp_crr")) {
			double p50 = json_number_value(
				json_object_get(json_object_get(s, "p50_us"), "median"));
			double p99 = json_number_value(
				json_object_get(json_object_get(s, "p99_us"), "median"));

			assert_true(p50 > 0 && p50 <= p99);
			assert_true(json_number_value(json_object_get(
					    json_object_get(s, "cpu_us_per_trans"), "median")) > 0);
		}
	}
	json_decref(doc);
	free(file);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

/*
 * --schedule duet: each round measures bridge at the same time as host, each
 * pair of endpoints on a CPU of its own (read back from the server's
 * affinity), the CPUs swapped every round; host's repetitions name the mode
 * beside them. Where this process may use one CPU, duet is refused (exit 2).
 */
static void test_run_duet(void **state)
{
	char cmd[512], *out, *file, why[256];
	size_t before = clean_count_leftovers(), n, i, j;
	json_t *doc, *e, *rep;
	int cpu_of[2][2] = {{-1, -1}, {-1, -1}}; /* [host or bridge][round] */

	(void)state;
	SKIP_UNLESS_ROOT();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		print_message("SKIP: duet needs two CPUs\n");
		skip();
	}
	out = tl_run(0,
		     NSB " run --modes host,bridge --tests tcp_rr --reps 2 --rr-duration 0.2 "
			 "--no-hot-path --schedule duet --out %s/duet 2>&1",
		     dir);
	assert_non_null(strstr(out, "against host"));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/duet", dir);
	file = files_in(cmd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(results_load(file, &doc, why, sizeof(why)), 0);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(doc, "config"), "schedule")),
		"duet");
	json_array_foreach(json_object_get(doc, "results"), i, e) {
		bool host = !strcmp(json_string_value(json_object_get(e, "mode")), "host");

		assert_int_equal(json_array_size(json_object_get(e, "reps")), 2);
		json_array_foreach(json_object_get(e, "reps"), j, rep) {
			json_t *pl = json_object_get(rep, "placement");
			int r = (int)json_integer_value(json_object_get(rep, "rep")) - 1;
			int c = (int)json_integer_value(json_object_get(pl, "server_cpu"));
			char aff[16];

			assert_int_equal(json_integer_value(json_object_get(pl, "client_cpu")), c);
			snprintf(aff, sizeof(aff), "%d", c);
			/* The kernel's own view of the server's affinity: that CPU alone. */
			assert_string_equal(
				json_string_value(json_object_get(pl, "server_affinity")), aff);
			assert_string_equal(json_string_value(json_object_get(rep, "partner")),
					    host ? "bridge" : "host");
			cpu_of[host ? 0 : 1][r] = c;
		}
	}
	/* Each round: two CPUs; from one round to the next: swapped. */
	assert_int_not_equal(cpu_of[0][0], cpu_of[1][0]);
	assert_int_equal(cpu_of[0][0], cpu_of[1][1]);
	assert_int_equal(cpu_of[0][1], cpu_of[1][0]);
	assert_non_null(json_object_get(json_array_get(json_object_get(doc, "results"), 0),
					"vs_host") ?:
			json_object_get(json_array_get(json_object_get(doc, "results"), 1), "vs_host"));
	json_decref(doc);
	free(file);
	/* One CPU: refused before anything is built, by run and by claims. */
	out = tl_run(2, "taskset -c 0 " NSB " run --modes host,bridge --schedule duet 2>&1");
	assert_non_null(strstr(out, "one CPU"));
	free(out);
	out = tl_run(2, "taskset -c 0 " NSB " claims --schedule duet 2>&1");
	free(out);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

/* One quick host tcp_stream run with --window WINDOW into DIR/SUB: its results document. */
static json_t *window_run(const char *window, const char *sub)
{
	char cmd[512], why[256], *out, *file;
	json_t *doc;
	size_t n;

	out = tl_run(0,
		     NSB " run --quick --modes host --tests tcp_stream --window %s "
			 "--no-hot-path --out %s/%s 2>&1",
		     window, dir, sub);
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/%s", dir, sub);
	file = files_in(cmd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(results_load(file, &doc, why, sizeof(why)), 0);
	free(file);
	return doc;
}

/*
 * run --window: the results' configuration records it, and it reaches the
 * endpoints (the receiver's buffer as granted: twice the window); auto
 * leaves the buffers to the kernel and the configuration without it; a
 * window beyond what the namespaces' rmem_max grants fails the stream with
 * the error that names it.
 */
static void test_run_window(void **state)
{
	char cmd[512], *out;
	size_t before = clean_count_leftovers();
	unsigned long rmem_max = 0;
	json_t *doc, *r0, *m0;
	FILE *f;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	doc = window_run("256K", "window");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "config"),
							    "stream_window_bytes")),
			 256 << 10);
	r0 = json_array_get(json_object_get(doc, "results"), 0);
	assert_true(json_number_value(json_object_get(
			    json_object_get(json_object_get(r0, "summary"), "throughput_bps"),
			    "median")) > 0);
	m0 = json_object_get(json_array_get(json_object_get(r0, "reps"), 0), "metrics");
	assert_int_equal(json_integer_value(json_object_get(m0, "rcvbuf_bytes")), 2 * (256 << 10));
	json_decref(doc);

	doc = window_run("auto", "window-auto");
	assert_null(json_object_get(json_object_get(doc, "config"), "stream_window_bytes"));
	json_decref(doc);

	f = fopen("/proc/sys/net/core/rmem_max", "re");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu", &rmem_max), 1);
	fclose(f);
	if (rmem_max < STREAM_WINDOW_MAX / 4) {
		snprintf(cmd, sizeof(cmd),
			 NSB " run --quick --modes host --tests tcp_stream --window %luK "
			     "--no-hot-path --out %s/window-big 2>&1",
			 rmem_max * 4 / 1024, dir);
		out = tl_capture(cmd, &st);
		assert_int_not_equal(st, 0);
		assert_non_null(strstr(out, "rmem_max"));
		free(out);
	}
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

/*
 * --target: repetitions go on past --reps up to --max-reps, every mode alike;
 * each result records the reps it took and whether its widest headline
 * interval met the target, and every repetition its noise.
 */
static void test_run_target(void **state)
{
	char cmd[512], *out, *file, why[256];
	size_t before = clean_count_leftovers(), n, i, reps = 0;
	json_t *doc, *e;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	snprintf(cmd, sizeof(cmd),
		 NSB " run --modes host,bridge --tests tcp_rr --rr-duration 0.2 --reps 2 "
		     "--target 1 --max-reps 4 --no-hot-path --out %s/target 2>&1",
		 dir);
	out = tl_capture(cmd, &st);
	if (st && st != 3)
		print_error("%s\n", out);
	/* 3 when a result's target was not met within the budget, and said so. */
	assert_true(st == 0 || st == 3);
	assert_true((st == 3) == (strstr(out, "NOT met") != NULL));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/target", dir);
	file = files_in(cmd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(results_load(file, &doc, why, sizeof(why)), 0);
	assert_true(json_number_value(json_object_get(
			    json_object_get(json_object_get(doc, "config"), "target"), "pct")) ==
		    1);
	json_array_foreach(json_object_get(doc, "results"), i, e) {
		json_t *t = json_object_get(e, "target"), *rep;
		size_t k, got = json_array_size(json_object_get(e, "reps"));
		double hw = json_number_value(json_object_get(t, "widest_halfwidth_pct"));

		assert_non_null(t);
		if (!json_is_true(json_object_get(t, "met")))
			assert_int_equal(st, 3);
		assert_true(got >= 2 && got <= 4);
		/* Repetition-major: every mode took as many rounds as the others. */
		if (reps)
			assert_int_equal(got, reps);
		reps = got;
		assert_int_equal(json_integer_value(json_object_get(t, "reps")), got);
		assert_int_equal(json_is_true(json_object_get(t, "met")), hw >= 0 && hw <= 1);
		/* Stopped early only when met; otherwise the budget ran out. */
		if (got < 4)
			assert_true(json_is_true(json_object_get(t, "met")));
		json_array_foreach(json_object_get(e, "reps"), k, rep) {
			json_t *nz = json_object_get(rep, "noise");

			assert_non_null(nz);
			assert_true(json_number_value(json_object_get(nz, "steal_pct")) >= 0);
			assert_true(json_is_boolean(json_object_get(nz, "noisy")));
		}
	}
	json_decref(doc);
	free(file);
	/*
	 * A target two repetitions cannot meet (0.1% on tps, p50 and p99): exit 3,
	 * and stderr and the table say so, not only the JSON.
	 */
	out = tl_run(3,
		     NSB " run --modes host --tests tcp_rr --rr-duration 0.2 --reps 2 --target 0.1 "
			 "--max-reps 2 --no-hot-path --out %s/missed 2>&1",
		     dir);
	assert_non_null(strstr(out, "--target 0.1%: NOT met by 1 of 1 results"));
	assert_non_null(strstr(out, "warning: --target 0.1% not met by 1 of 1 results"));
	free(out);
	/* The budget without a target, and an impossible target, are usage errors. */
	out = tl_run(2, NSB " run --max-reps 5 2>&1");
	assert_non_null(strstr(out, "--target"));
	free(out);
	out = tl_run(2, NSB " run --target 0 2>&1");
	free(out);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

/*
 * Another nsbench beside a run (a lab held by `topo up --hold`): every
 * repetition's noise names it, by lab and owner pid, and is flagged noisy;
 * the run's own labs are not among them; the table says so.
 */
static void test_run_beside_other_nsbench(void **state)
{
	char cmd[512], other[16], *out, *file, why[256];
	size_t before = clean_count_leftovers(), n, i, k, reps = 0;
	long long run_pid;
	json_t *doc, *e, *rep, *o;
	pid_t hold;
	int st, status;

	(void)state;
	SKIP_UNLESS_ROOT();
	hold = tl_hold_start(NSB, "host", false, other);
	snprintf(cmd, sizeof(cmd),
		 "sh -c 'echo $$; exec " NSB " run --quick --modes host --tests tcp_rr "
		 "--rr-duration 0.2 --no-hot-path --out %s/other' 2>&1",
		 dir);
	out = tl_capture(cmd, &st);
	/* The other lab goes first, whatever the checks below find. */
	assert_int_equal(kill(hold, SIGTERM), 0);
	assert_int_equal(waitpid(hold, &status, 0), hold);
	assert_int_equal(strlen(other), LAB_ID_LEN);
	assert_int_equal(tl_leftovers(other), 0);
	if (st)
		print_error("%s\n", out);
	assert_int_equal(st, 0);
	run_pid = atoll(out);
	assert_true(run_pid > 0);
	assert_non_null(strstr(out, "another nsbench ran beside this one"));
	assert_non_null(strstr(out, other));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/other", dir);
	file = files_in(cmd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(results_load(file, &doc, why, sizeof(why)), 0);
	json_array_foreach(json_object_get(doc, "results"), i, e)
		json_array_foreach(json_object_get(e, "reps"), k, rep) {
			json_t *nz = json_object_get(rep, "noise");
			bool named = false;
			size_t j;

			reps++;
			assert_true(json_is_true(json_object_get(nz, "noisy")));
			json_array_foreach(json_object_get(nz, "other_nsbench"), j, o) {
				json_int_t pid =
					json_integer_value(json_object_get(o, "owner_pid"));

				assert_true(pid != run_pid);
				named |= !strcmp(json_string_value(json_object_get(o, "lab")),
						 other) &&
					 pid == hold &&
					 !strcmp(json_string_value(json_object_get(o, "kind")),
						 "topo");
			}
			assert_true(named);
		}
	assert_true(reps >= 1);
	json_decref(doc);
	free(file);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

/*
 * A run in which no lab could be built measures nothing: exit 1, the reason,
 * and no results file (one without results would be refused by compare and
 * report); one that ECS would refuse altogether is bad usage, before building.
 */
static void test_run_nothing_measured(void **state)
{
	char cmd[512], *out;
	size_t before = clean_count_leftovers(), n;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(1,
		     "NSBENCH_FAIL_AFTER=3 " NSB_TEST " run --quick --modes host --tests tcp_rr "
		     "--no-hot-path --out %s/nothing 2>&1",
		     dir);
	assert_non_null(strstr(out, "nothing was measured"));
	assert_non_null(strstr(out, "fault injected"));
	assert_null(strstr(out, "repetitions"));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/nothing", dir);
	free(files_in(cmd, &n));
	assert_int_equal(n, 0);
	out = tl_run(2, NSB " run --quick --modes awsvpc --tasks 4 --max-enis 3 "
			    "--tests tcp_rr 2>&1");
	assert_non_null(strstr(out, "nothing to measure: mode awsvpc, 4 tasks: "));
	assert_non_null(strstr(out, "ENI limit"));
	free(out);
	/* One mode refused beside one measured: the table says which and why (it said "-"). */
	out = tl_run(0,
		     NSB " run --quick --modes awsvpc,host --max-enis 1 --tests tcp_rr "
			 "--no-hot-path --out %s/refused 2>/dev/null",
		     dir);
	assert_non_null(strstr(out, "\nawsvpc: not measured: "));
	assert_non_null(strstr(out, "ENI limit"));
	free(out);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

static void test_run_unwritable(void **state)
{
	char *out;
	int st;
	struct timespec a, b;

	(void)state;
	SKIP_UNLESS_ROOT();
	clock_gettime(CLOCK_MONOTONIC, &a);
	out = tl_capture(NSB " run --quick --out /proc/nsbench-nope 2>&1", &st);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, "/proc/nsbench-nope"));
	/* Said before measuring anything (a --quick run measures for over 30 s). */
	assert_true(b.tv_sec - a.tv_sec < 10);
	free(out);
	/* A mistyped path is not created, and a file is no directory: both usage errors. */
	out = tl_run(2, NSB " run --quick --out /nonexistent-nsbench/dir 2>&1");
	assert_non_null(strstr(out, "its parent /nonexistent-nsbench is not a directory"));
	assert_int_equal(access("/nonexistent-nsbench", F_OK), -1);
	free(out);
	out = tl_run(2, NSB " run --quick --out /etc/passwd 2>&1");
	assert_non_null(strstr(out, "/etc/passwd: not a directory"));
	free(out);
}

static void test_run_interrupted(void **state)
{
	char out_dir[256];
	size_t before = clean_count_leftovers(), n;
	pid_t pid;
	int status;

	(void)state;
	SKIP_UNLESS_ROOT();
	snprintf(out_dir, sizeof(out_dir), "%s/interrupted", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(NSB, NSB, "run", "--quick", "--out", out_dir, (char *)NULL);
		_exit(127);
	}
	sleep(3);
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 130);
	free(files_in(out_dir, &n));
	/* Not even a temporary file. */
	assert_int_equal(n, 0);
	assert_int_equal(clean_count_leftovers(), before);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_root_unchanged();
}

static int setup(void **state)
{
	tl_setup_group(state);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	tl_teardown_group(state);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hops_every_mode, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_intra_host_hops, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_wrong_path_caught, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_quick, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_window, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_unwritable, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_interrupted, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_target, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_duet, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_beside_other_nsbench, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_nothing_measured, tl_setup_test,
						tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, setup, teardown);
}
