/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLEAN_H
#define NSB_CLEAN_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/lab/lab.h"

struct clean_report {
	size_t labs_removed;
	size_t labs_skipped; /* owned by a running nsbench */
	size_t labs_kept;    /* kept by topo up on purpose (clean only; topo down removes them) */
	size_t orphan_ns_removed;
	size_t errors;
	int probes_left; /* nsbench's BPF probes still loaded after cleaning (-errno: unknown) */
};

/* Removes one lab by id (its owner must be gone unless FORCE). */
int clean_lab(const char *id, bool force, enum lab_teardown how);
/*
 * Every lab no running nsbench owns, and namespaces named like ours with no
 * state file. Probes attached in a lab's namespaces go with them: the kernel
 * releases them shortly after (waited for, up to 2 s, when no nsbench runs).
 */
int clean_all(const char *kind, struct clean_report *r);
/* Leftovers: state files plus /run/netns entries named nsb-*. */
size_t clean_count_leftovers(void);
/* The same, less the labs topo up kept on purpose (*KEPT of them, whose owner is gone). */
size_t clean_count_crashed(size_t *kept);

#endif
