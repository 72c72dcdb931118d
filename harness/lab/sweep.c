// SPDX-License-Identifier: MIT
/* What a daemon's tree leaves on the machine, found and removed (sweep.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/lab/sweep.h"
#include "netns/netns.h"

void sweep_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
}

bool sweep_in_cgroup(pid_t pid, const char *needle)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, needle) != NULL;
}

bool sweep_live(pid_t pid)
{
	char state;

	return !netns_proc_stat(pid, NULL, 0, &state, NULL) && state != 'Z' && state != 'X';
}

size_t sweep_pids(const char *cmd, const char *cg, pid_t *pids, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char line[4096];
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 1 || pid == getpid() || !sweep_live(pid))
			continue;
		sweep_cmdline(pid, line, sizeof(line));
		if ((cmd && strstr(line, cmd)) || (cg && sweep_in_cgroup(pid, cg)))
			pids[n++] = pid;
	}
	closedir(d);
	return n;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void sweep_unmount_under(const char *dir)
{
	char line[8192], *mp[256];
	size_t n = 0, dl = strlen(dir);
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && n < 256) {
		char point[4096];

		/* id parent major:minor root mount-point ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 &&
		    !strncmp(point, dir, dl) && (point[dl] == '/' || !point[dl]))
			mp[n++] = strdup(point);
	}
	fclose(f);
	while (n--) {
		if (mp[n])
			umount2(mp[n], MNT_DETACH);
		free(mp[n]);
	}
}

/* The folders in PATH, then PATH (a cgroup's folder goes when its children have). */
static void remove_cgroup(const char *path)
{
	DIR *s = opendir(path);
	struct dirent *ce;
	char sub[PATH_MAX + 300];

	while (s && (ce = readdir(s)))
		if (ce->d_name[0] != '.' && ce->d_type == DT_DIR) {
			snprintf(sub, sizeof(sub), "%s/%s", path, ce->d_name);
			rmdir(sub);
		}
	if (s)
		closedir(s);
	rmdir(path);
}

void sweep_cgroups(const char *name)
{
	char path[PATH_MAX];
	DIR *d = opendir("/sys/fs/cgroup");
	struct dirent *de;

	if (!d)
		return;
	/* v2: /sys/fs/cgroup/NAME; v1: /sys/fs/cgroup/CONTROLLER/NAME. */
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", name);
	remove_cgroup(path);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, name))
			continue;
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", de->d_name, name);
		if (!access(path, F_OK))
			remove_cgroup(path);
	}
	closedir(d);
}

int sweep_tree(const char *dir)
{
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
		return -errno;
	return access(dir, F_OK) == 0 ? -EBUSY : 0;
}
