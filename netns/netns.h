/* SPDX-License-Identifier: MIT */
#ifndef NSB_NETNS_H
#define NSB_NETNS_H

#include <stddef.h>
#include <sys/types.h>

#define NETNS_RUN_DIR "/run/netns"

int netns_create(const char *name);
int netns_delete(const char *name);
/* Names the network namespace of process PID NAME, as `ip netns attach NAME PID` does. */
int netns_attach(const char *name, pid_t pid);
int netns_exists(const char *name);
int netns_open(const char *name);
int netns_enter(const char *name, int *saved_fd);
/*
 * Back to the namespace netns_enter saved. On failure the process is marked
 * stranded: every later netns_enter and netns_check fails with
 * -ENOTRECOVERABLE, and the caller must abort what it was doing.
 */
int netns_leave(int saved_fd);
/* 0, or -ENOTRECOVERABLE once a netns_leave has failed in this process. */
int netns_check(void);
/* A socket(DOMAIN, TYPE | SOCK_CLOEXEC) of namespace NAME (the thread's own when NULL). */
int netns_socket(const char *name, int domain, int type);
int netns_pids(const char *name, pid_t *pids, size_t max, size_t *count);
/*
 * SIGKILL, by pid, every process in namespace NAME (never the caller), and wait
 * up to 2 s until they are gone; -ETIMEDOUT if some are not.
 */
int netns_kill_all(const char *name);
/*
 * From /proc/PID/stat: its name (COMM, LEN bytes; may be NULL), its state
 * letter and its parent's pid (PPID may be NULL). 0, or -ENOENT when it is
 * gone or unreadable.
 */
int netns_proc_stat(pid_t pid, char *comm, size_t len, char *state, pid_t *ppid);
int netns_list(const char *prefix, char (*names)[64], size_t max, size_t *count);

#endif
