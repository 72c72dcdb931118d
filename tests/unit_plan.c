// SPDX-License-Identifier: MIT
/* ECS placement rules of the lab, in memory: conflicts, ENI limit, address plan. */
#include "testlib.h"
#include <errno.h>

#include "harness/lab/addrplan.h"
#include "harness/lab/lab.h"
#include "harness/lab/path.h"

static void new_lab(struct lab *lab, unsigned int max_enis)
{
	struct lab_config cfg;

	lab_config_default(&cfg);
	cfg.max_enis = max_enis;
	assert_int_equal(lab_init(lab, &cfg, "test"), 0);
	assert_int_equal(strlen(lab->id), LAB_ID_LEN);
}

static void test_mode_names(void **state)
{
	enum lab_mode m;

	(void)state;
	for (int i = 0; i < MODE_COUNT; i++) {
		assert_int_equal(lab_mode_parse(lab_mode_name((enum lab_mode)i), &m), 0);
		assert_int_equal(m, i);
	}
	assert_int_equal(lab_mode_parse("Bridge", &m), -EINVAL);
	assert_int_equal(lab_mode_parse("", &m), -EINVAL);
	assert_int_equal(lab_mode_parse(NULL, &m), -EINVAL);
}

static void test_static_hostport_conflict(void **state)
{
	static struct lab lab;

	(void)state;
	new_lab(&lab, 0);
	assert_int_equal(lab_plan_task(&lab, MODE_BRIDGE, 8080), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_BRIDGE, 8080), -EADDRINUSE);
	/* The error names the port and both tasks. */
	assert_non_null(strstr(lab.err, "8080"));
	assert_non_null(strstr(lab.err, "t1"));
	assert_non_null(strstr(lab.err, "t2"));
	assert_int_equal(lab.ntasks, 1);
	/* Another port is fine, and so is a task that maps none. */
	assert_int_equal(lab_plan_task(&lab, MODE_BRIDGE, 8081), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 8080), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_BRIDGE_DYNAMIC, 8080), 0);
	assert_int_equal(lab.ntasks, 4);
	/* A host-mode task collides with a static mapping too: same host stack. */
	assert_int_equal(lab_plan_task(&lab, MODE_HOST, 8081), -EADDRINUSE);
	assert_non_null(strstr(lab.err, "t2"));
}

static void test_host_conflict(void **state)
{
	static struct lab lab;

	(void)state;
	new_lab(&lab, 0);
	assert_int_equal(lab_plan_task(&lab, MODE_HOST, 5201), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_HOST, 5201), -EADDRINUSE);
	assert_non_null(strstr(lab.err, "5201"));
	assert_non_null(strstr(lab.err, "t1 (host)"));
	assert_non_null(strstr(lab.err, "t2 (host)"));
	assert_int_equal(lab_plan_task(&lab, MODE_HOST, 5202), 0);
	assert_string_equal(lab.tasks[1].ns, lab.ns_inst);
	assert_string_equal(lab.tasks[1].ep_addr, "198.18.0.2");
	assert_int_equal(lab.tasks[1].ep_port, 5202);
	assert_false(lab.tasks[1].own_ns);
}

static void test_awsvpc_no_conflict_and_eni_limit(void **state)
{
	static struct lab lab;

	(void)state;
	/* c5.large: 3 ENIs, the primary is the instance's: 2 tasks. */
	new_lab(&lab, 3);
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), 0);
	assert_string_equal(lab.tasks[0].addr, "198.18.0.11");
	assert_string_equal(lab.tasks[1].addr, "198.18.0.12");
	assert_string_equal(lab.tasks[1].ep_addr, "198.18.0.12");
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), -ENOSPC);
	assert_non_null(strstr(lab.err, "ENI limit"));
	assert_non_null(strstr(lab.err, "at most 2"));
	/* Other modes are not limited by ENIs. */
	assert_int_equal(lab_plan_task(&lab, MODE_BRIDGE, 80), 0);

	/* ENI trunking: 10 ENIs, 9 tasks. */
	new_lab(&lab, 10);
	for (int i = 0; i < 9; i++)
		assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), -ENOSPC);
	/* max-enis 1: only the primary, no task. */
	new_lab(&lab, 1);
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), -ENOSPC);
}

