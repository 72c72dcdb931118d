// SPDX-License-Identifier: MIT
/*
 * The kill matrix (root), generated from the list of phases: `run`, `claims`,
 * `measure`, `explain` and `calibrate` of the test build are stopped by SIGINT, SIGTERM or SIGKILL
 * (then `nsbench clean`) at each phase they pass through (NSBENCH_KILL_AT
 * raises the signal there). After each: the exit status nsbench(8) promises, no
 * namespace, state file, endpoint process, BPF probe or results file (whole
 * or half) left, and the root namespace as it was. Then endpoints stopped (SIGSTOP)
 * or killed mid-measurement: an error, never a hang, nothing left.
 */
#include "labtest.h"
#include "harness/lab/engine.h"
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

static const struct {
	const char *args; /* "--out DIR" is appended to run's */
	const char *phases[10];
} commands[] = {
	{"run --modes host,bridge --tests tcp_stream,tcp_rr --reps 2 --duration 1 "
	 "--rr-duration 0.1",
	 {"run:built", "run:hot-path", "run:measure:tcp_stream", "run:measure:tcp_rr",
	  "endpoints-up", "run:between-reps", "write:state", "write:results"}},
	{"claims --only bridge-static-port,bridge-slower --format json",
	 {"claims:lab", "claims:perf-round", "endpoints-up"}},
	{"measure bridge tcp_rr --duration 0.5", {"measure:built", "endpoints-up"}},
	{"explain bridge --rounds 2 --duration 1 --rr-duration 0.1 --transactions 200",
	 {"explain:built", "per-hop:attached", "endpoints-up", "explain:round"}},
	/* Its dockerd, containerd, shims and containers go too (engine_live_processes). */
	{"calibrate --modes bridge --paths ingress --rounds 2 --duration 1 --rr-duration 0.1",
	 {"calibrate:round"}},
};

static const int signals[] = {SIGINT, SIGTERM, SIGKILL};

/* Processes running the test build (endpoints are its forks) or the lab's docker-proxy. */
static size_t our_processes(void)
{
	char self[PATH_MAX], proxy[PATH_MAX], exe[PATH_MAX], link[300];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if (!realpath(NSB_TEST, self))
		return 0;
	/* The lab's docker-proxies are ours too: the checkout's copy (build-tools/). */
	if (!realpath("build-tools/docker-proxy/docker-proxy", proxy))
		proxy[0] = '\0';
	d = opendir("/proc");
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		ssize_t len;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(link, sizeof(link), "/proc/%s/exe", de->d_name);
		len = readlink(link, exe, sizeof(exe) - 1);
		if (len <= 0)
			continue;
		exe[len] = '\0';
		n += !strcmp(exe, self) || (proxy[0] && !strcmp(exe, proxy));
	}
	closedir(d);
	/* calibrate's Docker engine: dockerd, containerd, the shims, the containers. */
	return n + engine_live_processes();
}

