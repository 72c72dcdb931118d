/* SPDX-License-Identifier: MIT */
#ifndef NSB_PATHPROBE_H
#define NSB_PATHPROBE_H

#include <jansson.h>
#include <stdbool.h>

#include "harness/lab/lab.h"
#include "harness/measure/runconfig.h"

/*
 * The hot-path probe (PER_HOP false) or the per-hop probe of every mode and
 * path the run measures (intra-host only with two tasks), over each family
 * (the per-hop probe over IPv4 only), each stored under its pathprobe_key()
 * in OUT; *FAILED set when one failed. -EINTR on a stop.
 */
/* "mode/path", "mode/path/ipv6" over IPv6: where a run's hot_paths and per_hop keep a probe. */
void pathprobe_key(char *buf, size_t len, enum lab_mode m, enum lab_path p, enum bench_family f);
int matrix_probe_paths(const struct run_config *c, struct lab **labs, bool per_hop, json_t *out,
		       bool *failed);

#endif
