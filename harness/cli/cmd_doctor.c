// SPDX-License-Identifier: MIT
/*
 * nsbench doctor: can this machine run a lab? Each line is "ok" or the reason.
 * Kernel features are tried for real in a scratch namespace, never in the
 * root namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <iperf_api.h>
#include <jansson.h>
#include <netlink/version.h>

#include "bench/hopprobe.h"
#include "bench/noise.h"
#include "harness/cli/cli.h"
#include "harness/lab/clean.h"
#include "harness/lab/lab.h"
#include "harness/lab/mode.h"
#include "harness/lab/state.h"
#include "netns/netns.h"

#define NOISE_DOCTOR_S 2

static int failures;

static void line(const char *what, int ret, const char *detail)
{
	printf("%-28s %s%s%s\n", what, ret ? "FAIL" : "ok", detail && *detail ? "  " : "",
	       detail ? detail : "");
	if (ret)
		failures++;
}

/* The first CPU's frequency governor, when the kernel exposes one. */
static void governor(char *buf, size_t len)
{
	FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "re");

	snprintf(buf, len, "not exposed (a VM, or no cpufreq driver)");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/*
 * The machine's noise over a few seconds of doing nothing: what every
 * repetition of a run records, with the same thresholds, and what to do.
 */
static void noise_report(void)
{
	struct noise_mark m;
	struct noise n;
	char gov[128];

	printf("\nnoise (%d s of nsbench idle):\n", NOISE_DOCTOR_S);
	if (noise_mark(&m) || (sleep(NOISE_DOCTOR_S), noise_since(&m, &n))) {
		printf("  cannot read /proc/stat\n");
		return;
	}
	governor(gov, sizeof(gov));
	printf("  %-26s %.1f%% of the CPUs' time%s\n", "CPU steal", n.steal_pct,
	       n.steal_pct >= NOISE_STEAL_PCT ? "  (high: the hypervisor runs other guests)" : "");
	printf("  %-26s %.1f%% of the CPUs' time%s\n", "other processes", n.outside_pct,
	       n.outside_pct >= NOISE_OUTSIDE_PCT ? "  (high: something else is running)" : "");
	if (n.outside_cpu >= 0)
		printf("  %-26s %.1f%% of CPU %d's time%s\n", "  on the busiest CPU",
		       n.outside_cpu_pct, n.outside_cpu,
		       n.outside_cpu_pct >= NOISE_OUTSIDE_CPU_PCT
			       ? "  (high: a pinned benchmark there would share it)"
			       : "");
	printf("  %-26s %.2f\n", "load average (1 min)", n.load1);
	printf("  %-26s %s%s\n", "frequency governor", gov,
	       strcmp(gov, "performance") && !strstr(gov, "not exposed")
		       ? "  (not \"performance\": clock changes add noise)"
		       : "");
	if (n.noisy)
		printf("  advice: this machine is busy now; repetitions measured like this are "
		       "flagged \"noisy\". Compare ratios to host (*_vs_host), use --target to "
		       "repeat until the intervals are narrow, or compare --drop-noisy.\n");
	else
		printf("  advice: quiet now. Absolute figures still drift on shared machines: "
		       "compare *_vs_host ratios across runs, absolute ones only side by side.\n");
}

/* Each feature the modes are built from, tried in a scratch lab; false when none could be tried. */
static bool probe_kernel(struct lab_features *f)
{
	struct lab_config cfg;
	struct lab lab;
	int ret;

	lab_config_default(&cfg);
	ret = lab_init(&lab, &cfg, "doctor");
	if (ret) {
		line("scratch namespace", ret, strerror(-ret));
		return false;
	}
	ret = lab_probe_features(&lab, f);
	if (ret) {
		line("scratch namespace", ret, lab.err);
		return false;
	}
	line("scratch namespace", 0, lab.ns_vpc);
	for (int k = 0; k < FEATURE_COUNT; k++) {
		char what[40];

		snprintf(what, sizeof(what), "kernel: %s", lab_feature_name((enum lab_feature)k));
		line(what, f->err[k], f->err[k] ? f->why[k] : NULL);
	}
	return true;
}

static const char doctor_usage[] =
	"Usage: nsbench doctor\n"
	"Whether this machine can run a lab: privileges, each kernel feature the modes\n"
	"are built from (tried in a scratch namespace, never the root one), the BPF\n"
	"probes, libraries, leftovers of earlier runs, which modes are available, and\n"
	"the machine's noise over 2 s (CPU steal, other load) with advice.\n"
	"Exit status: 0 every check passed, 1 one failed.\n";

int doctor_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct lab_features features = {0};
	struct utsname u;
	char buf[128];
	size_t left, kept;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		return cli_option_end(c, "doctor", doctor_usage, argv);
	if (optind < argc)
		return cli_usage_error(doctor_usage, "doctor: unexpected argument '%s'",
				       argv[optind]);
	uname(&u);
	printf("%-28s %s %s %s\n", "kernel", u.sysname, u.release, u.machine);
	if (cli_need_privileges()) {
		line("privileges", 1, "needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN)");
		return 1;
	}
	line("privileges", 0, "CAP_NET_ADMIN, CAP_SYS_ADMIN");
	probe_kernel(&features);
	{
		char why[256];
		int ret = hopprobe_supported(why, sizeof(why));

		/* Not a failure: only explain and --per-hop need them. */
		printf("%-28s %s  %s\n", "kernel: BPF tc classifier", ret ? "note" : "ok",
		       ret ? why : "sched_cls programs load (explain, --per-hop)");
		printf("%-28s %s  %s\n", "kernel: BTF", hopprobe_btf_present() ? "ok" : "note",
		       hopprobe_btf_present() ? "/sys/kernel/btf/vmlinux"
					      : "none (the probes do not need it)");
	}

	snprintf(buf, sizeof(buf), "libnl %d.%d.%d (built with %s)", nl_ver_maj, nl_ver_min,
		 nl_ver_mic, LIBNL_VERSION);
	line("library: libnl-route-3", 0, buf);
	snprintf(buf, sizeof(buf), "%s", iperf_get_iperf_version());
	line("library: libiperf", 0, buf);
	snprintf(buf, sizeof(buf), "jansson %s", jansson_version_str());
	line("library: jansson", 0, buf);
	line("library: libnftables", 0, "linked");
	line("library: libmnl", 0, "linked");

	left = clean_count_crashed(&kept);
	snprintf(buf, sizeof(buf), "%zu state file(s) or namespace(s) under %s and %s%s", left,
		 STATE_DIR, NETNS_RUN_DIR, left ? " (nsbench topo show; nsbench clean)" : "");
	printf("%-28s %s  %s\n", "leftovers", left ? "note" : "ok", buf);
	if (kept)
		printf("%-28s %s  %zu lab(s) topo up kept (nsbench topo show; nsbench topo down)\n",
		       "kept labs", "note", kept);

	/* A mode is available when a lab of it was built, exactly as run builds one. */
	printf("\nmodes:\n");
	cli_install_signals();
	for (int m = 0; m < MODE_COUNT; m++) {
		char why[sizeof(((struct lab *)0)->err)];
		int ret = lab_try_mode((enum lab_mode)m, why, sizeof(why));

		if (ret == -EINTR)
			return cli_signal_exit();
		printf("  %-15s %s%s\n", lab_mode_name((enum lab_mode)m),
		       ret ? "unavailable: " : "available", ret ? why : "");
		failures += ret != 0;
	}
	noise_report();
	return failures ? 1 : 0;
}
