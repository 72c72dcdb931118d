// SPDX-License-Identifier: MIT
/*
 * The instance profiles against the kernel: the rules iptables really holds
 * in the instance namespace (nft and legacy backends, against the committed
 * expected text), conntrack switched on for host mode, br_netfilter's values
 * read back, and Docker's userland proxy carrying bridge-to-hostPort traffic.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "labtest.h"
#include "bench/measurement.h"
#include "harness/lab/instance.h"
#include "harness/lab/path.h"
#include "harness/lab/state.h"
#include "netns/sysctl.h"

#define GOLDEN "tests/golden/instance-al2023-bridge-2tasks.save"

static int block_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The tables in one order: iptables-legacy-save prints them as the kernel
 * lists them (nat first here), iptables-nft-save filter first.
 */
static char *by_table(char *text)
{
	char *blocks[8], *out = calloc(1, strlen(text) + 1), *p = text;
	size_t n = 0;

	assert_non_null(out);
	while (p && *p && n < 8) {
		char *next = strstr(p + 1, "\n*");

		blocks[n++] = p;
		if (next)
			*next++ = '\0';
		p = next;
	}
	qsort(blocks, n, sizeof(blocks[0]), block_cmp);
	for (size_t i = 0; i < n; i++) {
		strcat(out, blocks[i]);
		if (out[0] && out[strlen(out) - 1] != '\n')
			strcat(out, "\n");
	}
	free(text);
	return out;
}

/* iptables-save's text without comments, every counter zero, tables in one order. */
static char *normalized(const char *save)
{
	char *out = calloc(1, strlen(save) + 1), *o = out;
	const char *line = save;

	assert_non_null(out);
	while (*line) {
		size_t n = strcspn(line, "\n");

		if (line[0] != '#') {
			const char *p = line, *end = line + n;

			/* ":CHAIN POLICY [p:b]" and "[p:b] -A ..." */
			while (p < end) {
				if (*p == '[' && strchr("0123456789", p[1])) {
					const char *q = memchr(p, ']', (size_t)(end - p));

					if (q) {
						o += sprintf(o, "[0:0]");
						p = q + 1;
						continue;
					}
				}
				*o++ = *p++;
			}
			*o++ = '\n';
		}
		line += n + (line[n] == '\n');
	}
	*o = '\0';
	return by_table(out);
}

static struct lab *lab_of(enum lab_mode m, enum lab_instance inst, bool proxy, bool udp,
			  unsigned int n, const uint16_t *ports)
{
	struct lab *lab = tl_lab_new_as(0, inst);

	lab->cfg.userland_proxy = proxy;
	/* Without UDP each task's port mapping is ECS's default protocol, tcp: one binding. */
	lab->cfg.publish_udp = udp;
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(lab_plan_task(lab, m, ports[i]), 0);
	if (lab_up(lab))
		print_error("lab_up: %s\n", lab->err);
	assert_true(lab->up);
	return lab;
}

static char *saved(const struct lab *lab, const char *tool)
{
	char *out;

	out = tl_run(0, "ip netns exec %s %s", lab->ns_inst, tool);
	return out;
}

