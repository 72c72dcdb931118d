/* SPDX-License-Identifier: MIT */
#ifndef NSB_VPC_H
#define NSB_VPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/lab/model.h"

/*
 * The VPC's side of a lab (vpc.c): the switch with the router's address and
 * the instance's primary ENI; the links of awsvpc tasks' ENIs.
 */
int vpc_build(struct lab *lab);
/*
 * A link from the VPC into the instance: PORT in ns vpc (on the switch unless
 * TRUNK, the trunk ENI's), ENI in the instance, both up, at the VPC's MTU.
 */
int vpc_eni_link(struct lab *lab, const char *port, const char *eni, bool trunk);
/* Sets DOC's "mtu" {vpc, bridge}, "wire" and "trunking": what a lab's VPC was. */
void vpc_describe(json_t *doc, const struct lab_vpc_opts *v);
/* The instance's device that T's inbound frames arrive on: where its security group sits. */
const char *vpc_sg_device(const struct lab *lab, const struct lab_task *t, char *buf, size_t len);

#endif
