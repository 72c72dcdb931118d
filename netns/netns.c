// SPDX-License-Identifier: MIT
/*
 * Named network namespaces, made exactly as `ip netns add` makes them so that
 * `ip -n NAME` and `ip netns exec` work on a lab: a file under /run/netns on
 * a shared mount, with the namespace bind-mounted onto it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns/netns.h"
#include "netns/testhooks.h"

static int netns_path(const char *name, char *buf, size_t len)
{
	int n;

	if (!name || !*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return -EINVAL;
	n = snprintf(buf, len, "%s/%s", NETNS_RUN_DIR, name);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* /run/netns must be a shared mount so that the bind mounts propagate. */
static int netns_prepare_dir(void)
{
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL)
			return -errno;
		/* Not a mount point yet: bind it onto itself, once. */
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return -errno;
	}
	return 0;
}

/*
 * The file /run/netns/NAME, new, into PATH, with /run/netns locked (*LOCK_FD,
 * to close once the namespace is mounted on it) and ready for bind mounts.
 */
static int new_file(const char *name, char *path, size_t len, int *lock_fd)
{
	int fd, ret;

	*lock_fd = -1;
	ret = netns_path(name, path, len);
	if (ret)
		return ret;
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	*lock_fd = open(NETNS_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*lock_fd < 0)
		return -errno;
	if (flock(*lock_fd, LOCK_EX) < 0)
		return -errno;
	ret = netns_prepare_dir();
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int netns_create(const char *name)
{
	char path[PATH_MAX];
	int lock_fd, saved = -1;
	int ret;

	ret = new_file(name, path, sizeof(path), &lock_fd);
	if (ret)
		goto out_lock;
	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0) {
		ret = -errno;
		goto out_unlink;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		ret = -errno;
		goto out_unlink;
	}
	/* /proc/self would name the thread group leader's namespace. */
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		ret = -errno;
	if (setns(saved, CLONE_NEWNET) < 0 && !ret)
		ret = -errno;
	if (ret)
		goto out_unlink;
	close(saved);
	close(lock_fd);
	return 0;

out_unlink:
	umount2(path, MNT_DETACH);
	unlink(path);
	if (saved >= 0)
		close(saved);
out_lock:
	if (lock_fd >= 0)
		close(lock_fd);
	return ret;
}

int netns_attach(const char *name, pid_t pid)
{
	char path[PATH_MAX], src[64];
	int lock_fd, ret;

	ret = new_file(name, path, sizeof(path), &lock_fd);
	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pid);
	if (!ret && mount(src, path, "none", MS_BIND, NULL) < 0) {
		ret = -errno;
		unlink(path);
	}
	if (lock_fd >= 0)
		close(lock_fd);
	return ret;
}

