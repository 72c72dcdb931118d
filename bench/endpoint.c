// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/endpoint.h"
#include "netns/netns.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child_run(int wfd, const char *netns, int cpu, endpoint_fn fn, void *arg)
{
	FILE *out;
	int saved, ret;

	/* The parent decides when endpoints end: Ctrl-C reaches the whole group. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (netns_enter(netns, &saved))
		_exit(120);
	close(saved);
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			_exit(121);
	}
	out = fdopen(wfd, "w");
	if (!out)
		_exit(122);
	ret = fn(arg, out);
	fflush(out);
	_exit(ret < 0 ? 1 : ret);
}

int endpoint_start(struct endpoint *ep, const char *role, const char *netns, int cpu,
		   endpoint_fn fn, void *arg)
{
	int pfd[2];
	pid_t pid;

	memset(ep, 0, sizeof(*ep));
	ep->fd = -1;
	ep->cpu = cpu;
	snprintf(ep->role, sizeof(ep->role), "%s", role);
	snprintf(ep->ns, sizeof(ep->ns), "%s", netns);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (pid == 0) {
		close(pfd[0]);
		child_run(pfd[1], netns, cpu, fn, arg);
	}
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	ep->pid = pid;
	ep->fd = pfd[0];
	return 0;
}

static int reap(struct endpoint *ep, int flags)
{
	pid_t r;

	if (ep->reaped || ep->pid <= 0)
		return 1;
	do
		r = waitpid(ep->pid, &ep->status, flags);
	while (r < 0 && errno == EINTR);
	if (r == ep->pid || (r < 0 && errno == ECHILD)) {
		ep->reaped = 1;
		return 1;
	}
	return 0;
}

static int drain(struct endpoint *ep)
{
	for (;;) {
		ssize_t n;

		if (ep->cap - ep->len < 4096) {
			size_t cap = ep->cap ? ep->cap * 2 : 16384;
			char *p = realloc(ep->out, cap);

			if (!p)
				return -ENOMEM;
			ep->out = p;
			ep->cap = cap;
			/* Text even before anything is read: an endpoint may die silent. */
			ep->out[ep->len] = '\0';
		}
		n = read(ep->fd, ep->out + ep->len, ep->cap - ep->len - 1);
		if (n > 0) {
			ep->len += (size_t)n;
			ep->out[ep->len] = '\0';
			continue;
		}
		if (n == 0)
			return 1; /* EOF */
		if (errno == EINTR)
			continue;
		return errno == EAGAIN ? 0 : -errno;
	}
}

static int port_in(const char *path, uint16_t port, const char *state)
{
	char line[512];
	int found = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned int lport;
		char st[8];

		if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %7s", &lport, st) != 2)
			continue;
		found = lport == port && !strcmp(st, state);
	}
	fclose(f);
	return found;
}

/*
 * /proc/PID/net/ shows the sockets of PID's namespace: no fixed sleep, and a
 * listener in another namespace on the same port does not count. An IPv6
 * socket is in tcp6/udp6 only, an IPv4 one in tcp/udp only.
 */
int endpoint_wait_bound(struct endpoint *ep, int family, int sock_type, uint16_t port,
			int timeout_ms)
{
	const char *state = sock_type == SOCK_DGRAM ? "07" : "0A"; /* bound UDP; TCP_LISTEN */
	long long deadline = now_ms() + timeout_ms;
	struct timespec pause = {0, 100000};
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/net/%s%s", (int)ep->pid,
		 sock_type == SOCK_DGRAM ? "udp" : "tcp", family == AF_INET6 ? "6" : "");
	for (;;) {
		if (port_in(path, port, state))
			return 0;
		if (reap(ep, WNOHANG)) {
			drain(ep);
			return -ECHILD;
		}
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

static const volatile sig_atomic_t *stop_flag;

void endpoint_watch_stop(const volatile sig_atomic_t *flag)
{
	stop_flag = flag;
}

int endpoint_finish(struct endpoint *ep, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int ret = 0;

	while (ep->fd >= 0) {
		struct pollfd p = {.fd = ep->fd, .events = POLLIN};
		long long left = deadline - now_ms();
		int n;

		/* Interrupted (the signal also ended poll with EINTR): stop the endpoint now. */
		if (stop_flag && *stop_flag) {
			ret = -EINTR;
			break;
		}
		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		n = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (n < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (n > 0) {
			int r = drain(ep);

			if (r < 0) {
				ret = r;
				break;
			}
			if (r == 1) {
				close(ep->fd);
				ep->fd = -1;
			}
		}
	}
	if (ret) {
		endpoint_stop(ep);
		return ret;
	}
	/* Output closed: the child is exiting. Give it the rest of the deadline. */
	while (!reap(ep, WNOHANG)) {
		struct timespec pause = {0, 200000};

		if (now_ms() > deadline) {
			endpoint_stop(ep);
			return -ETIMEDOUT;
		}
		nanosleep(&pause, NULL);
	}
	return 0;
}

void endpoint_stop(struct endpoint *ep)
{
	if (ep->pid > 0 && !ep->reaped) {
		kill(ep->pid, SIGKILL);
		reap(ep, 0);
	}
	if (ep->fd >= 0) {
		drain(ep);
		close(ep->fd);
		ep->fd = -1;
	}
}

json_t *endpoint_result(const struct endpoint *ep)
{
	json_error_t err;

	if (!ep->out || !ep->len)
		return NULL;
	return json_loadb(ep->out, ep->len, 0, &err);
}

void endpoint_free(struct endpoint *ep)
{
	endpoint_stop(ep);
	free(ep->out);
	ep->out = NULL;
	ep->len = ep->cap = 0;
}

void endpoint_describe_exit(const struct endpoint *ep, char *buf, size_t len)
{
	static const char *const setup[] = {"could not enter its namespace",
					    "could not pin itself to its CPU",
					    "could not open its result pipe"};

	if (!ep->reaped)
		snprintf(buf, len, "still running");
	else if (WIFSIGNALED(ep->status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(ep->status),
			 strsignal(WTERMSIG(ep->status)));
	else if (WEXITSTATUS(ep->status) >= 120 && WEXITSTATUS(ep->status) <= 122)
		snprintf(buf, len, "%s", setup[WEXITSTATUS(ep->status) - 120]);
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(ep->status));
}
