/* SPDX-License-Identifier: MIT */
#ifndef NSB_RUNARGS_H
#define NSB_RUNARGS_H

/*
 * `nsbench run`'s options as given, into a run_config: every value parsed and
 * every rule between them checked here, below the CLI, where the unit tests
 * and the fuzzer reach them. The CLI only collects the options.
 */
#include <stdbool.h>
#include <stddef.h>

#include "harness/lab/options.h"
#include "harness/measure/runconfig.h"
#include "harness/measure/schedule.h"

struct run_args {
	int preset; /* 0: the default, 'Q': --quick, 'F': --full */
	const char *modes, *paths, *tests, *reps, *dur, *rrdur, *rate, *streams, *window, *cpu;
	const char *shape, *tasks, *enis, *target, *max_reps, *max_time, *out_dir;
	bool no_hot, per_hop;
	enum schedule schedule;
	bool schedule_set;
	struct lab_options lab;
};

void run_args_default(struct run_args *a);
/*
 * A's run into CFG: 0; -EINVAL with WHY when an option's value or its use is
 * wrong (the CLI points to --help); -EOPNOTSUPP with WHY when the options are
 * right and this machine or the modes cannot do it (a window the kernel would
 * not grant, a mode without IPv6, a run ECS would refuse whole). What is left
 * out (a path a mode lacks) or changed (duet's even repetitions) is noticed as
 * a warning. SEED: the random schedule's.
 */
int run_config_check(const struct run_args *a, unsigned int seed, struct run_config *cfg, char *why,
		     size_t len);

#endif