/* A security group is an awsvpc task's own ENI's: no other task may be planned with one. */
static void test_security_group_awsvpc_only(void **state)
{
	static struct lab lab;
	struct lab_config cfg;

	(void)state;
	lab_config_default(&cfg);
	cfg.security_group = true;
	for (int m = 0; m < MODE_COUNT; m++) {
		assert_int_equal(lab_init(&lab, &cfg, "test"), 0);
		if (m == MODE_AWSVPC) {
			assert_int_equal(lab_plan_task(&lab, (enum lab_mode)m, 5201), 0);
			continue;
		}
		assert_int_equal(lab_plan_task(&lab, (enum lab_mode)m, 5201), -EINVAL);
		assert_non_null(strstr(lab.err, "a security group is an awsvpc task's"));
		assert_int_equal(lab.ntasks, 0);
	}
}

static void test_address_plan(void **state)
{
	static struct lab lab;
	struct lab_config cfg;

	(void)state;
	lab_config_default(&cfg);
	assert_int_equal(ip4_net_parse("198.19.0.0/29", &cfg.bridge_net), 0);
	assert_int_equal(lab_init(&lab, &cfg, "test"), 0);
	/* .1 is the bridge; tasks take .2 to .6. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(lab_plan_task(&lab, MODE_BRIDGE_DYNAMIC, 80), 0);
	assert_string_equal(lab.tasks[0].addr, "198.19.0.2");
	assert_string_equal(lab.tasks[4].addr, "198.19.0.6");
	assert_int_equal(lab_plan_task(&lab, MODE_BRIDGE_DYNAMIC, 80), -ENOSPC);
	assert_non_null(strstr(lab.err, "no address left"));

	lab_config_default(&cfg);
	assert_int_equal(ip4_net_parse("198.18.0.0/28", &cfg.vpc_net), 0);
	assert_int_equal(lab_init(&lab, &cfg, "test"), 0);
	/* awsvpc task N takes .(10+N); a /28 ends at .14. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), -ENOSPC);
}

/* Prefixes as the options give them: ADDR/BITS within bounds, anything else refused. */
static void test_prefix_parse(void **state)
{
	static const char *const bad4[] = {"198.18.0.0",
					   "198.18.0.0/",
					   "198.18.0.0/30",
					   "198.18.0.0/7",
					   "198.18.0/24",
					   "/24",
					   "198.18.0.0/24/1",
					   "198.18.0.0/2x",
					   NULL,
					   "198.018.000.000/16 and far too long to fit"};
	static const char *const bad6[] = {"2001:2::", "2001:2::/47", "2001:2::/121", "2001:2:/64",
					   "2001:2::/64x"};
	struct ip4_net n4;
	struct ip6_net n6;

	(void)state;
	assert_int_equal(ip4_net_parse("198.18.0.0/15", &n4), 0);
	assert_int_equal(n4.plen, 15);
	for (size_t i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++)
		assert_int_equal(ip4_net_parse(bad4[i], &n4), -EINVAL);
	assert_int_equal(ip6_net_parse("2001:2::/64", &n6), 0);
	assert_int_equal(n6.plen, 64);
	for (size_t i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++)
		assert_int_equal(ip6_net_parse(bad6[i], &n6), -EINVAL);
}

/* Dual stack: IPv6 addresses as the IPv4 plan numbers hosts; bridge and none get none. */
static void test_dual_stack_plan(void **state)
{
	static struct lab lab;
	struct lab_config cfg;

	(void)state;
	lab_config_default(&cfg);
	assert_false(cfg.dual_stack);
	cfg.dual_stack = true;
	assert_int_equal(lab_init(&lab, &cfg, "test"), 0);
	assert_string_equal(lab.vpc_addr6, "2001:2::1");
	assert_string_equal(lab.inst_addr6, "2001:2::2");
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_HOST, 81), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_BRIDGE, 82), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_NONE, 83), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), 0);
	assert_string_equal(lab.tasks[0].addr, "198.18.0.11");
	assert_string_equal(lab.tasks[0].addr6, "2001:2::b");
	assert_string_equal(lab.tasks[1].addr6, "2001:2::2");
	assert_string_equal(lab.tasks[2].addr6, "");
	assert_string_equal(lab.tasks[3].addr6, "");
	assert_string_equal(lab.tasks[4].addr6, "2001:2::f");
	/* Without dual stack nothing has IPv6. */
	lab_config_default(&cfg);
	assert_int_equal(lab_init(&lab, &cfg, "test"), 0);
	assert_string_equal(lab.vpc_addr6, "");
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), 0);
	assert_string_equal(lab.tasks[0].addr6, "");
}

