// SPDX-License-Identifier: MIT
/*
 * nsbench beside itself (root): two runs at once, ten `topo up` in parallel,
 * and `clean` while a run is live. Lab ids, namespaces, state files, nft
 * tables and ports never collide: each succeeds, and `clean` leaves a live
 * run's lab alone.
 */
#include "testlib.h"
#include <glob.h>
#include <jansson.h>

static size_t json_files(const char *dir)
{
	char pat[1100];
	glob_t g;
	size_t n;

	snprintf(pat, sizeof(pat), "%s/*.json", dir);
	if (glob(pat, 0, NULL, &g))
		return 0;
	n = g.gl_pathc;
	globfree(&g);
	return n;
}

static void test_two_runs_at_once(void **state)
{
	char dir[] = "/tmp/nsbench-conc-XXXXXX", cmd[1024], *out;
	size_t before;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	assert_non_null(mkdtemp(dir));
	before = clean_count_leftovers();
	/* Both in the background of one shell; each one's exit status printed. */
	snprintf(cmd, sizeof(cmd),
		 "for i in 1 2; do (" NSB " run --modes host,bridge,awsvpc --tests tcp_rr "
		 "--reps 2 --rr-duration 0.3 --out %s/$i >/dev/null 2>%s/$i.log; "
		 "echo \"run $i exit $?\") & done; wait",
		 dir, dir);
	out = tl_capture(cmd, &st);
	if (!strstr(out, "run 1 exit 0") || !strstr(out, "run 2 exit 0")) {
		char *log;

		snprintf(cmd, sizeof(cmd), "cat %s/1.log %s/2.log", dir, dir);
		log = tl_capture(cmd, NULL);
		print_error("%s\n%s\n", out, log);
		free(log);
	}
	assert_non_null(strstr(out, "run 1 exit 0"));
	assert_non_null(strstr(out, "run 2 exit 0"));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/1", dir);
	assert_int_equal(json_files(cmd), 1);
	snprintf(cmd, sizeof(cmd), "%s/2", dir);
	assert_int_equal(json_files(cmd), 1);
	assert_int_equal(clean_count_leftovers(), before);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_root_unchanged();
}

static void test_ten_topo_up(void **state)
{
	char *out, *line, *save = NULL;
	char ids[10][16];
	size_t before, n = 0;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	before = clean_count_leftovers();
	out = tl_capture("for i in 0 1 2 3 4 5 6 7 8 9; do (" NSB
			 " topo up bridge-dynamic --tasks 2 "
			 "--json 2>/dev/null | jq -r '.lab // \"failed\"') & done; wait",
			 &st);
	for (line = strtok_r(out, "\n", &save); line && n < 10; line = strtok_r(NULL, "\n", &save))
		snprintf(ids[n++], sizeof(ids[0]), "%s", line);
	free(out);
	assert_int_equal(n, 10);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(strlen(ids[i]), LAB_ID_LEN);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(ids[i], ids[k]);
	}
	/* Ten labs, three namespaces each (vpc, inst, and the tasks'), all there. */
	assert_true(clean_count_leftovers() >= before + 10 * 5);
	for (size_t i = 0; i < n; i++) {
		out = tl_run(0, NSB " topo down %s 2>&1", ids[i]);
		free(out);
	}
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

static void test_clean_beside_live_run(void **state)
{
	char dir[] = "/tmp/nsbench-conc-XXXXXX", cmd[1024], *out;
	size_t before;
	pid_t pid;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	assert_non_null(mkdtemp(dir));
	before = clean_count_leftovers();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char outdir[64];

		snprintf(outdir, sizeof(outdir), "%s", dir);
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(126);
		execl(NSB, NSB, "run", "--modes", "host,bridge", "--tests", "tcp_rr", "--reps", "3",
		      "--rr-duration", "0.5", "--out", outdir, (char *)NULL);
		_exit(127);
	}
	/* Its labs are up once their state files are there. */
	for (int i = 0; i < 100 && clean_count_leftovers() < before + 2; i++)
		usleep(50000);
	assert_true(clean_count_leftovers() >= before + 2);
	out = tl_capture(NSB " clean 2>&1", &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "owned by running"));
	free(out);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(json_files(dir), 1);
	assert_int_equal(clean_count_leftovers(), before);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ten_topo_up, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_clean_beside_live_run, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_two_runs_at_once, tl_setup_test,
						tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
