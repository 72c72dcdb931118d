/* SPDX-License-Identifier: MIT */
#ifndef NSB_SWEEP_H
#define NSB_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Finding and removing what a daemon's tree leaves on the machine (the
 * Docker engine of calibrate, engine.c): its live processes, by command
 * line or cgroup; the mounts under a folder; cgroup folders; a folder tree.
 */

/* PID's command line, NULs as spaces (empty when it is gone or a kernel thread). */
void sweep_cmdline(pid_t pid, char *buf, size_t len);
/* Whether PID's cgroups (/proc/PID/cgroup) name NEEDLE. */
bool sweep_in_cgroup(pid_t pid, const char *needle);
/* Whether PID runs (not a zombie: PID 1 here reaps nothing). */
bool sweep_live(pid_t pid);
/*
 * The live processes, this one aside, whose command line holds CMD or whose
 * cgroups name CG (either may be NULL): into PIDS, at most MAX; how many.
 */
size_t sweep_pids(const char *cmd, const char *cg, pid_t *pids, size_t max);
/* Every mount at or under DIR, deepest first, lazily (a busy one goes when freed). */
void sweep_unmount_under(const char *dir);
/* The cgroup folder NAME and the folders in it, in every hierarchy (v1 and v2). */
void sweep_cgroups(const char *name);
/* DIR and everything under it, not crossing mounts. 0, or -errno when it stays. */
int sweep_tree(const char *dir);

#endif