/* Each path over IPv6 where the mode has it: the targets of a dual-stack lab. */
static void test_family_targets(void **state)
{
	static struct lab lab;
	struct lab_config cfg;
	struct bench_target t;
	enum bench_family f;
	char why[320];

	(void)state;
	assert_int_equal(bench_family_parse("6", &f), 0);
	assert_int_equal(f, FAMILY_IPV6);
	assert_int_equal(bench_family_parse("ipv4", &f), 0);
	assert_int_equal(f, FAMILY_IPV4);
	assert_int_equal(bench_family_parse("v6", &f), -EINVAL);
	assert_int_equal(bench_family_parse(NULL, &f), -EINVAL);
	assert_string_equal(bench_family_name(FAMILY_IPV6), "ipv6");
	lab_config_default(&cfg);
	cfg.dual_stack = true;
	assert_int_equal(lab_init(&lab, &cfg, "test"), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_AWSVPC, 80), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_HOST, 81), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_BRIDGE, 82), 0);
	assert_int_equal(path_target_family(&lab, &lab.tasks[0], NULL, PATH_INGRESS, FAMILY_IPV6,
					    &t, why, sizeof(why)),
			 0);
	assert_int_equal(t.family, FAMILY_IPV6);
	assert_string_equal(t.server_bind, "::");
	assert_string_equal(t.dst_addr, "2001:2::b");
	assert_int_equal(t.dst_port, 80);
	assert_int_equal(path_target_family(&lab, &lab.tasks[1], NULL, PATH_INGRESS, FAMILY_IPV6,
					    &t, why, sizeof(why)),
			 0);
	assert_string_equal(t.server_bind, "2001:2::2");
	assert_string_equal(t.dst_addr, "2001:2::2");
	assert_int_equal(path_target_family(&lab, &lab.tasks[0], NULL, PATH_EGRESS, FAMILY_IPV6, &t,
					    why, sizeof(why)),
			 0);
	assert_string_equal(t.dst_addr, "2001:2::1");
	assert_string_equal(t.client_ns, lab.tasks[0].ns);
	assert_int_equal(path_target_family(&lab, &lab.tasks[0], &lab.tasks[1], PATH_INTRA_HOST,
					    FAMILY_IPV6, &t, why, sizeof(why)),
			 0);
	assert_string_equal(t.dst_addr, "2001:2::2");
	assert_int_equal(path_target_family(&lab, &lab.tasks[1], NULL, PATH_LOCAL, FAMILY_IPV6, &t,
					    why, sizeof(why)),
			 0);
	assert_string_equal(t.dst_addr, "::1");
	/* IPv4 as ever. */
	assert_int_equal(path_target_family(&lab, &lab.tasks[0], NULL, PATH_INGRESS, FAMILY_IPV4,
					    &t, why, sizeof(why)),
			 0);
	assert_int_equal(t.family, FAMILY_IPV4);
	assert_string_equal(t.dst_addr, "198.18.0.11");
	/*
	 * A bridge task over IPv6: the instance's IPv6 address at its hostPort, the
	 * server on the task's IPv4 (docker-proxy on "::" between); locally [::1].
	 */
	assert_int_equal(path_target_family(&lab, &lab.tasks[2], NULL, PATH_INGRESS, FAMILY_IPV6,
					    &t, why, sizeof(why)),
			 0);
	assert_int_equal(t.family, FAMILY_IPV6);
	assert_string_equal(t.server_bind, "0.0.0.0");
	assert_string_equal(t.dst_addr, "2001:2::2");
	assert_int_equal(t.dst_port, lab.tasks[2].host_port);
	assert_int_equal(t.server_port, 82);
	assert_int_equal(path_target_family(&lab, &lab.tasks[2], NULL, PATH_LOCAL, FAMILY_IPV6, &t,
					    why, sizeof(why)),
			 0);
	assert_string_equal(t.dst_addr, "::1");
	assert_string_equal(t.client_ns, lab.ns_inst);
	/* Refused, saying why: a bridge task's own address, the agent's endpoint, ... */
	assert_int_equal(path_target_family(&lab, &lab.tasks[2], NULL, PATH_EGRESS, FAMILY_IPV6,
					    &t, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "a bridge task has no IPv6 address of its own"));
	/* ... a bridge task's hostPort without docker-proxy, a peer without IPv6. */
	lab.cfg.userland_proxy = false;
	assert_int_equal(path_target_family(&lab, &lab.tasks[2], NULL, PATH_INGRESS, FAMILY_IPV6,
					    &t, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "--userland-proxy on"));
	lab.cfg.userland_proxy = true;
	assert_int_equal(path_target_family(&lab, &lab.tasks[1], NULL, PATH_AGENT, FAMILY_IPV6, &t,
					    why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "IPv4 only"));
	assert_int_equal(path_target_family(&lab, &lab.tasks[0], &lab.tasks[2], PATH_INTRA_HOST,
					    FAMILY_IPV6, &t, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(
		path_family_available(MODE_NONE, PATH_LOOPBACK, FAMILY_IPV6, why, sizeof(why)),
		-EINVAL);
	assert_non_null(strstr(why, "mode none has no IPv6"));
	assert_int_equal(path_family_available(MODE_BRIDGE, PATH_INGRESS, FAMILY_IPV4, NULL, 0), 0);
	/* A lab built without dual stack has no IPv6 to measure. */
	lab_config_default(&cfg);
	assert_int_equal(lab_init(&lab, &cfg, "test"), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_HOST, 81), 0);
	assert_int_equal(path_target_family(&lab, &lab.tasks[0], NULL, PATH_INGRESS, FAMILY_IPV6,
					    &t, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "without dual stack"));
}

