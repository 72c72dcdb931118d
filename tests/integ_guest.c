// SPDX-License-Identifier: MIT
/*
 * scripts/kernel-guest.sh, the kernel guests' launcher (root; it downloads
 * Debian's 6.1 kernel once into its cache): a command's exit status, stdout
 * and stderr come back as the script's own; a package that does not exist, an
 * unknown kernel and a kernel image without 9p are refused with exit 2 before
 * anything boots; a guest whose command never ends is killed at its deadline
 * with its console shown, exit 1, and nothing is left (no qemu, no control
 * folder). scripts/kernel-compare.sh interleaves its rounds, writes a results
 * file per kernel and round, each saying it was emulated, and compares the
 * kernels without deciding on emulated figures.
 */
#include "testlib.h"
#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>

#define GUEST "./scripts/kernel-guest.sh"

/*
 * This suite's mark, in its environment and so in every launcher and qemu it
 * starts (the launcher also writes NSBENCH_* variables into the control
 * folder's cmd): guests that others run on the machine at the same time are
 * not counted as this suite's.
 */
#define TAG_VAR "NSBENCH_GUEST_TEST"
static char tag[32];

/* Up to LEN - 1 bytes of PATH, NULs made newlines, after a leading newline. */
static size_t read_lines(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = '\n';
	buf[1] = '\0';
	if (fd < 0)
		return 0;
	n = read(fd, buf + 1, len - 2);
	close(fd);
	if (n <= 0)
		return 0;
	for (ssize_t i = 1; i <= n; i++)
		if (!buf[i])
			buf[i] = '\n';
	buf[n + 1] = '\0';
	return (size_t)n;
}

/* This suite's qemu processes: a guest's control folder (nsb.ctl=...) on the command line. */
static size_t guest_processes(void)
{
	static char buf[65536];
	char mark[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir("/proc");

	snprintf(mark, sizeof(mark), "\n%s=%s\n", TAG_VAR, tag);
	while (d && (de = readdir(d))) {
		char path[300];

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		if (!read_lines(path, buf, sizeof(buf)) || !strstr(buf, "qemu-system") ||
		    !strstr(buf, "nsb.ctl="))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/environ", de->d_name);
		read_lines(path, buf, sizeof(buf));
		n += strstr(buf, mark) != NULL;
	}
	if (d)
		closedir(d);
	return n;
}

/* What the launcher picks by itself: KVM where the CPU offers it, else TCG. */
static const char *expected_accel(void)
{
	char *flags =
		tl_capture("grep -Eqw 'vmx|svm' /proc/cpuinfo && test -w /dev/kvm && echo kvm "
			   "|| echo tcg",
			   NULL);
	static char accel[8];

	snprintf(accel, sizeof(accel), "%.3s", flags);
	free(flags);
	return accel;
}

/* This suite's guests' control folders (/tmp/nsb-guest.*, its mark in their cmd). */
static size_t control_folders(void)
{
	char mark[64], path[300], buf[4096];
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir("/tmp");

	snprintf(mark, sizeof(mark), "export %s='%s'", TAG_VAR, tag);
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "nsb-guest.", 10))
			continue;
		snprintf(path, sizeof(path), "/tmp/%s/cmd", de->d_name);
		read_lines(path, buf, sizeof(buf));
		n += strstr(buf, mark) != NULL;
	}
	if (d)
		closedir(d);
	return n;
}

/*
 * One guest for all of it: the exit status, stdout and stderr come back apart,
 * and a working folder under /tmp (the guest has its own) is shared at its
 * path. A status of 0 coming back as 0 is checked by test_compare_beside_waits
 * (kernel-compare.sh stops at a round whose guest did not exit 0).
 */
