// SPDX-License-Identifier: MIT
/*
 * Rounds of one kernel pooled into one results document (compare --by-kernel):
 * every test's repetitions side by side and its summary recomputed over them;
 * files of another kernel or another configuration refused. No root needed.
 */
#include "testlib.h"
#include <errno.h>

#include "harness/reports/pool.h"
#include "harness/reports/results.h"

#define FIX_A "tests/fixtures/vm-6.18.44-fc-v669-20261127T224345Z.json"
#define FIX_B "tests/fixtures/vm-6.18.44-fc-v657-gpu-20261127T224727Z.json"

static json_t *load(const char *path)
{
	char why[256];
	json_t *doc = NULL;

	assert_int_equal(results_load(path, &doc, why, sizeof(why)), 0);
	return doc;
}

static void test_pool_rounds(void **state)
{
	json_t *docs[3], *pooled = NULL, *e;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++)
		docs[i] = load(FIX_A);
	assert_int_equal(results_pool(docs, NULL, 3, &pooled, why, sizeof(why)), 0);
	assert_int_equal(json_integer_value(json_object_get(pooled, "pooled_from")), 3);
	assert_string_equal(results_kernel(pooled), "6.18.44-fc-v669");
	assert_int_equal(json_array_size(json_object_get(pooled, "results")),
			 json_array_size(json_object_get(docs[0], "results")));
	json_array_foreach(json_object_get(pooled, "results"), i, e) {
		json_t *orig = results_entry_like(docs[0], e);
		size_t reps = json_array_size(json_object_get(orig, "reps"));
		json_t *s = json_object_get(json_object_get(e, "summary"), "p50_us");

		assert_non_null(orig);
		assert_int_equal(json_array_size(json_object_get(e, "reps")), 3 * reps);
		/* The summary is the pooled one: three times the repetitions. */
		if (s)
			assert_int_equal(json_integer_value(json_object_get(s, "n")), 3 * reps);
	}
	/* The files pooled are left as they were. */
	assert_null(json_object_get(docs[0], "pooled_from"));
	json_decref(pooled);
	for (i = 0; i < 3; i++)
		json_decref(docs[i]);
}

