/* SPDX-License-Identifier: MIT */
/* Helpers shared by the tests: cmocka, root checks, root-namespace snapshots. */
#ifndef NSB_TESTLIB_H
#define NSB_TESTLIB_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <dirent.h>
#include <sys/wait.h>
#include <fcntl.h>

#include <jansson.h>

#include "harness/lab/clean.h"
#include "harness/lab/state.h"
#include "netns/netns.h"

/* The binaries under test, from the top of the tree, where make runs the tests. */
#define NSB "./nsbench"
/* The test build: honours NSBENCH_FAIL_AFTER, NSBENCH_BREAK and the other hooks of testhooks.h. */
#define NSB_TEST "./nsbench-test"

#define SKIP_UNLESS_ROOT()                                                                         \
	do {                                                                                       \
		if (geteuid() != 0) {                                                              \
			print_message("SKIP: needs root to build network namespaces\n");           \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/*
 * NSBENCH_TEST_FILTER=GLOB runs only the tests whose names match (cmocka's
 * filter): one test of a suite, while others use the machine.
 */
static inline void tl_filter_from_env(void)
{
	const char *f = getenv("NSBENCH_TEST_FILTER");

	if (f && *f)
		cmocka_set_test_filter(f);
}

/* A scratch directory for a test group: tl_dir, made by the setup, removed by the teardown. */
static char tl_dir[] = "/tmp/nsbench-test-XXXXXX";

static inline int tl_tmpdir_setup(void **state)
{
	(void)state;
	return mkdtemp(tl_dir) ? 0 : -1;
}

static inline int tl_tmpdir_teardown(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tl_dir);
	return system(cmd);
}

/* The output of a shell command, NUL-terminated; the caller frees it. */
static inline char *tl_capture(const char *cmd, int *status)
{
	size_t cap = 4096, len = 0, n;
	char *buf = malloc(cap);
	FILE *p = popen(cmd, "r");

	if (!buf || !p)
		abort();
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
	}
	buf[len] = '\0';
	n = (size_t)pclose(p);
	if (status)
		*status = WIFEXITED((int)n) ? WEXITSTATUS((int)n) : -1;
	return buf;
}

/*
 * tl_run(EXPECT, FMT, ...): the shell command line FMT makes, run as
 * tl_capture runs it: its output (the caller frees it), once its exit status
 * is asserted to be EXPECT; when it is not, the output is printed first. A
 * failure names the caller's line.
 */
#define tl_run(expect, ...) tl_run_at(__FILE__, __LINE__, (expect), __VA_ARGS__)

static inline char *tl_run_at(const char *file, int line, int expect, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline char *tl_run_at(const char *file, int line, int expect, const char *fmt, ...)
{
	char *cmd, *out;
	va_list ap;
	int st, n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(cmd = malloc((size_t)n + 1)))
		abort();
	va_start(ap, fmt);
	vsnprintf(cmd, (size_t)n + 1, fmt, ap);
	va_end(ap);
	out = tl_capture(cmd, &st);
	free(cmd);
	if (st != expect)
		print_error("%s\n", out);
	_assert_int_equal(cast_to_largest_integral_type(st), cast_to_largest_integral_type(expect),
			  file, line);
	return out;
}

/*
 * What a lab must never touch: the root namespace's links, addresses, routes,
 * nftables ruleset and the sysctls the lab writes in its own namespaces.
 */
static inline char *tl_root_snapshot(void)
{
	return tl_capture("ip -o link show | sed 's/ qlen [0-9]*//'; ip -o addr show; "
			  "ip route show table all; ip -6 route show table all; "
			  "nft list ruleset 2>&1; "
			  "iptables-nft-save 2>&1 | grep -v '^#'; "
			  "iptables-legacy-save 2>&1 | grep -v '^#'; "
			  "for k in net/ipv4/ip_forward net/ipv6/conf/all/disable_ipv6 "
			  "net/ipv6/conf/default/disable_ipv6 net/ipv4/ip_local_port_range "
			  "net/bridge/bridge-nf-call-iptables; do "
			  "printf '%s=' $k; cat /proc/sys/$k 2>&1; done",
			  NULL);
}

/* The root namespace as the test group found it; every root test compares against it. */
static char *tl_root_before;

static inline void assert_root_unchanged(void)
{
	char *now = tl_root_snapshot();

	if (strcmp(now, tl_root_before))
		print_error("root namespace changed:\n--- before\n%s\n--- after\n%s\n",
			    tl_root_before, now);
	assert_string_equal(now, tl_root_before);
	free(now);
}

static inline int tl_setup_group(void **state)
{
	(void)state;
	if (geteuid() == 0)
		tl_root_before = tl_root_snapshot();
	return 0;
}

static inline int tl_teardown_group(void **state)
{
	(void)state;
	free(tl_root_before);
	return 0;
}

/* A group with a scratch directory (tl_dir) as well: its setup and teardown. */
static inline int tl_setup_group_tmpdir(void **state)
{
	return tl_tmpdir_setup(state) || tl_setup_group(state);
}