static void test_status_and_output(void **state)
{
	size_t folders = control_folders(), guests = guest_processes();
	char wd[] = "/tmp/nsbench-wd-XXXXXX", cmd[768], here[256], *out, *err;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	assert_non_null(mkdtemp(wd));
	assert_non_null(getcwd(here, sizeof(here)));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && %s/" GUEST " run --timeout 300 6.1 -- sh -c "
		 "'uname -r; pwd; echo x > written; echo to-stderr >&2; exit 7' "
		 "2>%s.err",
		 wd, here, wd);
	out = tl_capture(cmd, &st);
	print_message("guest said: %s", out);
	assert_int_equal(st, 7);
	/* The guest's own kernel, its working folder, and only the command's stdout on stdout. */
	assert_non_null(strstr(out, "6.1."));
	assert_non_null(strstr(out, wd));
	assert_null(strstr(out, "to-stderr"));
	free(out);
	snprintf(cmd, sizeof(cmd), "cat %s.err", wd);
	err = tl_capture(cmd, &st);
	assert_non_null(strstr(err, "to-stderr"));
	/* Under TCG the script says its figures are not performance figures. */
	if (!strcmp(expected_accel(), "tcg"))
		assert_non_null(strstr(err, "emulating with TCG"));
	else
		assert_null(strstr(err, "TCG"));
	free(err);
	/* What the command wrote in the shared working folder is on the host. */
	out = tl_run(0, "cat %s/written", wd);
	assert_string_equal(out, "x\n");
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s.err", wd, wd);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(guest_processes(), guests);
	assert_int_equal(control_folders(), folders);
}

/* An unknown kernel and an image without 9p: refused with exit 2 before anything boots. */
static void test_bad_kernels(void **state)
{
	char dir[] = "/tmp/nsbench-kimg-XXXXXX", cmd[512], *out;
	size_t guests = guest_processes();
	FILE *f;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_run(2, GUEST " run 4.19 -- true 2>&1");
	assert_non_null(strstr(out, "unknown kernel '4.19'"));
	free(out);

	/* An image whose configuration has no 9p: refused before it boots. */
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/boot %s/lib/modules/9.9.9 && "
		 "echo not-a-kernel > %s/boot/vmlinuz-9.9.9",
		 dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/boot/config-9.9.9", dir);
	f = fopen(cmd, "w");
	assert_non_null(f);
	fputs("CONFIG_VIRTIO_PCI=y\nCONFIG_DEVTMPFS=y\n# CONFIG_NET_9P is not set\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), GUEST " run %s/boot/vmlinuz-9.9.9 -- true 2>&1", dir);
	out = tl_capture(cmd, &st);
	print_message("%s", out);
	assert_int_equal(st, 2);
	assert_non_null(strstr(out, "CONFIG_NET_9P is not set"));
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(guest_processes(), guests);
}

/* A command run in the background, its stdout and stderr into a file. */
struct bg {
	FILE *p;
	char out[32];
};

static void bg_start(struct bg *b, const char *cmd)
{
	char sh[1024];
	int fd;

	snprintf(b->out, sizeof(b->out), "/tmp/nsbench-bg-XXXXXX");
	fd = mkstemp(b->out);
	assert_true(fd >= 0);
	close(fd);
	snprintf(sh, sizeof(sh), "s=$(date +%%s); %s >%s 2>&1; echo \"$? $(($(date +%%s) - s))\"",
		 cmd, b->out);
	b->p = popen(sh, "r");
	assert_non_null(b->p);
}

/* Waits for it: its output, *ST its exit status, *SECS how long it ran. */
static char *bg_end(struct bg *b, int *st, long *secs)
{
	char line[64] = "", cmd[128];
	char *out;

	if (!fgets(line, sizeof(line), b->p))
		line[0] = '\0';
	pclose(b->p);
	*st = -1;
	*secs = -1;
	assert_int_equal(sscanf(line, "%d %ld", st, secs), 2);
	snprintf(cmd, sizeof(cmd), "cat %s; rm -f %s", b->out, b->out);
	out = tl_capture(cmd, NULL);
	return out;
}

/* A package that does not exist in the series' suites: refused with exit 2, naming both. */
static void check_missing_package(const char *out, int st)
{
	print_message("%s", out);
	assert_int_equal(st, 2);
	assert_non_null(strstr(out, "linux-image-6.1.0-999-amd64"));
	assert_non_null(strstr(out, "bookworm"));
}

/*
 * A command that never ends: killed at the deadline, its console shown. The
 * deadline leaves the guest time to boot beside kernel-compare's guests on a
 * busy machine (60 s did not, under load: its console had not reached the
 * command yet).
 */
static void check_hang_killed(const char *out, int st, long secs)
{
	print_message("%s", out);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, "did not finish within 180 s"));
	/* Its console: the guest's own words, not only the script's. */
	assert_non_null(strstr(out, "nsb-guest: running the command"));
	/* The deadline, not the command, ended it: far sooner than 100000 s. */
	assert_true(secs >= 0 && secs < 600);
}

