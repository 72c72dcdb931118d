/* SPDX-License-Identifier: MIT */
#ifndef NSB_CPUTIME_H
#define NSB_CPUTIME_H

/* Seconds of CPU time summed over every CPU since boot (the "cpu" line of /proc/stat). */
struct cpu_times {
	double user, system, softirq, irq, idle, steal;
};

int cpu_times_read(struct cpu_times *c);
int cpu_times_parse(const char *text, long hz, struct cpu_times *c);

/* The same for each CPU ("cpuN" lines), N < CPU_TIMES_MAX; *N the highest N + 1 seen. */
#define CPU_TIMES_MAX 256
int cpu_times_read_each(struct cpu_times *each, unsigned int *n);
/* One "cpuN ..." line: N in *CPU; -EINVAL for another line (the "cpu" total among them). */
int cpu_times_parse_one(const char *line, long hz, unsigned int *cpu, struct cpu_times *c);

#endif
