// SPDX-License-Identifier: MIT
/* A program run in a namespace: iptables-restore and -save for the instance's rules. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns/netns.h"
#include "netns/nsexec.h"

struct sink {
	char *buf;
	size_t len, cap;
};

static int sink_read(struct sink *s, int fd)
{
	ssize_t n;

	if (s->cap - s->len < 4096) {
		size_t cap = s->cap ? 2 * s->cap : 8192;
		char *b = realloc(s->buf, cap);

		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->cap = cap;
	}
	n = read(fd, s->buf + s->len, s->cap - s->len - 1);
	if (n < 0)
		return errno == EINTR ? 1 : -errno;
	s->len += (size_t)n;
	s->buf[s->len] = '\0';
	return n > 0;
}

static void say(int fd, const char *a, const char *b)
{
	if (write(fd, a, strlen(a)) < 0 || write(fd, b, strlen(b)) < 0 || write(fd, "\n", 1) < 0)
		return;
}

static void child(const char *ns, char *const argv[], int in, int out, int err)
{
	int saved;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	/* The child's words reach the parent's WHY through the pipe on fd 2. */
	if (netns_enter(ns, &saved)) {
		say(2, "cannot enter namespace ", ns);
		_exit(126);
	}
	close(saved);
	execvp(argv[0], argv);
	say(2, "", strerror(errno));
	_exit(127);
}

/* Writes IN, then drains both outputs until the child closes them. */
static int pump(int in, const char *text, int out, int err, struct sink *o, struct sink *e)
{
	size_t off = 0, left = text ? strlen(text) : 0;
	struct pollfd p[3] = {{.fd = out, .events = POLLIN},
			      {.fd = err, .events = POLLIN},
			      {.fd = in, .events = POLLOUT}};
	int ret = 0;

	if (!left) {
		close(in);
		p[2].fd = -1;
	}
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (p[2].fd >= 0 && p[2].revents) {
			ssize_t n = send(in, text + off, left, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n > 0) {
				off += (size_t)n;
				left -= (size_t)n;
			}
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				left = 0; /* it stopped reading: its exit status says why */
			if (!left) {
				close(in);
				p[2].fd = -1;
			}
		}
		for (int k = 0; k < 2; k++) {
			if (p[k].fd < 0 || !p[k].revents)
				continue;
			int r = sink_read(k ? e : o, p[k].fd);

			if (r < 0 && !ret)
				ret = r;
			if (r <= 0)
				p[k].fd = -1;
		}
	}
	if (p[2].fd >= 0)
		close(in);
	return ret;
}

static void close_all(int *fds, int n)
{
	for (int k = 0; k < n; k++)
		if (fds[k] >= 0)
			close(fds[k]);
}

int nsexec_run(const char *ns, char *const argv[], const char *in, char **out, char *why,
	       size_t len)
{
	/* stdin is a socket: a program that stops reading costs us EPIPE, not SIGPIPE. */
	int fds[6] = {-1, -1, -1, -1, -1, -1}, st, ret;
	struct sink o = {0}, e = {0};
	pid_t pid;

	if (out)
		*out = NULL;
	if (len)
		why[0] = '\0';
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0 ||
	    pipe2(fds + 2, O_CLOEXEC) < 0 || pipe2(fds + 4, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		ret = -errno;
		close_all(fds, 6);
		snprintf(why, len, "%s: cannot start it: %s", argv[0], strerror(-ret));
		return ret;
	}
	if (pid == 0)
		child(ns, argv, fds[0], fds[3], fds[5]);
	close(fds[0]);
	close(fds[3]);
	close(fds[5]);
	ret = pump(fds[1], in, fds[2], fds[4], &o, &e);
	close(fds[2]);
	close(fds[4]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (ret)
		snprintf(why, len, "%s: reading its output: %s", argv[0], strerror(-ret));
	else if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		const char *msg = e.buf ? e.buf : "";

		ret = WIFEXITED(st) && WEXITSTATUS(st) == 127 ? -ENOENT : -EPROTO;
		size_t n = strlen(argv[0]);
		/* A program that names itself is not named twice. */
		bool named = !strncmp(msg, argv[0], n) && msg[n] == ':';

		if (!*msg)
			msg = "failed without a message";
		snprintf(why, len, "%s%s%.*s", named ? "" : argv[0], named ? "" : ": ",
			 (int)strcspn(msg, "\n"), msg);
	}
	if (!ret && out) {
		*out = o.buf ? o.buf : strdup("");
		o.buf = NULL;
		if (!*out)
			ret = -ENOMEM;
	}
	free(o.buf);
	free(e.buf);
	return ret;
}
