// SPDX-License-Identifier: MIT
/*
 * The noise record's per-CPU view (no root): /proc/stat's cpuN lines, and the
 * busiest CPU's share of time no process of ours used. A second benchmark
 * pinned to nsbench's CPU takes half of that CPU and a quarter of a 2-CPU
 * machine: the machine-wide figure missed it (issue 21), the per-CPU one does not.
 */
#include "testlib.h"
#include <errno.h>

#include "bench/noise.h"

static void test_parse_one(void **state)
{
	struct cpu_times c;
	unsigned int cpu = 99;

	(void)state;
	assert_int_equal(cpu_times_parse_one("cpu12 100 0 50 800 0 0 25 5 0 0\n", 100, &cpu, &c),
			 0);
	assert_int_equal(cpu, 12);
	assert_true(c.user == 1.0 && c.system == 0.5 && c.idle == 8.0 && c.softirq == 0.25 &&
		    c.steal == 0.05);
	/* The machine's total line is not a CPU's; nor is any other line. */
	assert_int_equal(cpu_times_parse_one("cpu  100 0 50 800 0 0 25 5 0 0\n", 100, &cpu, &c),
			 -EINVAL);
	assert_int_equal(cpu_times_parse_one("intr 12345 0 0\n", 100, &cpu, &c), -EINVAL);
	assert_int_equal(cpu_times_parse_one("cpu3\n", 100, &cpu, &c), -EINVAL);
}

/* CPU I ran USER+SYS seconds of TOTAL between the two readings. */
static void ran(struct cpu_times *b, struct cpu_times *a, double busy, double softirq, double total)
{
	memset(b, 0, sizeof(*b));
	*a = *b;
	a->user = busy / 2;
	a->system = busy / 2;
	a->softirq = softirq;
	a->idle = total - busy - softirq;
}

static void test_busiest_cpu(void **state)
{
	struct cpu_times b[2], a[2];
	double pct;
	int cpu;

	(void)state;
	/* CPU 0 idle, CPU 1 busy for 1 s of 1 s, 0.5 s of it ours: half of CPU 1 was not ours. */
	ran(&b[0], &a[0], 0.0, 0.0, 1.0);
	ran(&b[1], &a[1], 1.0, 0.0, 1.0);
	pct = noise_busiest_cpu(b, a, 2, 0.5, &cpu);
	assert_int_equal(cpu, 1);
	assert_true(pct > 49.9 && pct < 50.1);
	/* A rival of 0.3 s: 15% of the 2-CPU machine (under the threshold), 30% of its CPU. */
	ran(&b[1], &a[1], 0.8, 0.0, 1.0);
	pct = noise_busiest_cpu(b, a, 2, 0.5, &cpu);
	assert_true(pct > 29.9 && pct < 30.1);
	assert_true(pct >= NOISE_OUTSIDE_CPU_PCT);
	/* Alone: all the busy time ours, whatever softirq did. */
	ran(&b[1], &a[1], 0.5, 0.4, 1.0);
	pct = noise_busiest_cpu(b, a, 2, 0.5, &cpu);
	assert_true(pct < 0.1);
	/* Ours spread over both CPUs: never negative. */
	ran(&b[0], &a[0], 0.3, 0.0, 1.0);
	ran(&b[1], &a[1], 0.3, 0.0, 1.0);
	pct = noise_busiest_cpu(b, a, 2, 0.6, &cpu);
	assert_true(pct == 0.0);
	/* No time passed: no CPU named. */
	pct = noise_busiest_cpu(b, b, 2, 0.0, &cpu);
	assert_int_equal(cpu, -1);
	assert_true(pct == 0.0);
}

/* This machine's /proc/stat: every CPU it has is read. */
static void test_read_each(void **state)
{
	struct cpu_times each[CPU_TIMES_MAX];
	unsigned int n = 0;

	(void)state;
	assert_int_equal(cpu_times_read_each(each, &n), 0);
	assert_true(n >= (unsigned int)sysconf(_SC_NPROCESSORS_ONLN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_one),
		cmocka_unit_test(test_busiest_cpu),
		cmocka_unit_test(test_read_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
