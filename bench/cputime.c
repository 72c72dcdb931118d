// SPDX-License-Identifier: MIT
/* The machine's CPU time (/proc/stat): what traffic costs, and the noise around a measurement. */
#include <errno.h>
#include <stdio.h>
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
