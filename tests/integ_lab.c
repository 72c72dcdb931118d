// SPDX-License-Identifier: MIT
/*
 * Real labs (root): reachability matrix per mode, ECS placement semantics on a
 * live lab, teardown leaving nothing, fault injection at every build step,
 * and the root namespace unchanged by all of it.
 */
#include "labtest.h"
#include <errno.h>

#include "harness/lab/lab.h"
#include "netns/netns.h"
#include "netns/probe.h"
#include "netns/rt.h"
#include "netns/sysctl.h"

#define PROBE_MS 2000

static void lab_finish(struct lab *lab)
{
	tl_lab_done(lab);
	assert_root_unchanged();
}

static void up(struct lab *lab)
{
	int ret = lab_up(lab);

	if (ret)
		print_error("lab_up: %s\n", lab->err);
	assert_int_equal(ret, 0);
}

/* From the VPC to each task's advertised endpoint, through its own server. */
static void expect_reachable(struct lab *lab)
{
	for (unsigned int i = 0; i < lab->ntasks; i++) {
		struct lab_task *t = &lab->tasks[i];
		const char *bind = t->mode == MODE_HOST ? lab->inst_addr : "0.0.0.0";
		int ret = probe_tcp(t->ns, bind, t->container_port, t->client_ns, t->ep_addr,
				    t->ep_port, PROBE_MS);

		if (ret)
			print_error("t%u (%s): %s -> %s:%u: %s\n", t->id, lab_mode_name(t->mode),
				    t->client_ns, t->ep_addr, t->ep_port, strerror(-ret));
		assert_int_equal(ret, 0);
	}
}

