// SPDX-License-Identifier: MIT
/* The machine's CPU time (/proc/stat): what traffic costs, and the noise around a measurement. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/cputime.h"

int cpu_times_parse(const char *text, long hz, struct cpu_times *c)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal = 0;
	int n = sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys,
		       &idle, &iowait, &irq, &softirq, &steal);

	/* Kernels before 2.6.11 have no steal field. */
	if (n < 7 || hz <= 0)
		return -EINVAL;
	c->steal = (double)steal / (double)hz;
	c->user = (double)(user + nice) / (double)hz;
	c->system = (double)sys / (double)hz;
	c->idle = (double)(idle + iowait) / (double)hz;
	c->irq = (double)irq / (double)hz;
	c->softirq = (double)softirq / (double)hz;
	return 0;
}

int cpu_times_read(struct cpu_times *c)
{
	char line[512];
	FILE *f = fopen("/proc/stat", "re");
	int ret = -EIO;

	if (!f)
		return -errno;
	if (fgets(line, sizeof(line), f))
		ret = cpu_times_parse(line, sysconf(_SC_CLK_TCK), c);
	fclose(f);
	return ret;
}

int cpu_times_parse_one(const char *line, long hz, unsigned int *cpu, struct cpu_times *c)
{
	char rest[512];
	int off = 0;

	/* "cpu  ..." is the machine's total: a CPU's number follows "cpu" at once. */
	if (strncmp(line, "cpu", 3) || !isdigit((unsigned char)line[3]) ||
	    sscanf(line + 3, "%u%n", cpu, &off) != 1)
		return -EINVAL;
	/* The fields as in the total line: parse them under its name. */
	snprintf(rest, sizeof(rest), "cpu%s", line + 3 + off);
	return cpu_times_parse(rest, hz, c);
}

int cpu_times_read_each(struct cpu_times *each, unsigned int *n)
{
	long hz = sysconf(_SC_CLK_TCK);
	char line[512];
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		return -errno;
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		struct cpu_times c;
		unsigned int cpu;

		if (cpu_times_parse_one(line, hz, &cpu, &c) || cpu >= CPU_TIMES_MAX)
			continue;
		each[cpu] = c;
		if (cpu + 1 > *n)
			*n = cpu + 1;
	}
	fclose(f);
	return *n ? 0 : -EIO;
}
