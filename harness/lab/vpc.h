/* SPDX-License-Identifier: MIT */
#ifndef NSB_VPC_H
#define NSB_VPC_H

#include <jansson.h>
#include <stddef.h>

#include "harness/lab/model.h"

/*
 * The VPC's side of a lab (vpc.c): the switch with the router's address and
 * the instance's primary ENI; then, per awsvpc task, its ENI or its branch.
 */
int vpc_build(struct lab *lab);
/* Task T's interface on the VPC, made in its namespace (RT's) as IFNAME, down. */
int vpc_task_link(struct lab *lab, struct lab_task *t, struct rt *rt, const char *ifname);
/* Sets DOC's "mtu" {vpc, bridge}, "wire" and "trunking": what a lab's VPC was. */
void vpc_describe(json_t *doc, const struct lab_vpc_opts *v);
/* The instance's device that T's inbound frames arrive on: where its security group sits. */
const char *vpc_sg_device(const struct lab *lab, const struct lab_task *t, char *buf, size_t len);

#endif
