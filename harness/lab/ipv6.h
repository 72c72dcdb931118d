/* SPDX-License-Identifier: MIT */
#ifndef NSB_IPV6_H
#define NSB_IPV6_H

#include "harness/lab/model.h"

/*
 * A dual-stack lab's IPv6 (cfg.dual_stack; nothing otherwise): enabled only
 * on the interfaces that get an address, each static and without DAD, with
 * no router advertisements, autoconfiguration or router solicitations, so
 * that IPv6's own chatter stays out of the packet counters. Every other
 * interface, and every namespace of a lab without dual stack, keeps IPv6
 * disabled (mode.c's ns_settle).
 */
struct rt;

/* The VPC router's address on the VPC's switch, the instance's on its eth0, its default route. */
int ipv6_build_base(struct lab *lab);
/* An awsvpc task's address on its eth0 (RT: the task namespace's) and its default route. */
int ipv6_build_task(struct lab *lab, struct lab_task *t, struct rt *rt);

#endif
