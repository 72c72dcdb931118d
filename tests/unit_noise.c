// SPDX-License-Identifier: MIT
/*
 * The noise record's per-CPU view (no root): /proc/stat's cpuN lines, and the
 * busiest CPU's share of time no process of ours used. A second benchmark
 * pinned to nsbench's CPU takes half of that CPU and a quarter of a 2-CPU
 * machine: the machine-wide figure missed it (issue 21), the per-CPU one does not.
 */
#include "testlib.h"
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <sys/stat.h>

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

/*
 * Network load not ours: softirq on a CPU where our endpoints did not run. A
 * rival's packets are processed in softirq, charged to no process: 30% of
 * CPU 0 while ours ran on CPU 1 is a disturbance the user+system view misses.
 */
static void test_foreign_net(void **state)
{
	struct cpu_times b[2], a[2];
	bool ours[2] = {false, true};
	double pct;
	int cpu;

	(void)state;
	ran(&b[0], &a[0], 0.05, 0.30, 1.0);
	ran(&b[1], &a[1], 0.60, 0.40, 1.0);
	pct = noise_foreign_net(b, a, 2, ours, &cpu);
	assert_int_equal(cpu, 0);
	assert_true(pct > 29.9 && pct < 30.1);
	assert_true(pct >= NOISE_NET_PCT);
	/* The same seconds on our own CPU: ours (our traffic's softirq lands there). */
	ran(&b[0], &a[0], 0.05, 0.0, 1.0);
	pct = noise_foreign_net(b, a, 2, ours, &cpu);
	assert_true(pct < 0.1);
	/* Both CPUs ours (a duet): nothing to set it against, no CPU named. */
	ours[0] = true;
	ran(&b[0], &a[0], 0.05, 0.30, 1.0);
	pct = noise_foreign_net(b, a, 2, ours, &cpu);
	assert_int_equal(cpu, -1);
	assert_true(pct == 0.0);
	/* No CPU named ours (free placement): not attributed. */
	ours[0] = ours[1] = false;
	pct = noise_foreign_net(b, a, 2, ours, &cpu);
	assert_int_equal(cpu, -1);
	assert_true(pct == 0.0);
}

/* A fake /proc: PID/stat files, one a child of 4242 with spaces and ')' in its name. */
static void write_stat(const char *root, int pid, const char *comm, int ppid, unsigned long long ut,
		       unsigned long long st, int cpu)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/stat", root, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"%d (%s) S %d %d %d 0 -1 4194560 100 0 0 0 %llu %llu 0 0 20 0 1 0 12345 1000000 "
		"100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 %d 0 0 0 0 0\n",
		pid, comm, ppid, pid, pid, ut, st, cpu);
	fclose(f);
}

static void test_children(void **state)
{
	char root[] = "/tmp/nsbench-proc-XXXXXX", cmd[64];
	struct noise_child k[4];
	unsigned int n;

	(void)state;
	assert_non_null(mkdtemp(root));
	write_stat(root, 100, "docker-proxy", 4242, 150, 50, 1);
	write_stat(root, 101, "a (b) c", 4242, 10, 0, 0);
	write_stat(root, 102, "other", 1, 999, 999, 0);
	n = noise_children(root, 4242, 100, k, 4);
	assert_int_equal(n, 2);
	for (unsigned int i = 0; i < n; i++) {
		if (k[i].pid == 100) {
			assert_int_equal(k[i].cpu, 1);
			assert_true(k[i].s > 1.999 && k[i].s < 2.001);
		} else {
			assert_int_equal(k[i].pid, 101);
			assert_true(k[i].s > 0.099 && k[i].s < 0.101);
		}
	}
	/* At most MAX. */
	assert_int_equal(noise_children(root, 4242, 100, k, 1), 1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

/*
 * A live child that works (as the lab's docker-proxy does) is ours: its CPU
 * time is counted as our own (own_s), never as another process's. The child
 * burns 0.3 s of its own CPU time between the marks, whatever else runs.
 */
static void test_live_child_is_ours(void **state)
{
	struct noise_mark m;
	struct noise nz;
	int go[2], done[2];
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		volatile unsigned long x = 0;
		struct timespec t;

		if (read(go[0], &c, 1) != 1)
			_exit(1);
		do {
			for (int i = 0; i < 100000; i++)
				x += (unsigned long)i;
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
		} while (t.tv_sec * 1000 + t.tv_nsec / 1000000 < 300);
		if (write(done[1], "x", 1) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(noise_mark(&m), 0);
	assert_int_equal(write(go[1], "x", 1), 1);
	assert_int_equal(read(done[0], &c, 1), 1);
	assert_int_equal(noise_since(&m, &nz), 0);
	/* /proc counts in ticks: 0.3 s, less a tick or two of rounding. */
	assert_true(nz.own_s >= 0.27);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
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
		cmocka_unit_test(test_parse_one), cmocka_unit_test(test_busiest_cpu),
		cmocka_unit_test(test_read_each), cmocka_unit_test(test_foreign_net),
		cmocka_unit_test(test_children),  cmocka_unit_test(test_live_child_is_ours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
