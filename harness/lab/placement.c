// SPDX-License-Identifier: MIT
/*
 * ECS's placement rules: where each task's address and ports come from, and
 * what ECS refuses (a taken hostPort or host-mode port, the ENI limit, an
 * address plan that is full). Nothing is built here. What is the same for
 * every mode is here; each mode's own rules are its table's place().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/lab/build.h"
#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"
#include "harness/lab/placement.h"

int lab_plan_task(struct lab *lab, enum lab_mode mode, uint16_t container_port)
{
	struct lab_task *t;
	unsigned int id = lab->ntasks + 1;
	char ns[LAB_NS_LEN];
	int ret;

	if ((unsigned int)mode >= MODE_COUNT || container_port == 0)
		return lab_refuse(lab, -EINVAL, "task t%u: invalid mode or port", id);
	if (lab->ntasks >= LAB_MAX_TASKS)
		return lab_refuse(lab, -ENOSPC, "task t%u: a lab holds at most %d tasks", id,
				  LAB_MAX_TASKS);
	/* Only an ENI of its own has a security group: the state must not claim one elsewhere. */
	if (lab->cfg.security_group && !mode_ops(mode)->own_eni)
		return lab_refuse(lab, -EINVAL,
				  "task t%u (%s): a security group is an awsvpc task's (its own "
				  "ENI's); %s tasks have none",
				  id, lab_mode_name(mode), lab_mode_name(mode));
	t = &lab->tasks[lab->ntasks];
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->mode = mode;
	t->container_port = container_port;
	t->protos = LAB_PROTO_TCP | (lab->cfg.publish_udp ? LAB_PROTO_UDP : 0);
	t->own_ns = mode_ops(mode)->own_ns;
	snprintf(ns, sizeof(ns), "nsb-%s-t%u", lab->id, id);
	mode_scopy(t->ns, sizeof(t->ns), ns);
	mode_scopy(t->client_ns, sizeof(t->client_ns), lab->ns_vpc);
	ret = mode_ops(mode)->place(lab, t);
	if (ret)
		return ret;
	lab->ntasks++;
	return 0;
}
