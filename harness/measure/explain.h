/* SPDX-License-Identifier: MIT */
#ifndef NSB_EXPLAIN_H
#define NSB_EXPLAIN_H

#include <jansson.h>
#include <stdbool.h>

#include "bench/measurement.h"
#include "harness/lab/lab.h"
#include "harness/lab/path.h"
#include "harness/measure/explain_opts.h"

void explain_opts_default(struct explain_opts *eo);
/* Whether MODE on path P has a ladder (bridge and awsvpc, ingress; host on a profile). */
bool explain_has_ladder(enum lab_mode mode, enum lab_path p, enum lab_instance inst);
/*
 * Builds the labs (kind "explain"), measures, tears them down. *OUT gets
 * {mode, path, waterfall, ladder?}. -EINTR when lab_stop was raised,
 * -EOPNOTSUPP when the kernel lacks a feature the probes need (WHY says which).
 */
int explain_run(const struct explain_opts *eo, const struct bench_opts *bo, json_t **out,
		char *why, size_t len);

#endif
