/* SPDX-License-Identifier: MIT */
#ifndef NSB_SCHEDULE_H
#define NSB_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * How the rounds of a side-by-side comparison are scheduled:
 *   alternate  each round measures every mode in turn, in the same order;
 *   random     in turn, in an order drawn afresh every round (randomized
 *              multiple interleaved trials, Abedi and Brecht, ICPE 2017);
 *   duet       two modes at once, each pair of endpoints on a CPU of its own,
 *              the CPUs swapped every round (duet benchmarking, Bulej et
 *              al., ICPE 2020): what disturbs one disturbs the other;
 *   interleave each mode paired with a reference (claims: host), one
 *              client taking turns between their servers, bulk transfers
 *              and then transactions, one to each: the machine's drift,
 *              seconds long, falls on both alike.
 * Which gives the narrowest unbiased intervals here is measured, not assumed
 * (scripts/bench-schedules.sh; doc/method.md, "Schedules").
 */
enum schedule { SCHED_ALTERNATE, SCHED_RANDOM, SCHED_DUET, SCHED_INTERLEAVE, SCHED_COUNT };

#define SCHED_DEFAULT SCHED_ALTERNATE
/* claims' default: its ratios narrower per round, unbiased A/A (doc/method.md, "Schedules"). */
#define SCHED_CLAIMS_DEFAULT SCHED_INTERLEAVE

const char *schedule_name(enum schedule s);
int schedule_parse(const char *name, enum schedule *s);

/*
 * A duet's two CPUs, from those this process may run on: the first and the
 * last. -ENODEV with WHY when there is only one (a duet cannot hold there).
 */
int schedule_duet_cpus(int cpus[2], char *why, size_t len);

/* ORDER[0..N-1] a permutation of 0..N-1 for round ROUND (a fixed sequence per SEED). */
void schedule_order(enum schedule s, unsigned int round, unsigned int seed, unsigned int *order,
		    unsigned int n);

#endif
