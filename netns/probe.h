/* SPDX-License-Identifier: MIT */
#ifndef NSB_PROBE_H
#define NSB_PROBE_H

#include <stdint.h>

/*
 * One TCP connection across namespaces: a listener in SERVER_NS on
 * bind_addr:port, a client in CLIENT_NS connecting to dst:dst_port, one byte
 * each way, over DST's family (IPv4 or IPv6). Sockets keep the namespace they
 * were made in, so no process is forked. 0 when the byte came back through that listener; otherwise
 * -ECONNREFUSED, -ETIMEDOUT, -ENETUNREACH, ... as the kernel said.
 */
int probe_tcp(const char *server_ns, const char *bind_addr, uint16_t port, const char *client_ns,
	      const char *dst, uint16_t dst_port, int timeout_ms);

/*
 * The IPv4 path MTU from CLIENT_NS to dst:dst_port, measured: datagrams with DF
 * set, as large as the client's route allows, until one arrives whole at a
 * listener in SERVER_NS (bind_addr:port); an ICMP "fragmentation needed"
 * from a router on the way lowers the size, as PMTU discovery does. *MTU
 * gets the IP size of the largest datagram that arrived. -EIO when none did.
 */
int probe_path_mtu(const char *server_ns, const char *bind_addr, uint16_t port,
		   const char *client_ns, const char *dst, uint16_t dst_port, unsigned int *mtu);

#endif
