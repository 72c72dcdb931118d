// SPDX-License-Identifier: MIT
/*
 * `nsbench claims` on this machine (root): every claim holds or says why it
 * cannot be checked; a lab built without the port-conflict check makes its
 * row fail; nothing is left behind.
 */
#include "testlib.h"
#include <jansson.h>

#include "clean.h"

static void test_all_claims(void **state)
{
	size_t before = clean_count_leftovers(), i;
	json_t *rows, *row;
	json_error_t jerr;
	char *out;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_capture("./nsbench claims --format json 2>/dev/null", &st);
	rows = json_loads(out, 0, &jerr);
	if (!rows)
		print_error("not JSON: %s\n", out);
	assert_non_null(rows);
	assert_true(json_array_size(rows) >= 16);
	json_array_foreach(rows, i, row) {
		const char *v = json_string_value(json_object_get(row, "verdict"));
		const char *ev = json_string_value(json_object_get(row, "evidence"));

		if (strcmp(v, "holds") && strcmp(v, "cannot check"))
			print_error("%s: %s: %s\n", json_string_value(json_object_get(row, "id")),
				    v, ev);
		assert_true(!strcmp(v, "holds") || !strcmp(v, "cannot check"));
		/* Evidence, or the reason it could not be checked: never empty. */
		assert_true(ev && strlen(ev) > 10);
	}
	assert_int_equal(st, 0);
	json_decref(rows);
	free(out);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

static void test_broken_claim_fails(void **state)
{
	size_t before = clean_count_leftovers();
	char *out;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_capture("NSBENCH_BREAK=port-conflict ./nsbench claims "
			 "--only bridge-static-port,host-port --format markdown 2>&1",
			 &st);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, "| bridge | a static hostPort serves one task per instance | "
				    "**does not hold** |"));
	/* The other row still holds. */
	assert_non_null(strstr(out, "| host | no port remapping; a second task on the same port "
				    "fails | **holds** |"));
	free(out);
	out = tl_capture("./nsbench claims --only bridge-static-port 2>&1", &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "holds"));
	free(out);
	assert_int_equal(clean_count_leftovers(), before);
}

static void test_bad_input(void **state)
{
	char *out;
	int st;

	(void)state;
	out = tl_capture("./nsbench claims --only nosuch 2>&1", &st);
	assert_int_equal(st, 2);
	assert_non_null(strstr(out, "unknown claim 'nosuch'"));
	free(out);
	out = tl_capture("./nsbench claims --format yaml 2>&1", &st);
	assert_int_equal(st, 2);
	free(out);
	out = tl_capture("./nsbench claims --list", &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "awsvpc-security-group"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_broken_claim_fails),
		cmocka_unit_test(test_all_claims),
	};

	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