static void test_awsvpc_reachable(void **state)
{
	struct lab *lab;
	struct rt *rt;
	char buf[64];

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_new(3);
	/* Same containerPort twice: awsvpc tasks never conflict. */
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5201), 0);
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5201), 0);
	up(lab);
	expect_reachable(lab);
	/* Each task is addressed directly by its own VPC address. */
	assert_string_equal(lab->tasks[0].ep_addr, "198.18.0.11");
	assert_string_equal(lab->tasks[1].ep_addr, "198.18.0.12");
	/* The task's eth0 is a macvlan; the instance has no bridge. */
	assert_int_equal(rt_open(&rt, lab->tasks[0].ns), 0);
	{
		struct rt_link_info li[8];
		size_t n = 0;
		bool macvlan = false;

		assert_int_equal(rt_links(rt, li, 8, &n), 0);
		for (size_t i = 0; i < n; i++)
			macvlan |= !strcmp(li[i].name, "eth0") && !strcmp(li[i].kind, "macvlan");
		assert_true(macvlan);
	}
	rt_close(rt);
	assert_int_equal(rt_open(&rt, lab->ns_inst), 0);
	assert_int_equal(rt_ifindex(rt, "ecs0"), -ENODEV);
	rt_close(rt);
	/* IPv6 is off in the lab's namespaces, forwarding on in the instance only. */
	assert_int_equal(
		sysctl_read(lab->tasks[0].ns, "net.ipv6.conf.all.disable_ipv6", buf, sizeof(buf)),
		0);
	assert_string_equal(buf, "1");
	assert_int_equal(sysctl_read(lab->ns_inst, "net.ipv4.ip_forward", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(sysctl_read(lab->ns_vpc, "net.ipv4.ip_forward", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	lab_finish(lab);
}

static void test_bridge_static_reachable(void **state)
{
	struct lab *lab;

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_new(0);
	assert_int_equal(lab_plan_task(lab, MODE_BRIDGE, 8080), 0);
	assert_int_equal(lab_plan_task(lab, MODE_BRIDGE, 8081), 0);
	up(lab);
	expect_reachable(lab);
	assert_string_equal(lab->tasks[0].ep_addr, lab->inst_addr);
	assert_int_equal(lab->tasks[0].ep_port, 8080);
	/* Not addressable from the VPC by its own IP: the VPC has no route there. */
	assert_int_not_equal(probe_tcp(lab->tasks[0].ns, "0.0.0.0", 8080, lab->ns_vpc,
				       lab->tasks[0].addr, 8080, 300),
			     0);
	/* Egress through the masquerade: the VPC peer answers the task. */
	assert_int_equal(probe_tcp(lab->ns_vpc, lab->vpc_addr, 9000, lab->tasks[1].ns,
				   lab->vpc_addr, 9000, PROBE_MS),
			 0);
	lab_finish(lab);
}

static void test_bridge_dynamic_reachable(void **state)
{
	struct lab *lab;
	char buf[64];
	uint16_t lo, hi;

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_new(0);
	/* Same containerPort: dynamic mapping gives them distinct hostPorts. */
	assert_int_equal(lab_plan_task(lab, MODE_BRIDGE_DYNAMIC, 80), 0);
	assert_int_equal(lab_plan_task(lab, MODE_BRIDGE_DYNAMIC, 80), 0);
	up(lab);
	expect_reachable(lab);
	assert_int_equal(
		sysctl_read(lab->ns_inst, "net.ipv4.ip_local_port_range", buf, sizeof(buf)), 0);
	assert_int_equal(port_range_parse(buf, &lo, &hi), 0);
	for (int i = 0; i < 2; i++) {
		assert_true(lab->tasks[i].host_port >= lo && lab->tasks[i].host_port <= hi);
		assert_int_equal(lab->tasks[i].ep_port, lab->tasks[i].host_port);
	}
	assert_int_not_equal(lab->tasks[0].host_port, lab->tasks[1].host_port);
	lab_finish(lab);
}

static void test_host_reachable(void **state)
{
	struct lab *lab;

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_new(0);
	assert_int_equal(lab_plan_task(lab, MODE_HOST, 5201), 0);
	up(lab);
	expect_reachable(lab);
	assert_string_equal(lab->tasks[0].ns, lab->ns_inst);
	/* Host mode is refused a second task on the same port, on a live lab too. */
	assert_int_equal(lab_add_task(lab, MODE_HOST, 5201), -EADDRINUSE);
	assert_non_null(strstr(lab->err, "5201"));
	assert_int_equal(lab_add_task(lab, MODE_HOST, 5202), 0);
	expect_reachable(lab);
	lab_finish(lab);
}

static void test_none_isolated(void **state)
{
	struct rt_link_info li[8];
	struct lab *lab;
	struct rt *rt;
	size_t n = 0;

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_new(0);
	assert_int_equal(lab_plan_task(lab, MODE_NONE, 5201), 0);
	up(lab);
	/* Loopback works inside the task. */
	expect_reachable(lab);
	/* Only lo exists, and the task has no route anywhere. */
	assert_int_equal(rt_open(&rt, lab->tasks[0].ns), 0);
	assert_int_equal(rt_links(rt, li, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(li[0].name, "lo");
	assert_int_equal(rt_route_get(rt, lab->vpc_addr), -ENETUNREACH);
	rt_close(rt);
	/* Nothing in the VPC or the instance reaches the task's server. */
	assert_int_not_equal(
		probe_tcp(lab->tasks[0].ns, "0.0.0.0", 5201, lab->ns_vpc, "127.0.0.1", 5201, 300),
		0);
	assert_int_not_equal(
		probe_tcp(lab->tasks[0].ns, "0.0.0.0", 5201, lab->ns_inst, "127.0.0.1", 5201, 300),
		0);
	lab_finish(lab);
}

static void test_live_conflicts_create_nothing(void **state)
{
	struct lab *lab;
	char ns[LAB_NS_LEN];

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_new(3);
	assert_int_equal(lab_plan_task(lab, MODE_BRIDGE, 5201), 0);
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5201), 0);
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5201), 0);
	up(lab);
	snprintf(ns, sizeof(ns), "nsb-%s-t4", lab->id);
	assert_int_equal(lab_add_task(lab, MODE_BRIDGE, 5201), -EADDRINUSE);
	assert_non_null(strstr(lab->err, "t1"));
	assert_false(netns_exists(ns));
	assert_int_equal(lab_add_task(lab, MODE_AWSVPC, 5201), -ENOSPC);
	assert_false(netns_exists(ns));
	assert_int_equal(lab_add_task(lab, MODE_BRIDGE_DYNAMIC, 5201), 0);
	assert_true(netns_exists(ns));
	expect_reachable(lab);
	lab_finish(lab);
}

/* Fail at every step of a build in turn: each must leave nothing behind. */
static void fault_every_step(enum lab_mode mode)
{
	struct lab *lab = tl_lab_new(0);
	unsigned int steps;

	assert_int_equal(lab_plan_task(lab, mode, 5201), 0);
	assert_int_equal(lab_plan_task(lab, mode, 5202), 0);
	up(lab);
	steps = lab->steps;
	lab_finish(lab);
	for (unsigned int k = 0; k < steps; k++) {
		char id[LAB_ID_LEN + 1];

		lab = tl_lab_new(0);
		lab->fail_after = (int)k;
		assert_int_equal(lab_plan_task(lab, mode, 5201), 0);
		assert_int_equal(lab_plan_task(lab, mode, 5202), 0);
		assert_int_equal(lab_up(lab), -EIO);
		if (!strstr(lab->err, "fault injected"))
			print_error("step %u: %s\n", k, lab->err);
		assert_non_null(strstr(lab->err, "fault injected"));
		memcpy(id, lab->id, sizeof(id));
		lab_free(lab);
		free(lab);
		if (tl_leftovers(id))
			print_error("%s: fault after step %u left %d objects\n",
				    lab_mode_name(mode), k, tl_leftovers(id));
		assert_int_equal(tl_leftovers(id), 0);
	}
	assert_root_unchanged();
}

static void test_fault_bridge(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	fault_every_step(MODE_BRIDGE_DYNAMIC);
}

static void test_fault_awsvpc(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	fault_every_step(MODE_AWSVPC);
}

static void test_two_labs_coexist(void **state)
{
	struct lab *a, *b;

	(void)state;
	SKIP_UNLESS_ROOT();
	a = tl_lab_new(0);
	b = tl_lab_new(0);
	assert_int_equal(lab_plan_task(a, MODE_BRIDGE, 5201), 0);
	assert_int_equal(lab_plan_task(b, MODE_BRIDGE, 5201), 0);
	up(a);
	up(b);
	expect_reachable(a);
	expect_reachable(b);
	lab_finish(a);
	expect_reachable(b);
	lab_finish(b);
}

static void teardown_with(enum lab_teardown how)
{
	struct lab *lab;
	char id[LAB_ID_LEN + 1];

	lab = tl_lab_new(0);
	assert_int_equal(lab_plan_task(lab, MODE_BRIDGE, 5201), 0);
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5201), 0);
	assert_int_equal(lab_plan_task(lab, MODE_NONE, 5201), 0);
	up(lab);
	memcpy(id, lab->id, sizeof(id));
	assert_int_equal(lab_down(lab, how), 0);
	lab_free(lab);
	free(lab);
	assert_int_equal(tl_leftovers(id), 0);
	assert_root_unchanged();
}

