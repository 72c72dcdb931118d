// SPDX-License-Identifier: MIT
/*
 * The commands' option rules, below the CLI: the lab's options (every
 * command), run's (run_config_check) and measure's (measure_check), and the
 * modes' tables they ask. Each refusal with its class: -EINVAL for options
 * that contradict each other, -EOPNOTSUPP for what a mode cannot do.
 */
#include "testlib.h"
#include <errno.h>

#include "bench/stream.h"
#include "harness/lab/mode.h"
#include "harness/lab/options.h"
#include "harness/measure/measure.h"
#include "harness/measure/runargs.h"

static char why[512];

static int set(struct lab_options *o, int c, const char *arg)
{
	return lab_option_set(o, c, arg, why, sizeof(why));
}

static int check1(const struct lab_options *o, enum lab_mode m)
{
	return lab_options_check(o, &m, 1, true, why, sizeof(why));
}

static void test_lab_option_values(void **state)
{
	struct lab_options o;

	(void)state;
	lab_options_default(&o);
	assert_int_equal(o.families, 1u << FAMILY_IPV4);
	assert_true(lab_options_proxy(&o));
	assert_int_equal(set(&o, LAB_OPT_VPC_MTU, "1500"), 0);
	assert_int_equal(o.vpc.mtu, 1500);
	assert_int_equal(set(&o, LAB_OPT_VPC_MTU, "67"), -EINVAL);
	assert_non_null(strstr(why, "--vpc-mtu '67'"));
	assert_int_equal(set(&o, LAB_OPT_WIRE, "fiber"), -EINVAL);
	assert_non_null(strstr(why, "nic or veth"));
	assert_int_equal(set(&o, LAB_OPT_IP, "4,6"), 0);
	assert_int_equal(o.families, (1u << FAMILY_IPV4) | (1u << FAMILY_IPV6));
	assert_int_equal(set(&o, LAB_OPT_IP, "6,6"), -EINVAL);
	assert_int_equal(set(&o, LAB_OPT_INSTANCE, "bare"), 0);
	/* bare's default: no docker-proxy. */
	assert_false(lab_options_proxy(&o));
	assert_int_equal(set(&o, LAB_OPT_USERLAND_PROXY, "maybe"), -EINVAL);
	assert_false(lab_option_is('x'));
	assert_true(lab_option_is(LAB_OPT_SECURITY_GROUP));
}

static void test_lab_option_rules(void **state)
{
	struct lab_options o;
	enum lab_mode two[] = {MODE_HOST, MODE_AWSVPC};

	(void)state;
	lab_options_default(&o);
	assert_int_equal(check1(&o, MODE_NONE), 0);
	/* Trunking and security groups are awsvpc's; a list with awsvpc may have them. */
	o.vpc.trunking = true;
	assert_int_equal(check1(&o, MODE_BRIDGE), -EINVAL);
	assert_non_null(strstr(why, "--trunking"));
	assert_int_equal(lab_options_check(&o, two, 2, true, why, sizeof(why)), 0);
	o.vpc.trunking = false;
	o.security_group = true;
	assert_int_equal(check1(&o, MODE_HOST), -EINVAL);
	assert_int_equal(check1(&o, MODE_AWSVPC), 0);
	o.security_group = false;
	/* A bridge MTU above the VPC's. */
	o.vpc.mtu = 1500;
	o.vpc.bridge_mtu = 9000;
	assert_int_equal(check1(&o, MODE_HOST), -EINVAL);
	o.vpc.bridge_mtu = 0;
	/* IPv6 below 1280 bytes. */
	o.families |= 1u << FAMILY_IPV6;
	o.vpc.mtu = 1200;
	o.vpc.bridge_mtu = 1200;
	assert_int_equal(check1(&o, MODE_HOST), -EINVAL);
	o.vpc.mtu = o.vpc.bridge_mtu = 0;
	/* What a mode lacks: not the options' fault. */
	assert_int_equal(check1(&o, MODE_NONE), -EOPNOTSUPP);
	assert_non_null(strstr(why, "--ip 4,6"));
	assert_int_equal(check1(&o, MODE_BRIDGE), 0);
	o.instance = INSTANCE_BARE;
	assert_int_equal(check1(&o, MODE_BRIDGE_DYNAMIC), -EOPNOTSUPP);
	assert_non_null(strstr(why, "docker-proxy"));
	/* A lab built, not measured (topo up): bridge over IPv6 without the proxy is built. */
	{
		enum lab_mode b = MODE_BRIDGE;

		assert_int_equal(lab_options_check(&o, &b, 1, false, why, sizeof(why)), 0);
	}
	/* bare with docker-proxy asked for. */
	o.families = 1u << FAMILY_IPV4;
	o.proxy = 1;
	assert_int_equal(check1(&o, MODE_HOST), -EINVAL);
}