static void test_pool_refuses(void **state)
{
	static const char *const names[] = {"a.json", "b.json"};
	json_t *docs[2], *pooled = NULL;
	char why[256];

	(void)state;
	docs[0] = load(FIX_A);
	docs[1] = load(FIX_B);
	assert_int_equal(results_pool(docs, names, 2, &pooled, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "kernel"));
	assert_non_null(strstr(why, "b.json"));
	assert_null(pooled);
	json_decref(docs[1]);
	docs[1] = load(FIX_A);
	json_object_set_new(json_object_get(docs[1], "config"), "reps", json_integer(99));
	assert_int_equal(results_pool(docs, names, 2, &pooled, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "configuration"));
	assert_int_equal(results_pool(docs, NULL, 0, &pooled, why, sizeof(why)), -EINVAL);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

/* The same kernel's build differs (a patched kernel): a kernel of its own. */
static void set_build(json_t *doc, const char *version)
{
	json_object_set_new(json_object_get(doc, "host"), "kernel_version", json_string(version));
}

/* Files in command-line order: kernels grouped in the order they first appear. */
static void test_pool_by_kernel(void **state)
{
	json_t *docs[5], *out[4];
	char why[256];
	size_t n, i;
	json_t *e;

	(void)state;
	docs[0] = load(FIX_B); /* kernel v657 */
	docs[1] = load(FIX_A); /* kernel v669 */
	docs[2] = load(FIX_B);
	docs[3] = load(FIX_A);
	docs[4] = load(FIX_A);
	set_build(docs[4], "#2 patched");
	/* One repetition's value changed: the pooled set holds both values. */
	e = json_array_get(json_object_get(docs[2], "results"), 0);
	json_object_set_new(
		json_object_get(json_array_get(json_object_get(e, "reps"), 0), "metrics"),
		"pool_marker", json_integer(7));
	assert_int_equal(results_pool_by_kernel(docs, NULL, 5, out, 4, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(results_kernel(out[0]), results_kernel(docs[0]));
	assert_string_equal(results_kernel(out[1]), results_kernel(docs[1]));
	assert_string_equal(results_kernel(out[2]), results_kernel(docs[4]));
	assert_int_equal(json_integer_value(json_object_get(out[0], "pooled_from")), 2);
	assert_int_equal(json_integer_value(json_object_get(out[1], "pooled_from")), 2);
	assert_int_equal(json_integer_value(json_object_get(out[2], "pooled_from")), 1);
	{
		json_t *reps = json_object_get(results_entry_like(out[0], e), "reps");
		size_t marked = 0;
		json_t *r;

		json_array_foreach(reps, i, r)
			marked += json_object_get(json_object_get(r, "metrics"), "pool_marker") !=
				  NULL;
		assert_int_equal(marked, 1);
	}
	for (i = 0; i < n; i++)
		json_decref(out[i]);
	/* Room for two kernels only. */
	assert_int_equal(results_pool_by_kernel(docs, NULL, 5, out, 2, &n, why, sizeof(why)),
			 -E2BIG);
	assert_int_equal(n, 0);
	for (i = 0; i < 5; i++)
		json_decref(docs[i]);
}

static void set_instance(json_t *doc, const char *inst, bool proxy)
{
	json_t *cfg = json_object_get(doc, "config");

	json_object_set_new(cfg, "instance", json_string(inst));
	json_object_set_new(cfg, "userland_proxy", json_boolean(proxy));
}

/* compare --by-instance: rounds grouped by profile and proxy; a file without one was bare. */
static void test_pool_by_instance(void **state)
{
	json_t *docs[5], *out[4];
	char why[256], name[48];
	size_t n, i;

	(void)state;
	for (i = 0; i < 5; i++)
		docs[i] = load(FIX_A);
	set_instance(docs[1], "al2023", true);
	set_instance(docs[2], "al2023", false);
	set_instance(docs[3], "al2023", true);
	/* docs[0] and docs[4] have no profile: written before profiles, bare. */
	assert_int_equal(results_pool_by_instance(docs, NULL, 5, out, 4, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(results_instance(out[0], name, sizeof(name)), "bare");
	assert_string_equal(results_instance(out[1], name, sizeof(name)), "al2023");
	assert_string_equal(results_instance(out[2], name, sizeof(name)), "al2023, proxy off");
	assert_int_equal(json_integer_value(json_object_get(out[0], "pooled_from")), 2);
	assert_int_equal(json_integer_value(json_object_get(out[1], "pooled_from")), 2);
	assert_int_equal(json_integer_value(json_object_get(out[2], "pooled_from")), 1);
	for (i = 0; i < n; i++)
		json_decref(out[i]);
	for (i = 0; i < 5; i++)
		json_decref(docs[i]);
}

/* compare --by-vpc: rounds grouped by MTUs, wire and trunking; a file without "wire" is older. */
static void test_pool_by_vpc(void **state)
{
	json_t *docs[4], *out[4];
	char why[256], name[80];
	size_t n, i;

	(void)state;
	for (i = 0; i < 4; i++) {
		json_t *cfg;

		docs[i] = load(FIX_A);
		cfg = json_object_get(docs[i], "config");
		json_object_set_new(cfg, "mtu", json_pack("{s:i, s:i}", "vpc", 9001, "bridge", 1500));
		if (i)
			json_object_set_new(cfg, "wire", json_string(i == 2 ? "veth" : "nic"));
		json_object_set_new(cfg, "trunking", json_boolean(i == 3));
	}
	assert_int_equal(results_pool_by_vpc(docs, NULL, 4, out, 4, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 4);
	assert_string_equal(results_vpc(out[0], name, sizeof(name)),
			    "vpc 9001, bridge 1500, no switch (older nsbench)");
	assert_string_equal(results_vpc(out[1], name, sizeof(name)),
			    "vpc 9001, bridge 1500, wire nic");
	assert_string_equal(results_vpc(out[2], name, sizeof(name)),
			    "vpc 9001, bridge 1500, wire veth");
	assert_string_equal(results_vpc(out[3], name, sizeof(name)),
			    "vpc 9001, bridge 1500, wire nic, trunking");
	for (i = 0; i < n; i++)
		json_decref(out[i]);
	/* Two rounds of one setup are one group of both. */
	json_object_set_new(json_object_get(docs[2], "config"), "wire", json_string("nic"));
	json_object_set_new(json_object_get(docs[3], "config"), "trunking", json_false());
	assert_int_equal(results_pool_by_vpc(docs, NULL, 4, out, 4, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(json_integer_value(json_object_get(out[1], "pooled_from")), 3);
	for (i = 0; i < n; i++)
		json_decref(out[i]);
	for (i = 0; i < 4; i++)
		json_decref(docs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_rounds),
		cmocka_unit_test(test_pool_refuses),
		cmocka_unit_test(test_pool_by_kernel),
		cmocka_unit_test(test_pool_by_instance),
		cmocka_unit_test(test_pool_by_vpc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
