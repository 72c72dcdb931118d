// SPDX-License-Identifier: MIT
/*
 * The Debian package (root): scripts/package-test.sh builds it from a copy
 * of the tree, runs lintian, installs it, runs `nsbench --version` and
 * `nsbench doctor` from /usr/bin, removes it and checks nothing is left.
 * Skips with its reason when dpkg-buildpackage is absent or an nsbench
 * package is installed already.
 */
#include "testlib.h"

static void test_package_round_trip(void **state)
{
	char *out;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_capture("scripts/package-test.sh 2>&1", &st);
	if (st == 4) {
		print_message("%s", out);
		free(out);
		skip();
	}
	if (st)
		print_error("%s\n", out);
	print_message("%s", out);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "built nsbench_0.1.0_amd64.deb"));
	/* Dependencies from the shared libraries it links (shlibs). */
	assert_non_null(strstr(out, "libnftables1"));
	assert_non_null(strstr(out, "libiperf0"));
	assert_non_null(strstr(out, "\nnsbench 0.1.0\n"));
	assert_non_null(strstr(out, "man page nsbench(8) installed"));
	assert_non_null(strstr(out, "removed, nothing left"));
	/* lintian clean: nothing between its heading and the install. */
	assert_non_null(strstr(out, "package-test: lintian:\nnsbench 0.1.0"));
	free(out);
	assert_int_equal(system("test ! -e /usr/bin/nsbench"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_package_round_trip),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