int netns_delete(const char *name)
{
	char path[PATH_MAX];
	int ret;

	ret = netns_path(name, path, sizeof(path));
	if (ret)
		return ret;
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

int netns_exists(const char *name)
{
	char path[PATH_MAX];

	if (netns_path(name, path, sizeof(path)))
		return 0;
	return access(path, F_OK) == 0;
}

int netns_open(const char *name)
{
	char path[PATH_MAX];
	int ret, fd;

	ret = netns_path(name, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Set when a thread could not return from a lab namespace: from then on it
 * would act in the wrong namespace, so nothing that depends on the current
 * one may run (netns_enter and netns_check refuse).
 */
static bool stranded;

int netns_check(void)
{
	return stranded ? -ENOTRECOVERABLE : 0;
}

/* Moves only the calling thread; give the saved fd back to netns_leave(). */
int netns_enter(const char *name, int *saved_fd)
{
	int fd, saved, ret = 0;

	if (stranded)
		return -ENOTRECOVERABLE;
	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return -errno;
	fd = netns_open(name);
	if (fd < 0) {
		close(saved);
		return fd;
	}
	if (setns(fd, CLONE_NEWNET) < 0)
		ret = -errno;
	close(fd);
	if (ret) {
		close(saved);
		return ret;
	}
	*saved_fd = saved;
	return 0;
}

int netns_leave(int saved_fd)
{
	int ret = 0;

	if (saved_fd < 0)
		return 0;
	if (setns(saved_fd, CLONE_NEWNET) < 0)
		ret = -errno;
	else if (testhook_fail("netns-leave"))
		ret = -EPERM;
	close(saved_fd);
	if (ret)
		stranded = true;
	return ret;
}

/* Processes whose network namespace is NAME: compared by nsfs inode. */
int netns_pids(const char *name, pid_t *pids, size_t max, size_t *count)
{
	char path[PATH_MAX], link[64];
	struct stat ns_st, st;
	struct dirent *de;
	DIR *d;
	int ret;

	*count = 0;
	ret = netns_path(name, path, sizeof(path));
	if (ret)
		return ret;
	if (stat(path, &ns_st) < 0)
		return -errno;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		snprintf(link, sizeof(link), "/proc/%ld/ns/net", pid);
		if (stat(link, &st) < 0)
			continue;
		if (st.st_ino != ns_st.st_ino || st.st_dev != ns_st.st_dev)
			continue;
		if (*count < max)
			pids[*count] = (pid_t)pid;
		(*count)++;
	}
	closedir(d);
	return 0;
}

int netns_list(const char *prefix, char (*names)[64], size_t max, size_t *count)
{
	struct dirent *de;
	size_t plen = prefix ? strlen(prefix) : 0;
	DIR *d;

	*count = 0;
	d = opendir(NETNS_RUN_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix ? prefix : "", plen))
			continue;
		if (strlen(de->d_name) >= 64)
			continue;
		if (*count < max)
			strcpy(names[*count], de->d_name);
		(*count)++;
	}
	closedir(d);
	return 0;
}

int netns_proc_stat(pid_t pid, char *comm, size_t len, char *state, pid_t *ppid)
{
	char path[64], buf[512], *open_, *close_;
	int parent = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	open_ = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	open_ = open_ ? strchr(buf, '(') : NULL;
	close_ = open_ ? strrchr(buf, ')') : NULL;
	if (!close_ || close_[1] != ' ' || sscanf(close_ + 2, "%c %d", state, &parent) != 2)
		return -ENOENT;
	if (comm)
		snprintf(comm, len, "%.*s", (int)(close_ - open_ - 1), open_ + 1);
	if (ppid)
		*ppid = parent;
	return 0;
}

/* Gone, or a zombie: a zombie has already left its namespaces. */
static bool pid_gone(pid_t pid)
{
	char state;
	int status;

	if (waitpid(pid, &status, WNOHANG) == pid)
		return true;
	if (netns_proc_stat(pid, NULL, 0, &state, NULL))
		return true;
	return state == 'Z' || state == 'X';
}

/* One pass: SIGKILL to at most 256 of NAME's processes, waited for; *MORE when it had more. */
static int kill_pass(const char *name, bool *more)
{
	struct timespec ts = {0, 1000000};
	pid_t pids[256];
	size_t n = 0;

	*more = false;
	if (netns_pids(name, pids, 256, &n) || n == 0)
		return 0;
	if (n > 256) {
		*more = true;
		n = 256;
	}
	for (size_t i = 0; i < n; i++)
		if (pids[i] != getpid())
			kill(pids[i], SIGKILL);
	for (int tries = 0; tries < 2000; tries++) {
		bool all = true;

		for (size_t i = 0; i < n; i++)
			if (pids[i] != getpid() && !pid_gone(pids[i]))
				all = false;
		if (all)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

/* A lab of 240 bridge tasks holds 480 docker-proxies: as many passes as it takes. */
int netns_kill_all(const char *name)
{
	bool more = true;
	int ret = 0;

	for (int pass = 0; more && !ret && pass < 16; pass++)
		ret = kill_pass(name, &more);
	return ret;
}

int netns_socket(const char *name, int domain, int type)
{
	int fd, saved = -1, ret;

	if (name && (ret = netns_enter(name, &saved)))
		return ret;
	fd = socket(domain, type | SOCK_CLOEXEC, 0);
	ret = fd < 0 ? -errno : fd;
	if (name) {
		int leave = netns_leave(saved);

		if (leave && fd >= 0) {
			close(fd);
			return leave;
		}
	}
	return ret;
}
