/* SPDX-License-Identifier: MIT */
#ifndef NSB_CPUTIME_H
#define NSB_CPUTIME_H

/* Seconds of CPU time summed over every CPU since boot (the "cpu" line of /proc/stat). */
struct cpu_times {
	double user, system, softirq, irq, idle, steal;
};

int cpu_times_read(struct cpu_times *c);
int cpu_times_parse(const char *text, long hz, struct cpu_times *c);

#endif
