/* SPDX-License-Identifier: MIT */
#ifndef NSB_PLACEMENT_H
#define NSB_PLACEMENT_H

#include <stdint.h>

#include "harness/lab/model.h"

/*
 * Places a task as ECS would and refuses what ECS refuses: a taken static
 * hostPort or host-mode port (-EADDRINUSE), the ENI limit or the address
 * plan (-ENOSPC). lab->err says which tasks and which port.
 */
int lab_plan_task(struct lab *lab, enum lab_mode mode, uint16_t container_port);

#endif
