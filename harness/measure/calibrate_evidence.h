/* SPDX-License-Identifier: MIT */
#ifndef NSB_CALIBRATE_EVIDENCE_H
#define NSB_CALIBRATE_EVIDENCE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "bench/measurement.h"
#include "harness/lab/lab.h"

/* CPU seconds (user and system) PID has used; -1 when it is gone. */
double calibrate_cpu_s(pid_t pid);
/* The docker-proxy of host port PORT over tcp on 0.0.0.0 in namespace NS (0: none). */
pid_t calibrate_proxy_of(const char *ns, uint16_t port);
/*
 * The interfaces a TCP_RR exchange to target T crosses, in path order (the
 * client's namespace, the instance INST, the server's): each whose packet
 * counters moved by a packet per transaction at least, as "role:kind:name".
 * NULL with WHY when it could not run.
 */
json_t *calibrate_hops(const struct bench_target *t, const char *inst, char *why, size_t len);
/* Whether two hop lists are the same roles and kinds of device in the same order. */
bool calibrate_same_hops(json_t *a, json_t *b);
/*
 * {emulated, real, differences}: iptables-save of EMU's instance and of
 * REAL_NS, and each rule one has and the other lacks, with its source named.
 */
json_t *calibrate_rules(struct lab *emu, const char *real_ns);

#endif
