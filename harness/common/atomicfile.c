// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/common/atomicfile.h"
#include "netns/testhooks.h"

static int write_all(int fd, const char *text, size_t len, bool sync)
{
	while (len) {
		ssize_t w = write(fd, text, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		text += w;
		len -= (size_t)w;
	}
	return sync && fsync(fd) < 0 ? -errno : 0;
}

/*
 * A new file: written as an unnamed O_TMPFILE in its directory and linked
 * under its name only when whole, so that even SIGKILL half-way leaves no
 * file at all. -EEXIST when PATH exists; -EOPNOTSUPP where the filesystem
 * has no O_TMPFILE.
 */
static int write_new(const char *path, const char *text, size_t len, bool sync,
		     const char *phase)
{
	char dir[PATH_MAX], proc[64];
	const char *slash = strrchr(path, '/');
	int fd, ret, n;

	n = slash ? snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path)
		  : snprintf(dir, sizeof(dir), ".");
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EISDIR || errno == EINVAL ? -EOPNOTSUPP : -errno;
	ret = write_all(fd, text, len, sync);
	testhook_phase(phase);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (!ret && linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int atomic_write_file(const char *path, const char *text, size_t len, bool sync,
		      const char *phase)
{
	char tmp[PATH_MAX];
	const char *base = strrchr(path, '/');
	int fd, ret, n;

	ret = write_new(path, text, len, sync, phase);
	if (ret != -EEXIST && ret != -EOPNOTSUPP)
		return ret;
	/* Replacing a file (a state file's update): a temporary beside it, renamed over. */
	base = base ? base + 1 : path;
	n = snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp", (int)(base - path), path, base);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, text, len, sync);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int mkdir_parents(const char *dir, mode_t mode)
{
	char path[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	/* Each parent in turn, then DIR itself; one that exists already is fine. */
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		{
			char c = *p;

			*p = '\0';
			if (mkdir(path, mode) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
		}
		if (!*p)
			return 0;
	}
}