/* The committed expected text: what ecs-init and Docker 25 leave, for two bound tasks. */
static void test_golden_rules(void **state)
{
	static const uint16_t ports[] = {8080, 8081};
	static const enum lab_instance profiles[] = {INSTANCE_AL2023, INSTANCE_AL2};
	char *want, *got, *raw;
	FILE *f;
	long len;

	(void)state;
	SKIP_UNLESS_ROOT();
	f = fopen(GOLDEN, "re");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	want = calloc(1, (size_t)len + 1);
	assert_non_null(want);
	assert_int_equal(fread(want, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	for (size_t k = 0; k < 2; k++) {
		struct lab *lab = lab_of(MODE_BRIDGE, profiles[k], true, false, 2, ports);
		const char *tool = instance_tool(profiles[k], true);
		const char *other = k ? "iptables-nft-save" : "iptables-legacy-save";

		raw = saved(lab, tool);
		got = normalized(raw);
		if (strcmp(got, want))
			print_error("%s in the %s instance:\n%s\n--- expected (%s)\n%s\n", tool,
				    lab_instance_name(profiles[k]), got, GOLDEN, want);
		assert_string_equal(got, want);
		free(got);
		free(raw);
		/*
		 * ecs-init's IPv6 rules (its two INPUT rules for the agent's port), as
		 * check-instance-rules.sh renders ecs-instance6.rules, counters zero.
		 */
		raw = saved(lab, instance_tool6(profiles[k], true));
		got = normalized(raw);
		assert_non_null(strstr(got, "-A INPUT -i ecs0 -p tcp -m tcp --dport 51678 -j ACCEPT\n"
					    "-A INPUT ! -i lo -p tcp -m tcp --dport 51678 -j DROP\n"));
		assert_non_null(strstr(got, ":INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"));
		free(got);
		free(raw);
		/* The other backend holds nothing. */
		raw = saved(lab, other);
		got = normalized(raw);
		assert_string_equal(got, "");
		free(got);
		free(raw);
		tl_lab_done(lab);
	}
	free(want);
	/* bare: neither backend has a rule (the lab's own nftables table is not iptables'). */
	{
		struct lab *lab = lab_of(MODE_BRIDGE, INSTANCE_BARE, false, false, 2, ports);

		for (size_t k = 0; k < 2; k++) {
			raw = saved(lab, instance_tool(profiles[k], true));
			got = normalized(raw);
			assert_string_equal(got, "");
			free(got);
			free(raw);
		}
		tl_lab_done(lab);
	}
	assert_root_unchanged();
}

/* The instance's tracked flows; -1 when the kernel has no conntrack there. */
static long long conntrack_count(const char *ns)
{
	char buf[32];

	if (sysctl_read(ns, "net.netfilter.nf_conntrack_count", buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

/* Every host-mode flow is tracked on a real instance; on a bare one, none. */
static void test_host_conntrack(void **state)
{
	static const enum lab_instance profiles[] = {INSTANCE_AL2023, INSTANCE_BARE};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t k = 0; k < 2; k++) {
		struct lab *lab = tl_lab_with_as(MODE_HOST, profiles[k]);
		struct bench_target t;
		struct bench_opts o;
		json_t *res = NULL;
		char why[512];
		long long before = conntrack_count(lab->ns_inst), after;

		bench_opts_default(&o);
		assert_int_equal(bench_cpus_resolve(&o.cpus), 0);
		o.rr.duration_s = 0.3;
		o.rr.warmup_s = 0;
		assert_int_equal(
			path_target(lab, &lab->tasks[0], NULL, PATH_INGRESS, &t, why, sizeof(why)),
			0);
		if (bench_run(TEST_TCP_CRR, &o, &t, &res, why, sizeof(why)))
			print_error("%s\n", why);
		assert_non_null(res);
		after = conntrack_count(lab->ns_inst);
		print_message("%s: nf_conntrack_count %lld -> %lld\n",
			      lab_instance_name(profiles[k]), before, after);
		/* Closed connections stay tracked (TIME_WAIT) well past the run. */
		if (profiles[k] == INSTANCE_BARE) {
			/* No rule, no hook: nothing tracked (or no conntrack at all). */
			assert_true(after <= 0);
		} else {
			assert_true(before >= 0);
			assert_true(after > before);
		}
		json_decref(res);
		tl_lab_done(lab);
	}
}

/* br_netfilter's sysctls as each profile leaves them, read back into the state. */
static void test_br_netfilter(void **state)
{
	static const enum lab_instance profiles[] = {INSTANCE_AL2023, INSTANCE_AL2, INSTANCE_BARE};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t k = 0; k < 3; k++) {
		struct lab *lab = tl_lab_with_as(MODE_BRIDGE, profiles[k]);
		json_t *doc = state_describe(lab);
		json_t *nf = json_object_get(json_object_get(doc, "instance"), "bridge_nf_call");
		char buf[8];

		assert_string_equal(json_string_value(json_object_get(
					    json_object_get(doc, "instance"), "profile")),
				    lab_instance_name(profiles[k]));
		if (sysctl_read(lab->ns_inst, "net.bridge.bridge-nf-call-iptables", buf,
				sizeof(buf))) {
			/* br_netfilter not loaded (a module): absent, recorded as such. */
			assert_true(json_is_null(json_object_get(nf, "iptables")));
			assert_int_equal(lab->br_nf, -1);
		} else {
			int want = profiles[k] != INSTANCE_BARE;

			assert_int_equal(json_integer_value(json_object_get(nf, "iptables")), want);
			assert_int_equal(json_integer_value(json_object_get(nf, "ip6tables")),
					 want);
			assert_int_equal(json_integer_value(json_object_get(nf, "arptables")),
					 want);
			assert_int_equal(lab->br_nf, want);
		}
		json_decref(doc);
		tl_lab_done(lab);
	}
}

/* PID is a docker-proxy living in namespace NS. */
static bool is_proxy_in(int pid, const char *ns)
{
	char path[64], comm[64] = "";
	struct stat a, b;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	if (stat(path, &a))
		return false;
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	if (stat(path, &b))
		return false;
	return !strncmp(comm, "docker-proxy", 12) && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/*
 * A bridge task reaching another's hostPort: with the proxy on, the instance's
 * docker-proxy carries it (up through ecs0 and back out; Docker's DNAT skips
 * traffic from the bridge); with it off, the kernel's hairpin NAT does.
 */
static void test_proxy_carries_intra_host(void **state)
{
	static const uint16_t ports[] = {5201, 5202};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (int on = 1; on >= 0; on--) {
		struct lab *lab = lab_of(MODE_BRIDGE, INSTANCE_AL2023, on, true, 2, ports);
		json_t *hp = tl_hot_path(lab, PATH_INTRA_HOST);
		char *hops = json_dumps(json_object_get(hp, "hops"), JSON_COMPACT);

		/* UDP cannot pass Docker 25's proxy (path_udp_broken): its probe is tcp_rr. */
		const char *dnat = on ? "t2 tcp" : "t2 udp";

		print_message("proxy %s: %s, hops %s, DNAT %s %lld\n", on ? "on" : "off",
			      json_string_value(json_object_get(hp, "probe")), hops, dnat,
			      tl_rule_packets(hp, dnat));
		assert_int_equal(path_udp_broken(lab, &lab->tasks[0], PATH_INTRA_HOST, NULL, 0),
				 on);
		assert_true(json_is_true(json_object_get(hp, "ok")));
		assert_int_equal(strstr(hops, "inst:ecs0") != NULL, on || lab->br_nf != 1);
		/* Per binding (tcp, udp) two proxies, on 0.0.0.0 and on "::" (::1 binds). */
		for (unsigned int i = 0; i < 2; i++)
			for (unsigned int k = 0; k < 4; k++) {
				int pid = lab->tasks[i].proxy_pid[k];

				assert_int_equal(pid != 0, on);
				if (pid)
					assert_true(is_proxy_in(pid, lab->ns_inst));
			}
		/* The DNAT rule sees the flow's first packet, and only without the proxy. */
		assert_int_equal(tl_rule_packets(hp, dnat), on ? 0 : 1);
		free(hops);
		json_decref(hp);
		tl_lab_done(lab);
	}
	assert_root_unchanged();
}

static void expect_route(json_t *hp, const char *const *want, size_t n)
{
	json_t *hops = json_object_get(hp, "hops");
	char *got = json_dumps(hops, JSON_COMPACT);

	print_message("%s %s (%s): %s\n", json_string_value(json_object_get(hp, "mode")),
		      json_string_value(json_object_get(hp, "path")),
		      json_string_value(json_object_get(hp, "probe")), got);
	free(got);
	assert_true(json_is_true(json_object_get(hp, "ok")));
	assert_int_equal(json_array_size(hops), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(hops, i)), want[i]);
}

/*
 * The instance's own clients and the agent's endpoint: a daemon on the
 * instance reaching a task (bridge through docker-proxy, host over lo), and
 * every task reaching 169.254.170.2 through ecs-init's rules.
 */
static void test_local_and_agent_paths(void **state)
{
	static const char *const host_lo[] = {"inst:lo"};
	static const char *const bridge_local[] = {"inst:lo", "inst:ecs0", "inst:veth-t1",
						   "t1:eth0"};
	static const char *const bridge_agent[] = {"t1:eth0", "inst:veth-t1", "inst:ecs0"};
	static const char *const awsvpc_agent[] = {"t1:ecs-eth0", "inst:ecsv-t1",
						   "inst:ecs-bridge"};
	/* Out of the primary ENI, through the VPC's switch, in through the task's ENI. */
	static const char *const awsvpc_local[] = {"inst:eth0", "vpc:sw-eth0", "vpc:sw-eni-t1",
						   "inst:eni-t1", "t1:eth0"};
	struct lab *lab;
	json_t *hp;
	char why[512];

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_with(MODE_BRIDGE);
	hp = tl_hot_path(lab, PATH_LOCAL);
	expect_route(hp, bridge_local, 4);
	json_decref(hp);
	/* TCP only: the probe of the agent path is tcp_rr. */
	hp = tl_hot_path(lab, PATH_AGENT);
	assert_string_equal(json_string_value(json_object_get(hp, "probe")), "tcp_rr 64/64 B");
	expect_route(hp, bridge_agent, 3);
	json_decref(hp);
	tl_lab_done(lab);

	/* awsvpc: its second interface, ecs-eth0 on the instance's ecs-bridge. */
	lab = tl_lab_with(MODE_AWSVPC);
	hp = tl_hot_path(lab, PATH_AGENT);
	expect_route(hp, awsvpc_agent, 3);
	json_decref(hp);
	hp = tl_hot_path(lab, PATH_LOCAL);
	expect_route(hp, awsvpc_local, 5);
	json_decref(hp);
	tl_lab_done(lab);

	lab = tl_lab_with(MODE_HOST);
	for (int p = PATH_LOCAL; p <= PATH_AGENT; p++) {
		hp = tl_hot_path(lab, (enum lab_path)p);
		expect_route(hp, host_lo, 1);
		json_decref(hp);
	}
	tl_lab_done(lab);

	/* What the lab cannot have, refused with the reason. */
	assert_int_equal(path_available(MODE_AWSVPC, PATH_LOCAL, INSTANCE_AL2023, why, sizeof(why)),
			 0);
	assert_int_equal(path_available(MODE_BRIDGE, PATH_AGENT, INSTANCE_BARE, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "ecs-init"));
	assert_int_equal(path_available(MODE_HOST, PATH_AGENT, INSTANCE_AL2, why, sizeof(why)), 0);
	assert_root_unchanged();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_rules, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_host_conntrack, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_br_netfilter, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_proxy_carries_intra_host, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_local_and_agent_paths, tl_setup_test,
						tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
