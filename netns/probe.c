// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns/inaddr.h"
#include "netns/netns.h"
#include "netns/probe.h"

/* A non-blocking socket of namespace NS. */
static int socket_in(const char *ns, int family, int type)
{
	return netns_socket(ns, family, type | SOCK_NONBLOCK);
}

/* IP:PORT as a socket address of FAMILY; -EINVAL when IP is not one. */
static int addr_of(const char *ip, uint16_t port, int family, struct sockaddr_storage *sa,
		   socklen_t *len)
{
	return inaddr_parse(ip, port, sa, len) == family ? 0 : -EINVAL;
}

static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

int probe_tcp(const char *server_ns, const char *bind_addr, uint16_t port, const char *client_ns,
	      const char *dst, uint16_t dst_port, int timeout_ms)
{
	struct sockaddr_storage sa;
	int lfd = -1, cfd = -1, afd = -1, one = 1, err = 0, ret;
	int family = inaddr_family(dst);
	socklen_t len = sizeof(err), salen;
	char byte = 'x';

	/* The listener has its address's family: "::" also takes IPv4 clients, "0.0.0.0" no IPv6.
	 */
	lfd = socket_in(server_ns, inaddr_family(bind_addr), SOCK_STREAM);
	if (lfd < 0)
		return lfd;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ret = addr_of(bind_addr, port, inaddr_family(bind_addr), &sa, &salen);
	if (!ret && (bind(lfd, (struct sockaddr *)&sa, salen) < 0 || listen(lfd, 4) < 0))
		ret = -errno;
	if (ret)
		goto out;

	cfd = socket_in(client_ns, family, SOCK_STREAM);
	if (cfd < 0) {
		ret = cfd;
		goto out;
	}
	ret = addr_of(dst, dst_port, family, &sa, &salen);
	if (ret)
		goto out;
	if (connect(cfd, (struct sockaddr *)&sa, salen) < 0 && errno != EINPROGRESS) {
		ret = -errno;
		goto out;
	}
	ret = wait_fd(cfd, POLLOUT, timeout_ms);
	if (ret)
		goto out;
	if (getsockopt(cfd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		ret = err ? -err : -errno;
		goto out;
	}
	/* It must be our listener that took the connection, not some other one. */
	ret = wait_fd(lfd, POLLIN, timeout_ms);
	if (ret)
		goto out;
	afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (afd < 0) {
		ret = -errno;
		goto out;
	}
	if (send(cfd, &byte, 1, MSG_NOSIGNAL) != 1 || wait_fd(afd, POLLIN, timeout_ms) ||
	    recv(afd, &byte, 1, 0) != 1 || send(afd, &byte, 1, MSG_NOSIGNAL) != 1 ||
	    wait_fd(cfd, POLLIN, timeout_ms) || recv(cfd, &byte, 1, 0) != 1)
		ret = -EIO;
out:
	if (afd >= 0)
		close(afd);
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	return ret;
}

int probe_path_mtu(const char *server_ns, const char *bind_addr, uint16_t port,
		   const char *client_ns, const char *dst, uint16_t dst_port, unsigned int *mtu)
{
	int lfd, cfd = -1, df = IP_PMTUDISC_DO, ret;
	struct sockaddr_storage sa;
	socklen_t salen;
	char *buf = NULL;

	*mtu = 0;
	lfd = socket_in(server_ns, AF_INET, SOCK_DGRAM);
	if (lfd < 0)
		return lfd;
	ret = addr_of(bind_addr, port, AF_INET, &sa, &salen);
	if (!ret && bind(lfd, (struct sockaddr *)&sa, salen) < 0)
		ret = -errno;
	if (!ret && (cfd = socket_in(client_ns, AF_INET, SOCK_DGRAM)) < 0)
		ret = cfd;
	if (!ret)
		ret = addr_of(dst, dst_port, AF_INET, &sa, &salen);
	if (!ret && (setsockopt(cfd, IPPROTO_IP, IP_MTU_DISCOVER, &df, sizeof(df)) < 0 ||
		     connect(cfd, (struct sockaddr *)&sa, salen) < 0))
		ret = -errno;
	if (!ret && !(buf = calloc(1, 65536)))
		ret = -ENOMEM;
	/* A few rounds: each ICMP "fragmentation needed" lowers the route's MTU once. */
	for (int i = 0; !ret && i < 8; i++) {
		int m = 0;
		socklen_t l = sizeof(m);
		ssize_t n;

		if (getsockopt(cfd, IPPROTO_IP, IP_MTU, &m, &l) < 0 || m < 68) {
			ret = -errno ? -errno : -EIO;
			break;
		}
		if (send(cfd, buf, (size_t)m - 28, 0) < 0) {
			if (errno == EMSGSIZE || errno == ECONNREFUSED)
				continue;
			ret = -errno;
			break;
		}
		if (wait_fd(lfd, POLLIN, 200) == 0 && (n = recv(lfd, buf, 65536, 0)) == m - 28) {
			*mtu = (unsigned int)m;
			break;
		}
	}
	if (!ret && !*mtu)
		ret = -EIO;
	free(buf);
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	return ret;
}
