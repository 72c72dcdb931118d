/* SPDX-License-Identifier: MIT */
#ifndef NSB_NOISE_H
#define NSB_NOISE_H

#include <stdbool.h>

#include "bench/cputime.h"

/*
 * The interference a measurement ran under, from /proc: CPU steal (the
 * hypervisor running someone else), CPU time of processes outside this one
 * and its reaped children, and the load average.
 */

/* A repetition is "noisy" above either threshold, in percent of the machine's CPU time. */
#define NOISE_STEAL_PCT 5.0
#define NOISE_OUTSIDE_PCT 20.0

struct noise_mark {
	struct cpu_times cpu;
	double own_s; /* user + system of this process and its reaped children */
	double t;
};

struct noise {
	double wall_s;
	double steal_pct;   /* of all CPUs' time */
	double outside_pct; /* user + system time not ours, of all CPUs' time */
	double load1;	    /* /proc/loadavg at the end */
	bool noisy;
};

int noise_mark(struct noise_mark *m);
/* From a mark to now. Children must have been waited for to count as ours. */
int noise_since(const struct noise_mark *m, struct noise *out);

#endif
