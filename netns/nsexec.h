/* SPDX-License-Identifier: MIT */
#ifndef NSB_NSEXEC_H
#define NSB_NSEXEC_H

#include <stddef.h>

/*
 * Runs ARGV (ARGV[0] found on PATH) inside network namespace NS with IN (or
 * nothing) on its standard input, and waits for it. Its standard output goes
 * into *OUT (malloc'd, NUL-terminated; OUT may be NULL). 0 when it exits 0;
 * -EPROTO when it exits otherwise, WHY then holding "ARGV[0]: " and the first
 * line it printed on standard error; -ENOENT when it could not be run.
 */
int nsexec_run(const char *ns, char *const argv[], const char *in, char **out, char *why,
	       size_t len);

#endif
