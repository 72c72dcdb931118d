/* SPDX-License-Identifier: MIT */
#ifndef NSB_SYSCTL_H
#define NSB_SYSCTL_H

#include <stddef.h>

/* KEY is dotted (net.ipv4.ip_forward); the namespace is the thread's, or NETNS. */
int sysctl_read(const char *netns, const char *key, char *buf, size_t len);
int sysctl_write(const char *netns, const char *key, const char *value);

#endif