static size_t count_lines(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/*
 * kernel-compare.sh: interleaved rounds, a results file per kernel and round,
 * nothing decided under TCG.
 */
static void check_kernel_compare(void)
{
	char dir[] = "/tmp/nsbench-kcmp-XXXXXX", cmd[512], want[64], *out;
	bool tcg = !strcmp(expected_accel(), "tcg");
	int st;

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "./scripts/kernel-compare.sh --kernels '6.1 5.10' --rounds 2 --out %s/r "
		 "-- --quick --modes none --tests tcp_rr 2>&1",
		 dir);
	out = tl_capture(cmd, &st);
	print_message("%s", out);
	/* Every round's guest exited 0, and that came back as 0: else the script stops. */
	assert_int_equal(st, 0);
	/* Interleaved: 6.1, 5.10, 6.1, 5.10. */
	{
		const char *a = strstr(out, "round 1/2, kernel 6.1 ");
		const char *b = strstr(out, "round 1/2, kernel 5.10 ");
		const char *c = strstr(out, "round 2/2, kernel 6.1 ");

		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(c);
		assert_true(a < b && b < c);
	}
	/* The first kernel is A; both pooled over their two rounds; nothing decided. */
	assert_non_null(strstr(out, "A = 6.1."));
	assert_non_null(strstr(out, "B = 5.10."));
	if (tcg) {
		assert_non_null(strstr(out, "emulated"));
		assert_int_equal(count_lines(out, " faster "), 0);
		assert_int_equal(count_lines(out, " slower "), 0);
	}
	free(out);
	/* One results file per round and kernel, each in its own folder, saying how it ran. */
	snprintf(cmd, sizeof(cmd),
		 "cd %s/r && for f in round*-kernel*/*.json; do printf '%%s ' \"${f%%%%/*}\"; "
		 "jq -r '[.host.kernel_release[0:4], .host.virt] | join(\" \")' \"$f\"; done",
		 dir);
	out = tl_capture(cmd, &st);
	snprintf(want, sizeof(want), "%s\n", tcg ? "tcg" : "kvm");
	print_message("%s", out);
	assert_int_equal(count_lines(out, want), 4);
	assert_non_null(strstr(out, "round1-kernel6.1 6.1."));
	assert_non_null(strstr(out, "round1-kernel5.10 5.10"));
	assert_non_null(strstr(out, "round2-kernel6.1 6.1."));
	assert_non_null(strstr(out, "round2-kernel5.10 5.10"));
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * kernel-compare's four guests, with the two checks that mostly wait beside
 * them rather than after: a package that does not exist (apt's index comes
 * over the network) and a hung guest (idle once booted, until its deadline).
 * After all three: no guest and no control folder left.
 */
static void test_compare_beside_waits(void **state)
{
	size_t folders = control_folders(), guests = guest_processes();
	struct bg fetch, hang;
	char *out;
	long secs;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	bg_start(&fetch, GUEST " fetch linux-image-6.1.0-999-amd64");
	bg_start(&hang, GUEST " run --timeout 180 6.1 -- sleep 100000");
	check_kernel_compare();
	out = bg_end(&fetch, &st, &secs);
	check_missing_package(out, st);
	free(out);
	out = bg_end(&hang, &st, &secs);
	print_message("the hung guest ended after %ld s\n", secs);
	check_hang_killed(out, st, secs);
	free(out);
	assert_int_equal(guest_processes(), guests);
	assert_int_equal(control_folders(), folders);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_kernels),
		cmocka_unit_test(test_status_and_output),
		cmocka_unit_test(test_compare_beside_waits),
	};

	snprintf(tag, sizeof(tag), "%ld", (long)getpid());
	setenv(TAG_VAR, tag, 1);
	tl_filter_from_env();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