static void test_none_and_names(void **state)
{
	static struct lab lab;
	const char *names[8];

	(void)state;
	new_lab(&lab, 0);
	assert_int_equal(lab_plan_task(&lab, MODE_NONE, 7), 0);
	assert_int_equal(lab_plan_task(&lab, MODE_HOST, 7), 0);
	assert_string_equal(lab.tasks[0].ep_addr, "127.0.0.1");
	assert_string_equal(lab.tasks[0].client_ns, lab.tasks[0].ns);
	assert_int_equal(lab_namespaces(&lab, names, 8), 3);
	assert_string_equal(names[2], lab.tasks[0].ns);
	assert_int_equal(lab_plan_task(&lab, MODE_NONE, 0), -EINVAL);
	/* Interface names of the lab stay within IFNAMSIZ; namespace names carry the id. */
	assert_true(strncmp(lab.ns_vpc, "nsb-", 4) == 0);
	assert_non_null(strstr(lab.ns_inst, lab.id));
}

static void test_ids_differ(void **state)
{
	static struct lab a, b;

	(void)state;
	new_lab(&a, 0);
	new_lab(&b, 0);
	assert_string_not_equal(a.id, b.id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_static_hostport_conflict),
		cmocka_unit_test(test_host_conflict),
		cmocka_unit_test(test_awsvpc_no_conflict_and_eni_limit),
		cmocka_unit_test(test_address_plan),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_dual_stack_plan),
		cmocka_unit_test(test_family_targets),
		cmocka_unit_test(test_security_group_awsvpc_only),
		cmocka_unit_test(test_none_and_names),
		cmocka_unit_test(test_ids_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
