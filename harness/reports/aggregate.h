/* SPDX-License-Identifier: MIT */
#ifndef NSB_AGGREGATE_H
#define NSB_AGGREGATE_H

#include <jansson.h>

/*
 * N tasks' results (RES[0..N-1], driven together) as one: throughput and
 * transactions add up, latency is the median task's (and the worst task's
 * p99), each task's metrics kept under "per_task". A new reference.
 */
json_t *aggregate_tasks(json_t **res, unsigned int n);
/*
 * Every repetition's headline metrics over host mode's in the same repetition
 * ("*_vs_host"): side by side, these ratios cancel the drift of a shared machine.
 * Latency and CPU cost also as differences ("*_minus_host*": microseconds or
 * CPU seconds per GB a mode adds), which transfer to a real VPC.
 */
void aggregate_host_ratios(json_t *doc);

#endif
