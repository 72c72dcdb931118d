/* SPDX-License-Identifier: MIT */
#ifndef NSB_OFFLOAD_H
#define NSB_OFFLOAD_H

#include <stdbool.h>

/*
 * A link's segmentation offloads, through the ethtool ioctls a socket of its
 * namespace answers: what decides whether a veth carries GSO super-packets
 * (the sender's TSO/GSO) or frames of the MTU, and whether the receiver
 * coalesces them again (GRO, which on a veth turns on its NAPI).
 */
enum offload { OFFLOAD_TSO, OFFLOAD_GSO, OFFLOAD_GRO };

int offload_set(const char *netns, const char *ifname, enum offload which, bool on);
/* 1 on, 0 off, -errno when unreadable. */
int offload_get(const char *netns, const char *ifname, enum offload which);

#endif
