// SPDX-License-Identifier: MIT
/* /proc/sys/net follows the opening thread's namespace at open() time. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns/netns.h"
#include "netns/sysctl.h"

static int sysctl_path(const char *key, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/sys/%s", key);

	if (n < 0 || (size_t)n >= len || strstr(key, ".."))
		return -EINVAL;
	for (char *p = buf + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

static int sysctl_open(const char *netns, const char *key, int flags)
{
	char path[256];
	int fd, saved = -1, ret;

	ret = sysctl_path(key, path, sizeof(path));
	if (ret)
		return ret;
	if (netns) {
		ret = netns_enter(netns, &saved);
		if (ret)
			return ret;
	} else if ((ret = netns_check())) {
		return ret;
	}
	fd = open(path, flags | O_CLOEXEC);
	ret = fd < 0 ? -errno : fd;
	if (netns) {
		int leave = netns_leave(saved);

		if (leave && fd >= 0) {
			close(fd);
			return leave;
		}
	}
	return ret;
}

int sysctl_read(const char *netns, const char *key, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = sysctl_open(netns, key, O_RDONLY);
	if (fd < 0)
		return fd;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int sysctl_write(const char *netns, const char *key, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd;

	fd = sysctl_open(netns, key, O_WRONLY);
	if (fd < 0)
		return fd;
	n = write(fd, value, len);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}