static void test_teardown_links(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	teardown_with(LAB_TEARDOWN_LINKS);
}

static void test_teardown_netns(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	teardown_with(LAB_TEARDOWN_NETNS);
}

/* The group delete must take every link of the lab with it, in every namespace. */
static void test_teardown_group_takes_all_links(void **state)
{
	struct rt_link_info li[16];
	const char *names[8];
	struct lab *lab;
	unsigned int nns;
	struct rt *rts[8];

	(void)state;
	SKIP_UNLESS_ROOT();
	lab = tl_lab_new(0);
	assert_int_equal(lab_plan_task(lab, MODE_BRIDGE, 5201), 0);
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5201), 0);
	up(lab);
	nns = lab_namespaces(lab, names, 8);
	assert_int_equal(nns, 4);
	for (unsigned int i = 0; i < nns; i++)
		assert_int_equal(rt_open(&rts[i], names[i]), 0);
	assert_int_equal(rt_group_del(lab->rt_inst, LAB_LINK_GROUP), 0);
	/*
	 * Sockets opened before still see their namespaces: only lo is left, and in
	 * the VPC's its switch, a bridge whose ports went with their peers (the
	 * namespace takes it: nothing of it reaches the instance or the tasks).
	 */
	for (unsigned int i = 0; i < nns; i++) {
		bool vpc = !strcmp(names[i], lab->ns_vpc);
		size_t n = 0;

		assert_int_equal(rt_links(rts[i], li, 16, &n), 0);
		if (n != (vpc ? 2u : 1u))
			print_error("%s still has %zu links\n", names[i], n);
		assert_int_equal(n, vpc ? 2 : 1);
		assert_string_equal(li[0].name, "lo");
		if (vpc)
			assert_string_equal(li[1].name, "vpc0");
		rt_close(rts[i]);
	}
	lab_finish(lab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_awsvpc_reachable, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_bridge_static_reachable, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_bridge_dynamic_reachable, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_host_reachable, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_none_isolated, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_live_conflicts_create_nothing, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_fault_bridge, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_fault_awsvpc, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_two_labs_coexist, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_teardown_links, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_teardown_netns, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_teardown_group_takes_all_links, tl_setup_test,
						tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
