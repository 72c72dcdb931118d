// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include "bench/noise.h"

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* One PID/stat: its parent, last CPU and user + system seconds; false when unreadable. */
static bool child_stat(const char *proc, const char *pid, long hz, int *ppid, struct noise_child *c)
{
	char path[288], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;
	int cpu;

	snprintf(path, sizeof(path), "%s/%s/stat", proc, pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command may hold spaces and parentheses: the fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2,
			 "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d "
			 "%*d %*d %*u %*u %*d %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u "
			 "%*u %*d %d",
			 ppid, &ut, &st, &cpu) != 4)
		return false;
	c->pid = c->tgid = atoi(pid);
	c->cpu = cpu;
	c->s = (double)(ut + st) / (double)hz;
	return true;
}

/*
 * The threads of process PID under PROC (a Go docker-proxy runs several, each
 * on its own CPU), into OUT keyed by thread id; 0 when PROC/PID/task is not
 * there (the caller keeps the process's own line).
 */
static unsigned int child_threads(const char *proc, const char *pid, long hz,
				  struct noise_child *out, unsigned int max)
{
	char dir[288], rel[320];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s/task", proc, pid);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		int ppid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(rel, sizeof(rel), "%s/task/%s", pid, de->d_name);
		if (child_stat(proc, rel, hz, &ppid, &out[n])) {
			out[n].tgid = atoi(pid);
			out[n].pid = atoi(de->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

unsigned int noise_children(const char *proc, int parent, long hz, struct noise_child *out,
			    unsigned int max)
{
	DIR *d = opendir(proc);
	struct dirent *de;
	unsigned int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		unsigned int t;
		int ppid;

		if (!isdigit((unsigned char)de->d_name[0]) ||
		    !child_stat(proc, de->d_name, hz, &ppid, &out[n]) || ppid != parent)
			continue;
		/* Each thread where it last ran; the process's line when they cannot be read. */
		t = child_threads(proc, de->d_name, hz, &out[n], max - n);
		n += t ? t : 1;
	}
	closedir(d);
	return n;
}

void noise_mark_cpu(struct noise_mark *m, int cpu)
{
	if (cpu >= 0 && cpu < CPU_TIMES_MAX)
		m->ours[cpu] = true;
}

int noise_mark(struct noise_mark *m)
{
	struct rusage self, kids;
	struct timespec ts;
	int ret = cpu_times_read(&m->cpu);

	memset(m->ours, 0, sizeof(m->ours));
	if (ret)
		return ret;
	if (cpu_times_read_each(m->each, &m->ncpus))
		m->ncpus = 0;
	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &kids))
		return -errno;
	m->own_s = tv(self.ru_utime) + tv(self.ru_stime) + tv(kids.ru_utime) + tv(kids.ru_stime);
	m->nkids = noise_children("/proc", (int)getpid(), sysconf(_SC_CLK_TCK), m->kids,
				  NOISE_MAX_CHILDREN);
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

double noise_foreign_net(const struct cpu_times *before, const struct cpu_times *after,
			 unsigned int n, const bool *ours, int *cpu)
{
	double worst = 0;
	bool any = false;

	*cpu = -1;
	for (unsigned int i = 0; i < n; i++)
		any |= ours[i];
	if (!any)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		const struct cpu_times *a = &after[i], *b = &before[i];
		double net = (a->irq - b->irq) + (a->softirq - b->softirq);
		double total = (a->user - b->user) + (a->system - b->system) + (a->idle - b->idle) +
			       net + (a->steal - b->steal);
		double pct = total > 0 && net > 0 ? net / total * 100 : 0;

		if (ours[i] || total <= 0)
			continue;
		if (*cpu < 0 || pct > worst) {
			worst = pct;
			*cpu = (int)i;
		}
	}
	return worst;
}

/*
 * The live children's CPU time between the marks (a child gone since was
 * reaped: its whole time is in the reaped children's, so what it had at the
 * mark comes off), and the CPUs where a child worked become ours.
 */
static double children_since(const struct noise_mark *m, const struct noise_mark *now, bool *ours)
{
	double s = 0;

	for (unsigned int i = 0; i < now->nkids; i++) {
		const struct noise_child *k = &now->kids[i];
		double before = 0;

		for (unsigned int j = 0; j < m->nkids; j++)
			if (m->kids[j].pid == k->pid)
				before = m->kids[j].s;
		if (k->s - before > 0) {
			s += k->s - before;
			if (k->cpu >= 0 && k->cpu < CPU_TIMES_MAX)
				ours[k->cpu] = true;
		}
	}
	/* A process gone since was reaped: what its threads had at the mark comes off. */
	for (unsigned int j = 0; j < m->nkids; j++) {
		bool live = false;

		for (unsigned int i = 0; i < now->nkids; i++)
			live |= now->kids[i].tgid == m->kids[j].tgid;
		if (!live)
			s -= m->kids[j].s;
	}
	return s;
}

int noise_since(const struct noise_mark *m, struct noise *out)
{
	struct noise_mark now;
	double total, busy, outside, own;
	bool ours[CPU_TIMES_MAX];
	int ret = noise_mark(&now);

	if (ret)
		return ret;
	memcpy(ours, m->ours, sizeof(ours));
	own = now.own_s - m->own_s + children_since(m, &now, ours);
	/* Unpinned endpoints (--cpu free) may run anywhere: nothing to set softirq against. */
	if (!memchr(m->ours, true, sizeof(m->ours)))
		memset(ours, 0, sizeof(ours));
	total = (now.cpu.user - m->cpu.user) + (now.cpu.system - m->cpu.system) +
		(now.cpu.idle - m->cpu.idle) + (now.cpu.irq - m->cpu.irq) +
		(now.cpu.softirq - m->cpu.softirq) + (now.cpu.steal - m->cpu.steal);
	/* Interrupt and softirq time is not charged to a process: it is left out of both. */
	busy = (now.cpu.user - m->cpu.user) + (now.cpu.system - m->cpu.system);
	outside = busy - own;
	out->wall_s = now.t - m->t;
	out->own_s = own;
	out->steal_pct = total > 0 ? (now.cpu.steal - m->cpu.steal) / total * 100 : 0;
	out->outside_pct = total > 0 && outside > 0 ? outside / total * 100 : 0;
	out->outside_cpu_pct =
		now.ncpus && now.ncpus == m->ncpus
			? noise_busiest_cpu(m->each, now.each, now.ncpus, own, &out->outside_cpu)
			: 0;
	out->net_pct = 0;
	out->net_cpu = -1;
	if (!now.ncpus || now.ncpus != m->ncpus)
		out->outside_cpu = -1;
	else
		out->net_pct = noise_foreign_net(m->each, now.each, now.ncpus, ours, &out->net_cpu);
	out->load1 = load1();
	out->noisy = out->steal_pct >= NOISE_STEAL_PCT || out->outside_pct >= NOISE_OUTSIDE_PCT ||
		     out->outside_cpu_pct >= NOISE_OUTSIDE_CPU_PCT || out->net_pct >= NOISE_NET_PCT;
	return 0;
}
