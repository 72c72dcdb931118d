// SPDX-License-Identifier: MIT
/*
 * The VPC's side of a lab against the kernel: frames as a NIC delivers them
 * (--wire nic) against a veth's super-packets, ENI trunking's VLAN branches
 * (or its refusal where the kernel has no 8021q), and the switch's ports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labtest.h"
#include "bench/measurement.h"
#include "harness/measure/wireframes.h"

static json_t *frames_of(struct lab *lab, struct lab_task *t)
{
	struct bench_opts bo;
	json_t *wf = NULL;
	char why[512];
	int ret;

	bench_opts_default(&bo);
	assert_int_equal(bench_cpus_resolve(&bo.cpus), 0);
	bo.stream.duration_s = 1;
	bo.stream.omit_s = 0;
	ret = wire_frames(lab, t, &bo, &wf, why, sizeof(why));
	if (ret)
		print_error("%s\n", why);
	assert_int_equal(ret, 0);
	return wf;
}

static double field(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/*
 * --wire nic: where a stream enters the instance, frames per GB are within 10%
 * of 1e9 / MSS, for a bridge task (MSS from the bridge's 1500) and an awsvpc
 * one (the VPC's 9001); --wire veth: a fraction of that (GSO super-packets of
 * at least two segments each, whatever the sender's rate).
 */
static void test_frames_per_gb(void **state)
{
	static const enum lab_mode modes[] = {MODE_AWSVPC, MODE_BRIDGE};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (int w = LAB_WIRE_NIC; w <= LAB_WIRE_VETH; w++) {
		struct lab *lab = tl_lab_new(0);

		lab->cfg.wire = (enum lab_wire)w;
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			assert_int_equal(lab_plan_task(lab, modes[i], (uint16_t)(5201 + i)), 0);
		if (lab_up(lab))
			print_error("lab_up: %s\n", lab->err);
		assert_true(lab->up);
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			json_t *wf = frames_of(lab, &lab->tasks[i]);
			double ratio = field(wf, "ratio");

			print_message("--wire %s, %s: %s MTU %d, %.0f bytes per frame, %.0f frames "
				      "per GB against 1e9/MSS %.0f (%.3f)\n",
				      lab_wire_name(lab->cfg.wire), lab_mode_name(modes[i]),
				      json_string_value(json_object_get(wf, "link")),
				      (int)field(wf, "mtu"), field(wf, "bytes_per_packet"),
				      field(wf, "packets_per_gb"), field(wf, "mss_packets_per_gb"),
				      ratio);
			assert_int_equal((int)json_integer_value(json_object_get(wf, "mtu")),
					 modes[i] == MODE_BRIDGE ? 1500 : 9001);
			assert_string_equal(json_string_value(json_object_get(wf, "link")),
					    modes[i] == MODE_BRIDGE ? "eth0" : "eni-t1");
			if (w == LAB_WIRE_NIC)
				assert_true(fabs(ratio - 1) <= 0.10);
			else
				assert_true(ratio < 0.75);
			json_decref(wf);
		}
		tl_lab_done(lab);
	}
	assert_root_unchanged();
}

/* The hops of P for the lab's first task, which must match the typed path. */
static void expect_path(struct lab *lab, enum lab_path p, const char *const *want, size_t n)
{
	json_t *hp = tl_hot_path(lab, p), *hops = json_object_get(hp, "hops");

	if (json_array_size(hops) != n) {
		char *s = json_dumps(hops, JSON_COMPACT);

		print_error("measured hops %s\n", s);
		free(s);
	}
	assert_int_equal(json_array_size(hops), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(hops, i)), want[i]);
	assert_true(json_is_true(json_object_get(hp, "ok")));
	json_decref(hp);
}

/*
 * --trunking: each task's branch is a VLAN of the one trunk ENI, with a switch
 * port per VLAN; task to task goes out and back in through the trunk. Where
 * the kernel has no 8021q, the lab is refused, naming CONFIG_VLAN_8021Q.
 */
static void test_trunking(void **state)
{
	static const char *const in[] = {"vpc:vpc0", "vpc:sw-vl-t1", "vpc:sw-trunk0",
					 "inst:trunk0", "t1:eth0"};
	/* Each interface once, in the order first met: the trunk carries both ways. */
	static const char *const intra[] = {"t1:eth0",	    "inst:trunk0",  "vpc:sw-trunk0",
					    "vpc:sw-vl-t1", "vpc:sw-vl-t2", "t2:eth0"};
	struct lab *lab = tl_lab_new(0);
	int ret;
	char *out;

	(void)state;
	SKIP_UNLESS_ROOT();
	lab->cfg.trunking = true;
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5201), 0);
	assert_int_equal(lab_plan_task(lab, MODE_AWSVPC, 5202), 0);
	ret = lab_up(lab);
	if (ret) {
		/* Only a kernel without VLAN devices may refuse, and then it says so. */
		print_message("trunking refused: %s\n", lab->err);
		assert_int_equal(ret, -EOPNOTSUPP);
		assert_non_null(strstr(lab->err, "CONFIG_VLAN_8021Q"));
		lab_free(lab);
		free(lab);
		out = tl_run(1, NSB " topo up awsvpc --trunking 2>&1");
		assert_non_null(strstr(out, "CONFIG_VLAN_8021Q"));
		free(out);
		assert_root_unchanged();
		return;
	}
	expect_path(lab, PATH_INGRESS, in, sizeof(in) / sizeof(in[0]));
	expect_path(lab, PATH_INTRA_HOST, intra, sizeof(intra) / sizeof(intra[0]));
	tl_lab_done(lab);
	assert_root_unchanged();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frames_per_gb, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_trunking, tl_setup_test, tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
