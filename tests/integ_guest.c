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

/* Processes whose command line names a guest's control folder (nsb.ctl=...). */
static size_t guest_processes(void)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir("/proc");

	while (d && (de = readdir(d))) {
		char path[300], buf[4096];
		ssize_t len;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; i < len; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[len > 0 ? len : 0] = '\0';
		n += strstr(buf, "qemu-system") && strstr(buf, "nsb.ctl=");
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

static size_t control_folders(void)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir("/tmp");

	while (d && (de = readdir(d)))
		n += !strncmp(de->d_name, "nsb-guest.", 10);
	if (d)
		closedir(d);
	return n;
}

static void test_status_and_output(void **state)
{
	size_t folders = control_folders(), guests = guest_processes();
	char *out;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_capture(GUEST " run --timeout 300 6.1 -- sh -c "
			       "'uname -r; echo to-stderr >&2; exit 7' "
			       "2>"
			       "/dev/null",
			 &st);
	print_message("guest said: %s", out);
	assert_int_equal(st, 7);
	/* The guest's own kernel, and only the command's stdout on stdout. */
	assert_non_null(strstr(out, "6.1."));
	assert_null(strstr(out, "to-stderr"));
	free(out);
	out = tl_capture(
		GUEST " run --timeout 300 6.1 -- sh -c 'echo to-stderr >&2' 2>&1 >/dev/null", &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "to-stderr"));
	/* Under TCG the script says its figures are not performance figures. */
	if (!strcmp(expected_accel(), "tcg"))
		assert_non_null(strstr(out, "emulating with TCG"));
	else
		assert_null(strstr(out, "TCG"));
	free(out);
	/* A working folder under /tmp (the guest has its own) is shared at its path. */
	{
		char wd[] = "/tmp/nsbench-wd-XXXXXX", cmd[512], here[256];

		assert_non_null(mkdtemp(wd));
		assert_non_null(getcwd(here, sizeof(here)));
		snprintf(cmd, sizeof(cmd),
			 "cd %s && %s/" GUEST
			 " run --timeout 300 6.1 -- sh -c 'pwd; echo x > written' "
			 "2>/dev/null && cat %s/written",
			 wd, here, wd);
		out = tl_capture(cmd, &st);
		assert_int_equal(st, 0);
		assert_non_null(strstr(out, wd));
		assert_non_null(strstr(out, "x\n"));
		free(out);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", wd);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(guest_processes(), guests);
	assert_int_equal(control_folders(), folders);
}

static void test_bad_kernels(void **state)
{
	char dir[] = "/tmp/nsbench-kimg-XXXXXX", cmd[512], *out;
	size_t guests = guest_processes();
	FILE *f;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_capture(GUEST " fetch linux-image-6.1.0-999-amd64 2>&1", &st);
	print_message("%s", out);
	assert_int_equal(st, 2);
	assert_non_null(strstr(out, "linux-image-6.1.0-999-amd64"));
	assert_non_null(strstr(out, "bookworm"));
	free(out);

	out = tl_capture(GUEST " run 4.19 -- true 2>&1", &st);
	assert_int_equal(st, 2);
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

/* A command that never ends: killed at the deadline, its console shown, nothing left. */
static void test_hang_killed(void **state)
{
	size_t folders = control_folders(), guests = guest_processes();
	struct timespec t0, t1;
	char *out;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	out = tl_capture(GUEST " run --timeout 60 6.1 -- sleep 100000 2>&1", &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("%s", out);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, "did not finish within 60 s"));
	/* Its console: the guest's own words, not only the script's. */
	assert_non_null(strstr(out, "nsb-guest: running the command"));
	/* The deadline, not the command, ended it: far sooner than 100000 s. */
	assert_true(t1.tv_sec - t0.tv_sec < 600);
	free(out);
	assert_int_equal(guest_processes(), guests);
	assert_int_equal(control_folders(), folders);
}

static size_t count_lines(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_kernel_compare(void **state)
{
	char dir[] = "/tmp/nsbench-kcmp-XXXXXX", cmd[512], want[64], *out;
	size_t guests = guest_processes();
	bool tcg = !strcmp(expected_accel(), "tcg");
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "./scripts/kernel-compare.sh --kernels '6.1 5.10' --rounds 2 --out %s/r "
		 "-- --quick --modes none --tests tcp_rr 2>&1",
		 dir);
	out = tl_capture(cmd, &st);
	print_message("%s", out);
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
	assert_int_equal(guest_processes(), guests);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_kernels),
		cmocka_unit_test(test_status_and_output),
		cmocka_unit_test(test_hang_killed),
		cmocka_unit_test(test_kernel_compare),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
