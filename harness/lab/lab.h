/* SPDX-License-Identifier: MIT */
#ifndef NSB_LAB_H
#define NSB_LAB_H

/* The lab's lifecycle; with it, the lab's data and ECS's placement of tasks. */
#include "harness/lab/model.h"
#include "harness/lab/placement.h"

/* In memory only: nothing is created until lab_up(). */
int lab_init(struct lab *lab, const struct lab_config *cfg, const char *kind);
int lab_up(struct lab *lab);
/* Plans and builds one more task in a lab that is up. */
int lab_add_task(struct lab *lab, enum lab_mode mode, uint16_t container_port);
int lab_down(struct lab *lab, enum lab_teardown how);
/* Reopens the sockets of a lab loaded from its state file (for a link-by-link teardown). */
int lab_attach(struct lab *lab);
void lab_free(struct lab *lab);

/*
 * A scratch lab, its VPC namespace only, in which every kernel feature the
 * modes use is tried (mode.h); removed before it returns. -errno with
 * lab->err when not even the namespace could be made.
 */
struct lab_features;
int lab_probe_features(struct lab *lab, struct lab_features *f);

/*
 * Builds a one-task lab of MODE the way run does and takes it down: 0 when the
 * mode works on this kernel, else -errno with the failing step in WHY.
 */
int lab_try_mode(enum lab_mode mode, char *why, size_t len);

/* The lab's namespaces, vpc and instance first. */
unsigned int lab_namespaces(const struct lab *lab, const char **names, unsigned int max);

#endif
