// SPDX-License-Identifier: MIT
/* Schedules of side-by-side rounds: alternate, random order, duet, interleave (schedule.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cputime.h"
#include "harness/measure/schedule.h"

static const char *const names[SCHED_COUNT] = {"alternate", "random", "duet", "interleave"};

const char *schedule_name(enum schedule s)
{
	return (unsigned int)s < SCHED_COUNT ? names[s] : "?";
}

int schedule_parse(const char *name, enum schedule *s)
{
	for (int i = 0; i < SCHED_COUNT; i++)
		if (name && !strcmp(name, names[i])) {
			*s = (enum schedule)i;
			return 0;
		}
	return -EINVAL;
}

int schedule_duet_cpus(int cpus[2], char *why, size_t len)
{
	cpu_set_t set;

	cpus[0] = cpus[1] = -1;
	if (sched_getaffinity(0, sizeof(set), &set) < 0) {
		snprintf(why, len, "reading this process's CPUs: %s", strerror(errno));
		return -errno;
	}
	/* Below CPU_TIMES_MAX: each side's CPU time is read per CPU from /proc/stat. */
	for (int i = 0; i < CPU_SETSIZE && i < CPU_TIMES_MAX; i++)
		if (CPU_ISSET(i, &set)) {
			if (cpus[0] < 0)
				cpus[0] = i;
			cpus[1] = i;
		}
	if (cpus[0] < 0 || cpus[0] == cpus[1]) {
		snprintf(why, len,
			 "--schedule duet runs two modes at once, each on a CPU of its own, and "
			 "this "
			 "process may run on one CPU only (%d)",
			 cpus[0]);
		return -ENODEV;
	}
	return 0;
}

void schedule_order(enum schedule s, unsigned int round, unsigned int seed, unsigned int *order,
		    unsigned int n)
{
	/* A small LCG of its own: the order is reproducible from the seed and the round. */
	unsigned long long x = (unsigned long long)seed * 6364136223846793005ULL + round + 1;

	for (unsigned int i = 0; i < n; i++)
		order[i] = i;
	if (s != SCHED_RANDOM)
		return;
	for (unsigned int i = n; i > 1; i--) {
		unsigned int j, t;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		j = (unsigned int)((x >> 33) % i);
		t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}
