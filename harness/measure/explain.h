/* SPDX-License-Identifier: MIT */
#ifndef NSB_EXPLAIN_H
#define NSB_EXPLAIN_H

#include <jansson.h>
#include <stdbool.h>

#include "bench/measurement.h"
#include "harness/lab/lab.h"
#include "harness/lab/options.h"
#include "harness/lab/path.h"
#include "harness/measure/explain_opts.h"

void explain_opts_default(struct explain_opts *eo);
/* Whether MODE on path P has a ladder (bridge and awsvpc, ingress; host on a profile). */
bool explain_has_ladder(enum lab_mode mode, enum lab_path p, enum lab_instance inst);
/*
 * The rules between explain's options, once parsed, for EO's mode: the lab
 * options LO into EO, the path (PATH_SET: given), the ladder's options
 * (LADDER_OPT: the name of one given, or NULL), duet without --cpu (CPU_SET),
 * duet's rounds made even (noticed), BO's CPUs. 0, or -EINVAL/-EOPNOTSUPP
 * with WHY as lab_options_check() says them.
 */
int explain_check(struct explain_opts *eo, const struct lab_options *lo, struct bench_opts *bo,
		  bool path_set, const char *ladder_opt, bool cpu_set, char *why, size_t len);
/*
 * Builds the labs (kind "explain"), measures, tears them down. *OUT gets
 * {mode, path, waterfall, ladder?}. -EINTR when lab_stop was raised,
 * -EOPNOTSUPP when the kernel lacks a feature the probes need (WHY says which).
 */
int explain_run(const struct explain_opts *eo, const struct bench_opts *bo, json_t **out, char *why,
		size_t len);

#endif
