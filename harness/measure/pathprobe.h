/* SPDX-License-Identifier: MIT */
#ifndef NSB_PATHPROBE_H
#define NSB_PATHPROBE_H

#include <jansson.h>
#include <stdbool.h>

#include "harness/lab/lab.h"
#include "harness/measure/runconfig.h"

/*
 * The hot-path probe (PER_HOP false) or the per-hop probe of every mode and
 * path the run measures (intra-host only with two tasks), each stored under
 * "mode/path" in OUT; *FAILED set when one failed. -EINTR on a stop.
 */
int matrix_probe_paths(const struct run_config *c, struct lab **labs, bool per_hop, json_t *out,
		       bool *failed);

#endif
