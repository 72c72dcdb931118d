// SPDX-License-Identifier: MIT
/*
 * docker-proxy, started as dockerd starts it. Docker 20.10's side is libnetwork's
 * portmapper/proxy_linux.go (newProxyCommand: the arguments) and portmapper/proxy.go
 * (proxyCommand.Start: the handshake, 16 s; Stop: SIGINT, then Wait); the proxy is
 * libnetwork's cmd/proxy/main.go at 05b93e0d, the commit moby v20.10.24's
 * hack/dockerfile/install/proxy.installer builds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/common/daemonize.h"
#include "harness/lab/proxy.h"
#include "netns/netns.h"

#define PROXY_GRACE_MS 2000
/* proxyCommand.Start gives up after 16 s. */
#define PROXY_DOCKER_TIMEOUT_MS 16000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int usable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) < 0 ? -errno : 0;
}

static int try_path(char *path, size_t len, const char *cand)
{
	int ret = usable(cand);

	if (!ret && (size_t)snprintf(path, len, "%s", cand) >= len)
		ret = -ENAMETOOLONG;
	return ret;
}

int proxy_find(char *path, size_t len, char *why, size_t wlen)
{
	static const char *const dirs[] = {"/usr/sbin", "/usr/libexec/docker", "/usr/bin"};
	const char *env = getenv("NSBENCH_DOCKER_PROXY");
	char self[PATH_MAX], cand[PATH_MAX + 64], *slash;
	ssize_t n;
	int ret;

	if (env && *env) {
		ret = try_path(path, len, env);
		if (ret)
			snprintf(why, wlen, "NSBENCH_DOCKER_PROXY=%s: %s", env, strerror(-ret));
		return ret;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	/* The checkout's copy: beside the binary, or up to two levels above (tests/bin/). */
	for (int up = 0; up < 3 && (slash = strrchr(self, '/')); up++) {
		*slash = '\0';
		snprintf(cand, sizeof(cand), "%s/build-tools/docker-proxy/docker-proxy", self);
		if (!try_path(path, len, cand))
			return 0;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(cand, sizeof(cand), "%s/docker-proxy", dirs[i]);
		if (!try_path(path, len, cand))
			return 0;
	}
	snprintf(why, wlen,
		 "docker-proxy not found (not in build-tools/docker-proxy/ beside this binary or "
		 "above it, "
		 "/usr/sbin, /usr/libexec/docker or /usr/bin; NSBENCH_DOCKER_PROXY unset): run "
		 "scripts/deps.sh, which takes it out of Debian's docker.io package");
	return -ENOENT;
}

/* In the child, before exec: the same "1\n<message>" a refusing docker-proxy writes. */
static _Noreturn void child_fail(const char *what, int err)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "1\nnot started: %s: %s", what, strerror(err));

	if (write(3, msg, n > 0 && n < (int)sizeof(msg) ? (size_t)n : sizeof(msg) - 1) < 0)
		_exit(126);
	_exit(127);
}

static _Noreturn void child_exec(int wfd, const char *ns, char *const argv[])
{
	int null, saved, ret;

	/*
	 * Its own session: a Ctrl-C or hang-up at our terminal is not its end (SIGINT
	 * and SIGTERM make it exit 0, SIGHUP kills it); the lab's teardown is. Nor is
	 * our exit, unlike dockerd's (Pdeathsig SIGTERM in newProxyCommand): a lab left
	 * up by `topo up` keeps its proxies. Nor are our ignored signals or mask its own.
	 */
	daemonize_child();
	/*
	 * fd 3 must be the pipe: main.go writes to os.NewFile(3) and closes it, and
	 * without it the proxy closes whatever fd 3 became, its own listener.
	 */
	if (wfd != 3 && (dup2(wfd, 3) < 0 || close(wfd) < 0))
		_exit(125);
	fcntl(3, F_SETFD, 0);
	ret = netns_enter(ns, &saved);
	if (ret)
		child_fail(ns, -ret);
	close(saved);
	null = open("/dev/null", O_RDWR);
	if (null < 0)
		child_fail("/dev/null", errno);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (null > 3)
		close(null);
	/* It outlives us: none of our descriptors (a netlink socket, a lock) go with it. */
	close_range(4, ~0U, 0);
	execv(argv[0], argv);
	child_fail(argv[0], errno);
}

/*
 * Up to LEN-1 bytes of the handshake: 1 on "0\n" or end of file, 0 at the deadline.
 * proxyCommand.Start reads two bytes; anything but "0\n" is a refusal whose
 * message is the rest, to end of file.
 */