/* What each mode is, from its table: one property each, as the modes differ. */
static void test_mode_tables(void **state)
{
	(void)state;
	assert_true(mode_bridged(MODE_BRIDGE) && mode_bridged(MODE_BRIDGE_DYNAMIC));
	assert_false(mode_bridged(MODE_AWSVPC) || mode_bridged(MODE_HOST) ||
		     mode_bridged(MODE_NONE));
	assert_true(mode_own_eni(MODE_AWSVPC));
	assert_false(mode_own_eni(MODE_BRIDGE) || mode_own_eni(MODE_HOST));
	assert_true(mode_static_port(MODE_BRIDGE) && mode_static_port(MODE_HOST));
	assert_false(mode_static_port(MODE_BRIDGE_DYNAMIC) || mode_static_port(MODE_AWSVPC));
	for (int m = 0; m < MODE_COUNT; m++)
		assert_int_equal(mode_reachable((enum lab_mode)m), m != MODE_NONE);
	assert_int_equal(path_default(MODE_NONE), PATH_LOOPBACK);
	assert_int_equal(path_default(MODE_AWSVPC), PATH_INGRESS);
	assert_int_equal(path_available(MODE_NONE, PATH_EGRESS, INSTANCE_AL2023, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(path_available(MODE_HOST, PATH_AGENT, INSTANCE_BARE, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(
		path_family_available(MODE_BRIDGE, PATH_EGRESS, FAMILY_IPV6, why, sizeof(why)),
		-EINVAL);
	assert_non_null(strstr(why, "a bridge task has no IPv6"));
	assert_int_equal(
		path_family_available(MODE_BRIDGE, PATH_LOCAL, FAMILY_IPV6, why, sizeof(why)), 0);
}

static int run_check(struct run_args *a, struct run_config *cfg)
{
	return run_config_check(a, 1, cfg, why, sizeof(why));
}

static void test_run_rules(void **state)
{
	static struct run_config cfg;
	struct run_args a;

	(void)state;
	run_args_default(&a);
	assert_int_equal(run_check(&a, &cfg), 0);
	assert_true(cfg.nmodes > 1 && cfg.hot_path);
	a.modes = "host,host";
	assert_int_equal(run_check(&a, &cfg), -EINVAL);
	assert_non_null(strstr(why, "each once"));
	a.modes = "host,bridge";
	a.tests = "tcp_rr";
	a.window = "1M";
	assert_int_equal(run_check(&a, &cfg), -EINVAL);
	assert_non_null(strstr(why, "--window applies to the libiperf tests"));
	a.window = NULL;
	a.max_reps = "8";
	assert_int_equal(run_check(&a, &cfg), -EINVAL);
	assert_non_null(strstr(why, "--target's budget"));
	a.target = "2";
	assert_int_equal(run_check(&a, &cfg), 0);
	assert_int_equal(cfg.max_reps, 8);
	a.target = a.max_reps = NULL;
	a.lab.security_group = true;
	assert_int_equal(run_check(&a, &cfg), -EINVAL);
	a.lab.security_group = false;
	a.modes = "bridge,awsvpc";
	a.schedule = SCHED_DUET;
	a.schedule_set = true;
	assert_int_equal(run_check(&a, &cfg), -EINVAL);
	assert_non_null(strstr(why, "beside host mode"));
	a.modes = "host,bridge";
	a.reps = "3";
	assert_int_equal(run_check(&a, &cfg), 0);
	/* Each side on each CPU as often. */
	assert_int_equal(cfg.reps, 4);
	a.schedule = SCHED_DEFAULT;
	a.schedule_set = false;
	a.reps = NULL;
	a.modes = "none";
	a.lab.families = 1u << FAMILY_IPV6;
	assert_int_equal(run_check(&a, &cfg), -EOPNOTSUPP);
}

static long sysctl_of(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * run's window: fixed at 2 MiB by default, or at what both ends may ask for
 * where that is less; auto leaves it to the kernel (0); a size is taken as
 * given; neither is refused with the forms it takes.
 */
static void test_run_window(void **state)
{
	static struct run_config cfg;
	struct run_args a;
	long r = sysctl_of("/proc/sys/net/core/rmem_max");
	long w = sysctl_of("/proc/sys/net/core/wmem_max");
	long expect = 2 << 20;

	(void)state;
	assert_true(r > 0 && w > 0);
	if (r < expect)
		expect = r;
	if (w < expect)
		expect = w;
	run_args_default(&a);
	assert_int_equal(run_check(&a, &cfg), 0);
	assert_int_equal(cfg.bo.stream.window, expect);
	assert_int_equal(stream_window_steady(), expect);
	a.window = "auto";
	assert_int_equal(run_check(&a, &cfg), 0);
	assert_int_equal(cfg.bo.stream.window, 0);
	a.window = "512K";
	assert_int_equal(run_check(&a, &cfg), 0);
	assert_int_equal(cfg.bo.stream.window, 512 << 10);
	a.window = "autotune";
	assert_int_equal(run_check(&a, &cfg), -EINVAL);
	assert_non_null(strstr(why, "auto, or 1024 bytes"));
	/* auto, too, names a setting of tests this run does not measure. */
	a.window = "auto";
	a.tests = "tcp_rr";
	assert_int_equal(run_check(&a, &cfg), -EINVAL);
	assert_non_null(strstr(why, "--window applies to the libiperf tests"));
}

static void test_measure_rules(void **state)
{
	struct measure_req r;

	(void)state;
	measure_req_default(&r);
	r.mode = MODE_BRIDGE;
	r.test = TEST_TCP_RR;
	assert_int_equal(measure_check(&r, why, sizeof(why)), 0);
	assert_int_equal(r.path, PATH_INGRESS);
	r.path = PATH_INTRA_HOST;
	r.path_set = true;
	assert_int_equal(measure_check(&r, why, sizeof(why)), -EINVAL);
	r.path = PATH_AGENT;
	r.test = TEST_UDP_RR;
	assert_int_equal(measure_check(&r, why, sizeof(why)), -EOPNOTSUPP);
	assert_non_null(strstr(why, "TCP only"));
	r.path_set = false;
	r.test = TEST_TCP_STREAM;
	r.hot = true;
	assert_int_equal(measure_check(&r, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "--hot-path"));
	r.hot = false;
	r.duration = 1.5;
	r.duration_set = true;
	assert_int_equal(measure_check(&r, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "whole seconds"));
	measure_req_default(&r);
	r.mode = MODE_NONE;
	r.test = TEST_TCP_RR;
	r.path = PATH_EGRESS;
	r.path_set = true;
	assert_int_equal(measure_check(&r, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "mode none has only the loopback path"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_option_values), cmocka_unit_test(test_lab_option_rules),
		cmocka_unit_test(test_mode_tables),	  cmocka_unit_test(test_run_rules),
		cmocka_unit_test(test_run_window),	  cmocka_unit_test(test_measure_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
