/* SPDX-License-Identifier: MIT */
#ifndef NSB_HOTPATH_H
#define NSB_HOTPATH_H

#include <jansson.h>

#include "bench/measurement.h"
#include "harness/lab/lab.h"
#include "harness/lab/path.h"

#define HOTPATH_TRANSACTIONS 2000

/*
 * The hot packet path of TASK on path P, measured: every interface's packet
 * counters in every lab namespace, the port mapping's nftables counters, the
 * instance's conntrack count and each namespace's IP/UDP counters, sampled
 * around a fixed number of UDP_RR transactions. *OUT gets the ordered hops
 * ("role:ifname") with packets per transaction, and "ok" false with a reason
 * when the hops differ from the mode's expected path.
 */
int hotpath_probe(struct lab *lab, struct lab_task *task, enum lab_path p,
		  const struct bench_opts *bo, json_t **out, char *why, size_t len);
/*
 * The same over family F: the probe's transactions over IPv6 (a dual-stack
 * lab), the namespaces' IP/UDP counters then from /proc/net/snmp6; *OUT says
 * "family". The expected hops are the same typed path.
 */
int hotpath_probe_family(struct lab *lab, struct lab_task *task, enum lab_path p,
			 enum bench_family f, const struct bench_opts *bo, json_t **out, char *why,
			 size_t len);
/*
 * Sets "ok" (and "problem") of a probe's DOC: its hops against EXPECTED, then
 * the mode's evidence (NAT counters for bridge, an untouched instance IP layer
 * for awsvpc). -EPROTO when the path is not the expected one.
 */
int hotpath_verdict(json_t *doc, json_t *expected, const struct lab_task *task, enum lab_path p);
/* The hops a mode must cross on a path, in order; a JSON array of "role:ifname". */
json_t *hotpath_expected(const struct lab *lab, const struct lab_task *task, enum lab_path p);

#endif
