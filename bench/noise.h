/* SPDX-License-Identifier: MIT */
#ifndef NSB_NOISE_H
#define NSB_NOISE_H

#include <stdbool.h>

#include "bench/cputime.h"

/*
 * The interference a measurement ran under, from /proc: CPU steal (the
 * hypervisor running someone else), CPU time of processes outside this one
 * and its reaped children, over the machine and on its busiest CPU, and the
 * load average. The busiest CPU is where a rival shows: nsbench pins its
 * endpoints to one CPU by default, and so does a second nsbench, so another
 * benchmark takes a large share of that CPU and a small one of the machine.
 * Softirq time is charged to no process (the traffic of every benchmark on a
 * CPU lands there alike, ours included), so it counts on neither side.
 */

/* A repetition is "noisy" above either threshold, in percent of the machine's CPU time... */
#define NOISE_STEAL_PCT 5.0
#define NOISE_OUTSIDE_PCT 20.0
/*
 * On the busiest CPU, in percent of that CPU's time. Measured on a 2-CPU VM,
 * run --quick of host and bridge, 3 reps (30 repetitions): alone, 0% at most;
 * beside an iperf3 stream pinned to the endpoints' CPU (which halved their
 * throughput), median 18%, 25 and 28 of 30 at 10% or more; the rival's softirq
 * time, which no process is charged, is the part no figure here sees.
 */
#define NOISE_OUTSIDE_CPU_PCT 10.0 /* ...or above this one on its busiest CPU */
/*
 * Network load not ours: softirq and irq time on a CPU where none of our
 * endpoints ran and no process of ours worked, in percent of that CPU's time.
 * The network stack's receive work runs there, charged to no process: a
 * rival's packets show here and nowhere else.
 */
#define NOISE_NET_PCT 10.0

/* A thread of a live child of this process (the lab's docker-proxies): its CPU time is ours. */
struct noise_child {
	int pid;  /* the thread's id (the process's where its threads cannot be read) */
	int tgid; /* its process */
	int cpu; /* where it last ran */
	double s;
};

#define NOISE_MAX_CHILDREN 1024

struct noise_mark {
	struct cpu_times cpu;
	struct cpu_times each[CPU_TIMES_MAX];
	unsigned int ncpus;
	/* user + system of this process, its reaped children and its live ones */
	double own_s;
	struct noise_child kids[NOISE_MAX_CHILDREN];
	unsigned int nkids;
	bool ours[CPU_TIMES_MAX]; /* CPUs our endpoints run on (noise_mark_cpu) */
	double t;
};

struct noise {
	double wall_s;
	double own_s; /* CPU seconds of ours: this process, its reaped and its live children */
	double steal_pct;   /* of all CPUs' time */
	double outside_pct; /* user + system time not ours, of all CPUs' time */
	/* On the CPU where that is largest: user + system not ours, of that CPU's time. */
	double outside_cpu_pct;
	int outside_cpu; /* that CPU, -1 when per-CPU times could not be read */
	double load1;	 /* /proc/loadavg at the end */
	/* Softirq + irq on the CPU, not ours, where it was largest, of that CPU's time. */
	double net_pct;
	int net_cpu; /* that CPU; -1 when no CPU was named ours (nothing to set it against) */
	bool noisy;
};

int noise_mark(struct noise_mark *m);
/* CPU is where our endpoints run (their pinned CPU): its softirq time is ours. */
void noise_mark_cpu(struct noise_mark *m, int cpu);
/* From a mark to now. Children must have been waited for to count as ours. */
int noise_since(const struct noise_mark *m, struct noise *out);
/*
 * The busiest CPU's outside share from two per-CPU readings and our own CPU
 * seconds between them (exposed for the unit tests): at least what was not
 * ours, since all of ours may have run there.
 */
double noise_busiest_cpu(const struct cpu_times *before, const struct cpu_times *after,
			 unsigned int n, double own_s, int *cpu);
/*
 * The largest softirq + irq share of a CPU's time among the CPUs not in OURS
 * (exposed for the unit tests); *CPU that CPU, -1 when OURS names none.
 */
double noise_foreign_net(const struct cpu_times *before, const struct cpu_times *after,
			 unsigned int n, const bool *ours, int *cpu);
/*
 * The live children of PARENT under PROC (/proc, or a copy of its layout):
 * each thread's id, last CPU and user + system seconds from PID/task/TID/stat
 * (PID/stat where there is no task folder), at most MAX; returns how many.
 * Exposed for the unit tests.
 */
unsigned int noise_children(const char *proc, int parent, long hz, struct noise_child *out,
			    unsigned int max);

#endif
