/* SPDX-License-Identifier: MIT */
#ifndef NSB_STATE_H
#define NSB_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "harness/lab/model.h"

#define STATE_DIR "/run/nsbench"
#define STATE_MAX_LABS 256

/* The lab as scripts see it (topo up --json) and as the state file keeps it. */
json_t *state_describe(const struct lab *lab);
int state_write(const struct lab *lab);
int state_remove(const char *id);
/* Loads what teardown and `topo show` need from STATE_DIR/ID.json. */
int state_load(const char *id, struct lab *lab, json_t **doc);
int state_list(char (*ids)[LAB_ID_LEN + 1], size_t max, size_t *count);
/* True while the process that wrote the file still runs (pid and start time). */
bool state_owner_alive(const json_t *doc);

/* A lab of another nsbench process: its id, its owner and what made it (run, topo, ...). */
struct state_other {
	char lab[LAB_ID_LEN + 1];
	long long owner_pid;
	char kind[16];
};
/*
 * Adds to OTHERS[0..N) the labs not yet there whose owner runs now and is not
 * this process (another nsbench, whose endpoints disturb ours); returns the
 * new count, at most MAX.
 */
size_t state_others_live(struct state_other *others, size_t n, size_t max);
unsigned long long proc_start_time(pid_t pid);

#endif