static size_t files_in(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static void test_kill_matrix(void **state)
{
	char dir[] = "/tmp/nsbench-kill-XXXXXX";
	size_t before, cases = 0;
	struct timespec t0, t1;

	(void)state;
	SKIP_UNLESS_ROOT();
	assert_non_null(mkdtemp(dir));
	before = clean_count_leftovers();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		for (size_t p = 0; p < 10 && commands[c].phases[p]; p++)
			for (size_t s = 0; s < sizeof(signals) / sizeof(signals[0]); s++) {
				char args[512], cmd[1024], *out;
				int sig = signals[s], st;

				snprintf(args, sizeof(args), "%s%s%s", commands[c].args,
					 c == 0 ? " --out " : "", c == 0 ? dir : "");
				snprintf(cmd, sizeof(cmd),
					 "NSBENCH_KILL_AT=%s:%d " NSB_TEST
					 " %s 2>&1; echo \"exit $?\"",
					 commands[c].phases[p], sig, args);
				out = tl_capture(cmd, &st);
				/* 128 + the signal: a handled SIGINT/SIGTERM exits so, SIGKILL dies
				 * so. */
				{
					char want[32];

					snprintf(want, sizeof(want), "exit %d", 128 + sig);
					if (!strstr(out, want))
						print_error("%s at %s: %s\n", strsignal(sig),
							    commands[c].phases[p], out);
					assert_non_null(strstr(out, want));
				}
				if (sig != SIGKILL)
					assert_non_null(strstr(out, "interrupted"));
				free(out);
				if (sig == SIGKILL) {
					out = tl_run(0, NSB " clean 2>&1");
					free(out);
				}
				if (clean_count_leftovers() != before || our_processes() ||
				    files_in(dir))
					print_error("%s at %s: %zu leftovers, %zu processes, %zu "
						    "files\n",
						    strsignal(sig), commands[c].phases[p],
						    clean_count_leftovers() - before,
						    our_processes(), files_in(dir));
				assert_int_equal(clean_count_leftovers(), before);
				assert_int_equal(tl_probes_settled(), 0);
				assert_int_equal(our_processes(), 0);
				assert_int_equal(files_in(dir), 0);
				cases++;
			}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("kill matrix: %zu cases in %.0f s\n", cases,
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	rmdir(dir);
	assert_root_unchanged();
}

/* PID lives in a task's namespace (nsb-*-t1): the bridge server, not a docker-proxy of inst. */
static bool in_task_ns(const char *pid)
{
	char path[300];
	struct stat me, ns;
	struct dirent *de;
	bool yes = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/ns/net", pid);
	if (stat(path, &me))
		return false;
	d = opendir("/run/netns");
	while (d && (de = readdir(d)) && !yes) {
		size_t n = strlen(de->d_name);

		if (strncmp(de->d_name, "nsb-", 4) || n < 3 || strcmp(de->d_name + n - 3, "-t1"))
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		yes = !stat(path, &ns) && ns.st_ino == me.st_ino && ns.st_dev == me.st_dev;
	}
	if (d)
		closedir(d);
	return yes;
}

/*
 * The pid of a child of PARENT in a task's namespace: the server endpoint
 * (the lab's docker-proxies are its children too, in the instance's).
 */
static pid_t child_of(pid_t parent)
{
	struct dirent *de;
	pid_t found = 0;
	DIR *d = opendir("/proc");

	while (d && (de = readdir(d)) && !found) {
		char path[300], buf[512], *rp;
		FILE *f;
		int ppid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')) &&
		    sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == parent &&
		    in_task_ns(de->d_name))
			found = atoi(de->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * A server endpoint stopped (SIGSTOP: alive, silent) or killed during a
 * measurement: the client's deadline ends it with an error naming the
 * endpoint, in bounded time, and nothing is left.
 */
static void test_endpoint_stopped_or_killed(void **state)
{
	static const int how[] = {SIGSTOP, SIGKILL};
	size_t before;

	(void)state;
	SKIP_UNLESS_ROOT();
	before = clean_count_leftovers();
	for (size_t i = 0; i < 2; i++) {
		struct timespec t0, t1;
		pid_t pid, srv = 0;
		int st, pfd[2];
		char buf[4096] = "";
		ssize_t n;

		assert_int_equal(pipe(pfd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			dup2(pfd[1], 2);
			dup2(pfd[1], 1);
			close(pfd[0]);
			execl(NSB_TEST, NSB_TEST, "measure", "bridge", "tcp_rr", "--duration", "4",
			      (char *)NULL);
			_exit(127);
		}
		close(pfd[1]);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		/* The first child is the server: it starts before the client. */
		for (int k = 0; k < 200 && !srv; k++) {
			usleep(20000);
			srv = child_of(pid);
		}
		assert_true(srv > 0);
		usleep(500000);
		kill(srv, how[i]);
		n = read(pfd[0], buf, sizeof(buf) - 1);
		while (n > 0) {
			ssize_t m = read(pfd[0], buf + n, sizeof(buf) - 1 - (size_t)n);

			if (m <= 0)
				break;
			n += m;
		}
		buf[n > 0 ? n : 0] = '\0';
		close(pfd[0]);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		print_message("server %s: exit %d after %.1f s: %s", strsignal(how[i]),
			      WEXITSTATUS(st), (double)(t1.tv_sec - t0.tv_sec), buf);
		/* An error, not a result; within the deadline (duration + 10 s). */
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
		assert_true(t1.tv_sec - t0.tv_sec < 20);
		assert_int_equal(clean_count_leftovers(), before);
		assert_int_equal(our_processes(), 0);
	}
	assert_root_unchanged();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kill_matrix, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_endpoint_stopped_or_killed, tl_setup_test,
						tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
