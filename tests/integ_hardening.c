// SPDX-License-Identifier: MIT
/*
 * The paths that used to fail silently, each made to fail through the test
 * build's hooks (root): a thread that cannot return from a lab namespace
 * stops everything that depends on its namespace; a UDP_RR send error is an
 * error; nftables' refusal reaches the user in its own words; a rule text of
 * any length is queued whole.
 */
#include "testlib.h"
#include <errno.h>

#include "netns/counters.h"
#include "netns/nftables.h"
#include "netns/rt.h"
#include "netns/sysctl.h"

#define SCRATCH "nsb-0bad01-vpc"

/* In a child (the process is stranded on purpose): every later step refuses. */
static void test_netns_leave_strands(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	assert_int_equal(netns_create(SCRATCH), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct snmp_counters sc;
		struct rt *rt = NULL;
		char buf[64];
		int saved = -1, code = 0;

		setenv("NSBENCH_FAIL", "netns-leave", 1);
		code |= snmp_read(SCRATCH, &sc) != -EPERM;
		unsetenv("NSBENCH_FAIL");
		/* Stranded: nothing that depends on the thread's namespace may run. */
		code |= (netns_enter(SCRATCH, &saved) != -ENOTRECOVERABLE) << 1;
		code |= (sysctl_read(NULL, "net.ipv4.ip_forward", buf, sizeof(buf)) !=
			 -ENOTRECOVERABLE)
			<< 2;
		code |= (rt_open(&rt, NULL) != -ENOTRECOVERABLE) << 3;
		code |= (netns_check() != -ENOTRECOVERABLE) << 4;
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		print_error("child: status %d (bits: which check failed)\n", WEXITSTATUS(st));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(netns_delete(SCRATCH), 0);
}

static void expect_cli_error(const char *env, const char *args, const char *words)
{
	size_t before = clean_count_leftovers();
	char cmd[512], *out;
	int st;

	snprintf(cmd, sizeof(cmd), "%s " NSB_TEST " %s 2>&1", env, args);
	out = tl_capture(cmd, &st);
	if (st != 1 || !strstr(out, words))
		print_error("%s: exit %d: %s\n", cmd, st, out);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, words));
	free(out);
	assert_int_equal(clean_count_leftovers(), before);
}

static void test_cli_fails_loudly(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	expect_cli_error("NSBENCH_FAIL=netns-leave", "topo up host", "Operation not permitted");
	/* UDP_RR used to end quietly as a success when send() failed. */
	expect_cli_error("NSBENCH_FAIL=rr-send", "measure none udp_rr --duration 1",
			 "UDP_RR client: Operation not permitted");
	/* nftables' own message, not an errno guessed from its English. */
	expect_cli_error("NSBENCH_FAIL=nft-batch", "topo up bridge --instance bare",
			 "nftables: Error:");
	/* iptables' own words, when it refuses the instance's rules; nothing left. */
	expect_cli_error("NSBENCH_FAIL=iptables-rules", "topo up bridge", "iptables-nft-restore: ");
	expect_cli_error("NSBENCH_FAIL=iptables-rules", "topo up host --instance al2",
			 "iptables-legacy-restore: ");
	assert_root_unchanged();
}

/* A comment of 4000 characters: queued whole (it overflowed a 1.5 KB buffer before). */
static void test_long_rule_queued_whole(void **state)
{
	struct portmap *pm = NULL;
	char comment[4001];
	int ret;

	(void)state;
	SKIP_UNLESS_ROOT();
	memset(comment, 'c', sizeof(comment) - 1);
	comment[sizeof(comment) - 1] = '\0';
	assert_int_equal(netns_create(SCRATCH), 0);
	assert_int_equal(portmap_open(&pm, SCRATCH), 0);
	assert_int_equal(portmap_init(pm, "nsbbr0", "198.19.0.0/24"), 0);
	assert_int_equal(portmap_queue_add(pm, "198.18.0.2", 80, "198.19.0.2", 80, 3, comment), 0);
	/* nftables takes comments up to 128 bytes: it refuses, and says so. */
	ret = portmap_commit(pm);
	assert_int_equal(ret, -EPROTO);
	assert_non_null(strstr(portmap_error(pm), "nftables: "));
	portmap_close(pm);
	assert_int_equal(netns_delete(SCRATCH), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_netns_leave_strands, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_cli_fails_loudly, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_long_rule_queued_whole, tl_setup_test,
						tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
