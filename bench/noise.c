// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <sys/resource.h>

#include "bench/noise.h"

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int noise_mark(struct noise_mark *m)
{
	struct rusage self, kids;
	struct timespec ts;
	int ret = cpu_times_read(&m->cpu);

	if (ret)
		return ret;
	if (cpu_times_read_each(m->each, &m->ncpus))
		m->ncpus = 0;
	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &kids))
		return -errno;
	m->own_s = tv(self.ru_utime) + tv(self.ru_stime) + tv(kids.ru_utime) + tv(kids.ru_stime);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	m->t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return 0;
}

static double load1(void)
{
	FILE *f = fopen("/proc/loadavg", "re");
	double l = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%lf", &l) != 1)
		l = 0;
	fclose(f);
	return l;
}

double noise_busiest_cpu(const struct cpu_times *before, const struct cpu_times *after,
			 unsigned int n, double own_s, int *cpu)
{
	double worst = 0;

	*cpu = -1;
	for (unsigned int i = 0; i < n; i++) {
		const struct cpu_times *a = &after[i], *b = &before[i];
		double total = (a->user - b->user) + (a->system - b->system) + (a->idle - b->idle) +
			       (a->irq - b->irq) + (a->softirq - b->softirq) +
			       (a->steal - b->steal);
		double outside = (a->user - b->user) + (a->system - b->system) - own_s;
		double pct = total > 0 && outside > 0 ? outside / total * 100 : 0;

		if (total > 0 && (*cpu < 0 || pct > worst)) {
			worst = pct;
			*cpu = (int)i;
		}
	}
	return worst;
}

int noise_since(const struct noise_mark *m, struct noise *out)
{
	struct noise_mark now;
	double total, busy, outside;
	int ret = noise_mark(&now);

	if (ret)
		return ret;
	total = (now.cpu.user - m->cpu.user) + (now.cpu.system - m->cpu.system) +
		(now.cpu.idle - m->cpu.idle) + (now.cpu.irq - m->cpu.irq) +
		(now.cpu.softirq - m->cpu.softirq) + (now.cpu.steal - m->cpu.steal);
	/* Interrupt and softirq time is not charged to a process: it is left out of both. */
	busy = (now.cpu.user - m->cpu.user) + (now.cpu.system - m->cpu.system);
	outside = busy - (now.own_s - m->own_s);
	out->wall_s = now.t - m->t;
	out->steal_pct = total > 0 ? (now.cpu.steal - m->cpu.steal) / total * 100 : 0;
	out->outside_pct = total > 0 && outside > 0 ? outside / total * 100 : 0;
	out->outside_cpu_pct = now.ncpus && now.ncpus == m->ncpus
				       ? noise_busiest_cpu(m->each, now.each, now.ncpus,
							   now.own_s - m->own_s, &out->outside_cpu)
				       : 0;
	if (!now.ncpus || now.ncpus != m->ncpus)
		out->outside_cpu = -1;
	out->load1 = load1();
	out->noisy = out->steal_pct >= NOISE_STEAL_PCT || out->outside_pct >= NOISE_OUTSIDE_PCT ||
		     out->outside_cpu_pct >= NOISE_OUTSIDE_CPU_PCT;
	return 0;
}