static int read_handshake(int fd, long long deadline, char *buf, size_t len)
{
	size_t have = 0;

	buf[0] = '\0';
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		n = read(fd, buf + have, len - 1 - have);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 1;
		have += (size_t)n;
		buf[have] = '\0';
		if (!strncmp(buf, "0\n", 2) || have == len - 1)
			return 1;
	}
}

/* The errno a Go error names at its end ("...: bind: address already in use"), else EIO. */
static int errno_named(const char *msg)
{
	const char *tail = strrchr(msg, ':');

	tail = tail ? tail + 1 : msg;
	tail += strspn(tail, " ");
	for (int e = 1; e < 4096; e++) {
		const char *d = strerrordesc_np(e);

		if (d && !strcasecmp(tail, d))
			return e;
	}
	return EIO;
}

int proxy_start(const char *ns, const char *proto, const char *host_ip, uint16_t host_port,
		const char *container_ip, uint16_t container_port, int timeout_ms, pid_t *pid,
		char *why, size_t len)
{
	char path[PATH_MAX], hp[8], cp[8], buf[1024], what[256];
	/* newProxyCommand's arguments, in its order. */
	char *argv[] = {
		path,	      "-proto", (char *)proto,	 "-host-ip",	       (char *)host_ip,
		"-host-port", hp,	"-container-ip", (char *)container_ip, "-container-port",
		cp,	      NULL};
	int pfd[2], ret, st;
	pid_t child;

	snprintf(what, sizeof(what), "docker-proxy %s %s:%u -> %s:%u in %s", proto, host_ip,
		 host_port, container_ip, container_port, ns);
	/* main.go's parseHostContainerAddrs: another protocol is log.Fatalf, no handshake. */
	if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp")) {
		snprintf(why, len, "%s: protocol not tcp, udp or sctp", what);
		return -EINVAL;
	}
	ret = proxy_find(path, sizeof(path), why, len);
	if (ret)
		return ret;
	snprintf(hp, sizeof(hp), "%u", host_port);
	snprintf(cp, sizeof(cp), "%u", container_port);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		ret = -errno;
		snprintf(why, len, "%s: pipe: %s", what, strerror(-ret));
		return ret;
	}
	child = fork();
	if (child < 0) {
		ret = -errno;
		close(pfd[0]);
		close(pfd[1]);
		snprintf(why, len, "%s: fork: %s", what, strerror(-ret));
		return ret;
	}
	if (child == 0) {
		close(pfd[0]);
		child_exec(pfd[1], ns, argv);
	}
	close(pfd[1]);
	if (timeout_ms <= 0)
		timeout_ms = PROXY_DOCKER_TIMEOUT_MS;
	ret = read_handshake(pfd[0], now_ms() + timeout_ms, buf, sizeof(buf));
	close(pfd[0]);
	if (ret == 1 && !strncmp(buf, "0\n", 2)) {
		*pid = child;
		return 0;
	}
	kill(child, SIGKILL);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (ret == 1 && !strncmp(buf, "1\n", 2)) {
		buf[strcspn(buf + 2, "\n") + 2] = '\0';
		snprintf(why, len, "%s: %s", what, buf + 2);
		return -errno_named(buf + 2);
	}
	if (ret <= 0) {
		snprintf(why, len, "%s: no handshake within %d ms", what, timeout_ms);
		return ret ? ret : -ETIMEDOUT;
	}
	snprintf(why, len, "%s: ended without its handshake (wait status 0x%x)", what, st);
	return -EPROTO;
}

/* Reaped if ours; else gone from /proc, or a zombie its own parent has yet to reap. */
static bool gone(pid_t pid)
{
	char path[64], buf[512], *p = NULL;
	pid_t r = waitpid(pid, NULL, WNOHANG);
	FILE *f;

	if (r == pid)
		return true;
	if (r == 0 || (r < 0 && errno == EINTR))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f))
		p = strrchr(buf, ')');
	fclose(f);
	return !p || (p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

static bool wait_gone(pid_t pid, int ms)
{
	struct timespec pause = {0, 2 * 1000 * 1000};
	long long deadline = now_ms() + ms;

	while (!gone(pid)) {
		if (now_ms() > deadline)
			return false;
		nanosleep(&pause, NULL);
	}
	return true;
}

int proxy_stop(pid_t pid)
{
	if (pid <= 0)
		return -EINVAL;
	/* main.go's handleStopSignals: SIGTERM, or Docker's SIGINT, closes and exits 0. */
	if (kill(pid, SIGTERM) < 0)
		return -errno;
	if (wait_gone(pid, PROXY_GRACE_MS))
		return 0;
	kill(pid, SIGKILL);
	return wait_gone(pid, PROXY_GRACE_MS) ? 0 : -ETIMEDOUT;
}
