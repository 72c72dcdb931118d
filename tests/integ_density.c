// SPDX-License-Identifier: MIT
/*
 * Density (root): N = 1, 2, 4 tasks per instance in every mode, driven
 * together: every task reachable, aggregate throughput > 0, the ENI limit
 * where awsvpc stops, and nothing left behind.
 */
#include "labtest.h"
#include <glob.h>

#include "harness/lab/clean.h"
#include "harness/lab/lab.h"
#include "harness/reports/results.h"
#include "netns/probe.h"

static char dir[] = "/tmp/nsbench-density-XXXXXX";

static void test_all_tasks_reachable(void **state)
{
	static const enum lab_mode modes[] = {MODE_AWSVPC, MODE_BRIDGE, MODE_BRIDGE_DYNAMIC,
					      MODE_HOST, MODE_NONE};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t m = 0; m < 5; m++)
		for (unsigned int n = 1; n <= 4; n *= 2) {
			struct lab *lab = tl_lab_new(0);

			for (unsigned int i = 0; i < n; i++) {
				uint16_t port = modes[m] == MODE_BRIDGE || modes[m] == MODE_HOST
							? (uint16_t)(6000 + i)
							: 6000;

				assert_int_equal(lab_plan_task(lab, modes[m], port), 0);
			}
			assert_int_equal(lab_up(lab), 0);
			for (unsigned int i = 0; i < n; i++) {
				struct lab_task *t = &lab->tasks[i];
				int ret = probe_tcp(
					t->ns, t->mode == MODE_HOST ? lab->inst_addr : "0.0.0.0",
					t->container_port, t->client_ns, t->ep_addr, t->ep_port,
					2000);

				if (ret)
					print_error("%s x%u: t%u: %s\n", lab_mode_name(modes[m]), n,
						    t->id, strerror(-ret));
				assert_int_equal(ret, 0);
			}
			tl_lab_done(lab);
		}
	assert_root_unchanged();
}

static void test_run_density(void **state)
{
	char *out, why[256], pat[300];
	size_t before = clean_count_leftovers(), i;
	json_t *doc, *e;
	glob_t g;
	int seen[5][5] = {{0}};

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(0,
		     NSB " run --tasks 1,2,4 --max-enis 3 --tests tcp_stream,tcp_rr --reps 1 "
			 "--duration 1 --rr-duration 0.2 --no-hot-path --out %s 2>&1",
		     dir);
	assert_non_null(strstr(out, "density"));
	free(out);
	snprintf(pat, sizeof(pat), "%s/*.json", dir);
	assert_int_equal(glob(pat, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	assert_int_equal(results_load(g.gl_pathv[0], &doc, why, sizeof(why)), 0);
	globfree(&g);
	json_array_foreach(json_object_get(doc, "results"), i, e) {
		const char *mode = json_string_value(json_object_get(e, "mode"));
		const char *test = json_string_value(json_object_get(e, "test"));
		unsigned int n = results_entry_ntasks(e);
		json_t *s = json_object_get(e, "summary"), *rep0;
		int mi = !strcmp(mode, "awsvpc")	   ? 0
			 : !strcmp(mode, "bridge")	   ? 1
			 : !strcmp(mode, "bridge-dynamic") ? 2
			 : !strcmp(mode, "host")	   ? 3
							   : 4;

		seen[mi][n]++;
		rep0 = json_array_get(json_object_get(e, "reps"), 0);
		if (n > 1)
			/* One result per task, all of them working. */
			assert_int_equal(json_array_size(json_object_get(rep0, "per_task")), n);
		if (!strcmp(test, "tcp_stream")) {
			assert_true(json_number_value(json_object_get(
					    json_object_get(s, "throughput_bps"), "median")) > 0);
			if (n > 1) {
				json_t *t;
				size_t k;

				json_array_foreach(json_object_get(rep0, "per_task"), k, t)
					assert_true(json_number_value(json_object_get(
							    t, "throughput_bps")) > 0);
			}
		} else {
			assert_true(json_number_value(json_object_get(json_object_get(s, "tps"),
								      "median")) > 0);
		}
	}
	/* Two tests for each mode at each N, except awsvpc at 4: beyond 3 ENIs. */
	for (int m = 0; m < 5; m++)
		for (int n = 1; n <= 4; n *= 2)
			assert_int_equal(seen[m][n], m == 0 && n == 4 ? 0 : 2);
	assert_int_equal(json_array_size(json_object_get(doc, "density_limits")), 1);
	assert_non_null(strstr(
		json_string_value(json_object_get(
			json_array_get(json_object_get(doc, "density_limits"), 0), "refused")),
		"ENI limit"));
	assert_int_equal(json_array_size(json_object_get(doc, "density")), 14);
	json_decref(doc);
	assert_int_equal(clean_count_leftovers(), before);
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
		cmocka_unit_test_setup_teardown(test_all_tasks_reachable, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_run_density, tl_setup_test, tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, setup, teardown);
}
