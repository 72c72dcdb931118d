/* SPDX-License-Identifier: MIT */
#ifndef NSB_INADDR_H
#define NSB_INADDR_H

#include <stdint.h>
#include <sys/socket.h>

/*
 * IP and PORT as a socket address, for IPv4 ("198.18.0.2") and IPv6
 * ("2001:2::2") literals alike: the family (AF_INET or AF_INET6) with SA and
 * *LEN filled, or -EINVAL when IP is neither.
 */
int inaddr_parse(const char *ip, uint16_t port, struct sockaddr_storage *sa, socklen_t *len);
/* The family of an IP literal: AF_INET6 when it holds a colon, else AF_INET. */
int inaddr_family(const char *ip);

#endif