static inline int tl_teardown_group_tmpdir(void **state)
{
	return tl_teardown_group(state) | tl_tmpdir_teardown(state);
}

/*
 * Around every integration test: what existed before it is noted, and after
 * it, passed or failed (cmocka runs the teardown after a failed assertion
 * too), every lab and namespace of ours that appeared during it is removed,
 * unless a live process other than this one owns it (a concurrent run). A
 * failure never leaves a lab for the next test; labs made by hand survive.
 */
#define TL_MAX 512
static char tl_seen[TL_MAX][64];
static size_t tl_nseen;

static inline bool tl_was_seen(const char *name)
{
	for (size_t i = 0; i < tl_nseen && i < TL_MAX; i++)
		if (!strcmp(tl_seen[i], name))
			return true;
	return false;
}

static inline int tl_setup_test(void **state)
{
	char ids[STATE_MAX_LABS][LAB_ID_LEN + 1];
	size_t n = 0;

	(void)state;
	tl_nseen = 0;
	if (geteuid() != 0)
		return 0;
	netns_list("nsb-", tl_seen, TL_MAX, &tl_nseen);
	if (tl_nseen > TL_MAX)
		tl_nseen = TL_MAX;
	state_list(ids, STATE_MAX_LABS, &n);
	for (size_t i = 0; i < n && i < STATE_MAX_LABS && tl_nseen < TL_MAX; i++)
		snprintf(tl_seen[tl_nseen++], 64, "%.*s.json", LAB_ID_LEN, ids[i]);
	return 0;
}

static inline int tl_teardown_test(void **state)
{
	char ids[STATE_MAX_LABS][LAB_ID_LEN + 1], names[TL_MAX][64], key[64];
	size_t n = 0, nn = 0, labs = 0, stray = 0;

	(void)state;
	if (geteuid() != 0)
		return 0;
	state_list(ids, STATE_MAX_LABS, &n);
	for (size_t i = 0; i < n && i < STATE_MAX_LABS; i++) {
		json_t *doc = NULL;
		struct lab lab;
		bool other = false;

		snprintf(key, sizeof(key), "%.*s.json", LAB_ID_LEN, ids[i]);
		if (tl_was_seen(key))
			continue;
		if (!state_load(ids[i], &lab, &doc)) {
			other = state_owner_alive(doc) &&
				json_integer_value(json_object_get(doc, "owner_pid")) != getpid();
			json_decref(doc);
			lab_free(&lab);
		}
		if (!other && clean_lab(ids[i], true, LAB_TEARDOWN_GROUP) == 0)
			labs++;
	}
	/* Namespaces without a state file: a build killed before it wrote one. */
	netns_list("nsb-", names, TL_MAX, &nn);
	state_list(ids, STATE_MAX_LABS, &n);
	for (size_t i = 0; i < nn && i < TL_MAX; i++) {
		bool described = false;

		if (tl_was_seen(names[i]))
			continue;
		for (size_t k = 0; k < n && k < STATE_MAX_LABS; k++)
			described |= !strncmp(names[i] + 4, ids[k], LAB_ID_LEN);
		if (described)
			continue;
		netns_kill_all(names[i]);
		stray += netns_delete(names[i]) == 0;
	}
	if (labs || stray)
		print_message("teardown: removed %zu lab(s) and %zu stray namespace(s) this test "
			      "left\n",
			      labs, stray);
	return 0;
}

/*
 * BIN `topo up MODE --hold` in the background (with TWO, two tasks on ports
 * 7001 and 7002): its pid once the lab is up, and the lab's id in ID ("" when
 * it did not come up). End it with SIGTERM (it removes its lab) and waitpid.
 */
static inline pid_t tl_hold_start(const char *bin, const char *mode, bool two, char id[16])
{
	char buf[4096];
	size_t len = 0;
	int pipefd[2];
	pid_t pid;

	if (pipe(pipefd))
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		if (two)
			execl(bin, bin, "topo", "up", mode, "--tasks", "2", "--port", "7001,7002",
			      "--hold", (char *)NULL);
		else
			execl(bin, bin, "topo", "up", mode, "--hold", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	/* The lab is up once its task list has been printed. */
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(pipefd[0], buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "tasks:\n") && strstr(buf, two ? "  t2 " : "  t1 "))
			break;
	}
	close(pipefd[0]);
	buf[len] = '\0';
	if (sscanf(buf, "lab %15s", id) != 1)
		id[0] = '\0';
	return pid;
}

/* Namespaces and state files a lab id left behind. */
static inline int tl_leftovers(const char *id)
{
	char prefix[32], state[32];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(prefix, sizeof(prefix), "nsb-%s-", id);
	snprintf(state, sizeof(state), "%s.json", id);
	if ((d = opendir("/run/netns"))) {
		while ((de = readdir(d)))
			n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
		closedir(d);
	}
	if ((d = opendir("/run/nsbench"))) {
		while ((de = readdir(d)))
			n += strncmp(de->d_name, state, strlen(id)) == 0;
		closedir(d);
	}
	return n;
}

#endif
