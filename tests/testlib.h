/* SPDX-License-Identifier: MIT */
/* Helpers shared by the tests: cmocka, root checks, root-namespace snapshots. */
#ifndef NSB_TESTLIB_H
#define NSB_TESTLIB_H

#define _GNU_SOURCE
#include <stdarg.h>
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

#define SKIP_UNLESS_ROOT()                                                                         \
	do {                                                                                       \
		if (geteuid() != 0) {                                                              \
			print_message("SKIP: needs root to build network namespaces\n");           \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

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
 * What a lab must never touch: the root namespace's links, addresses, routes,
 * nftables ruleset and the sysctls the lab writes in its own namespaces.
 */
static inline char *tl_root_snapshot(void)
{
	return tl_capture("ip -o link show | sed 's/ qlen [0-9]*//'; ip -o addr show; "
			  "ip route show table all; ip -6 route show table all; "
			  "nft list ruleset 2>&1; "
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
