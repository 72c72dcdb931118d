/* SPDX-License-Identifier: MIT */
#ifndef NSB_TESTHOOKS_H
#define NSB_TESTHOOKS_H

#include <stdbool.h>

/*
 * Fault injection and broken-on-purpose labs, for the test suite only. A
 * test build (make's nsbench-test and tests/bin, compiled with
 * -DNSBENCH_TEST_HOOKS) reads them from the environment:
 *   NSBENCH_FAIL_AFTER=N[:SIG]  fail (or raise SIG at) lab build step N+1
 *   NSBENCH_BREAK=RULE          port-conflict, host-shaped (claims), no-bpf (a kernel
 *                               without BPF), no-tcx (probes on clsact, as before 6.6),
 *                               tcg (CPUID says QEMU's emulator: host.virt "tcg")
 *   NSBENCH_KILL_AT=PHASE:SIG   raise SIG when a run reaches PHASE
 *   NSBENCH_FAIL=WHAT           netns-leave, rr-send: fail that call
 *   NSBENCH_PERF_SECONDS=S      the performance claims' budget, shorter (claims_perf.c)
 * A production build ignores the environment: these return NULL / false.
 */
const char *testhook(const char *name);
/* NSBENCH_BREAK is RULE. */
bool testhook_break(const char *rule);
/* NSBENCH_FAIL is WHAT. */
bool testhook_fail(const char *what);
/* NSBENCH_KILL_AT names PHASE: raise its signal now. */
void testhook_phase(const char *phase);
/* Whether this binary honours the hooks (it says so in doctor and results). */
bool testhook_enabled(void);

#endif
