// SPDX-License-Identifier: MIT
/* The request/response engine's sockets: timeouts, whole messages on a stream. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/socket.h>

#include "bench/rr_sock.h"

void rr_set_timeouts(int fd, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int rr_set_window(int fd, int bytes)
{
	if (bytes <= 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0)
		return -errno;
	return 0;
}

/*
 * LEN bytes sent from OUT, or received into IN, whole (one of them NULL). A
 * message longer than the buffer (RR_IO_BUF, a bulk request) goes through it
 * in pieces, each from its start: its bytes carry nothing.
 */
static int whole(int fd, const char *out, char *in, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t at = len <= RR_IO_BUF ? done : 0;
		size_t want = len - done < RR_IO_BUF ? len - done : RR_IO_BUF;
		ssize_t n =
			out ? send(fd, out + at, want, MSG_NOSIGNAL) : recv(fd, in + at, want, 0);

		if (n == 0 && !out)
			return -EPIPE;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

int rr_send_all(int fd, const char *buf, size_t len)
{
	return whole(fd, buf, NULL, len);
}

int rr_recv_all(int fd, char *buf, size_t len)
{
	return whole(fd, NULL, buf, len);
}
