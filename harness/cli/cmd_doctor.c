// SPDX-License-Identifier: MIT
/*
 * nsbench doctor: can this machine run a lab? Each line is "ok" or the reason.
 * Kernel features are tried for real in a scratch namespace, never in the
 * root namespace. With --json every fact goes into one object instead of a
 * line, through the same functions, and the object is printed at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
#include "harness/lab/engine.h"
#include "harness/lab/lab.h"
#include "harness/lab/mode.h"
#include "harness/lab/proxy.h"
#include "harness/lab/state.h"
#include "netns/netns.h"

#define NOISE_DOCTOR_S 2

static int failures;
/* --json: the facts gathered so far; NULL for text. */
static json_t *jdoc;

/* One check: STATUS "ok", "fail" or "note", with its detail. */
static void check(const char *what, const char *status, const char *detail)
{
	if (detail && !*detail)
		detail = NULL;
	if (jdoc)
		json_array_append_new(json_object_get(jdoc, "checks"),
				      json_pack("{s:s, s:s, s:s*}", "name", what, "status", status,
						"detail", detail));
	else
		printf("%-28s %s%s%s\n", what, strcmp(status, "fail") ? status : "FAIL",
		       detail ? "  " : "", detail ? detail : "");
}

static void line(const char *what, int ret, const char *detail)
{
	check(what, ret ? "fail" : "ok", detail);
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

/* A noise figure and, when it is high, why that matters (text only). */
static void noise_line(const char *what, const char *value, const char *high)
{
	printf("  %-26s %s%s%s\n", what, value, high ? "  " : "", high ?: "");
}

/*
 * The machine's noise over a few seconds of doing nothing: what every
 * repetition of a run records, with the same thresholds, and what to do.
 */
static void noise_report(void)
{
	static const char busy[] =
		"this machine is busy now; repetitions measured like this are flagged "
		"\"noisy\". Compare ratios to host (*_vs_host), use --target to repeat until "
		"the intervals are narrow, or compare --drop-noisy.";
	static const char quiet[] =
		"quiet now. Absolute figures still drift on shared machines: compare "
		"*_vs_host ratios across runs, absolute ones only side by side.";
	struct noise_mark m;
	struct noise n;
	char gov[128], v[96];
	bool slow_gov;

	if (!jdoc)
		printf("\nnoise (%d s of nsbench idle):\n", NOISE_DOCTOR_S);
	if (noise_mark(&m) || (sleep(NOISE_DOCTOR_S), noise_since(&m, &n))) {
		if (jdoc)
			json_object_set_new(jdoc, "noise",
					    json_pack("{s:s}", "error", "cannot read /proc/stat"));
		else
			printf("  cannot read /proc/stat\n");
		return;
	}
	governor(gov, sizeof(gov));
	slow_gov = strcmp(gov, "performance") && !strstr(gov, "not exposed");
	if (jdoc) {
		json_t *o = json_pack("{s:i, s:f, s:f, s:f, s:s, s:b, s:b, s:s}", "seconds",
				      NOISE_DOCTOR_S, "steal_pct", n.steal_pct, "outside_pct",
				      n.outside_pct, "load1", n.load1, "governor", gov,
				      "governor_adds_noise", slow_gov, "noisy", n.noisy, "advice",
				      n.noisy ? busy : quiet);

		if (n.outside_cpu >= 0) {
			json_object_set_new(o, "outside_cpu", json_integer(n.outside_cpu));
			json_object_set_new(o, "outside_cpu_pct", json_real(n.outside_cpu_pct));
		}
		json_object_set_new(jdoc, "noise", o);
		return;
	}
	snprintf(v, sizeof(v), "%.1f%% of the CPUs' time", n.steal_pct);
	noise_line("CPU steal", v,
		   n.steal_pct >= NOISE_STEAL_PCT ? "(high: the hypervisor runs other guests)"
						  : NULL);
	snprintf(v, sizeof(v), "%.1f%% of the CPUs' time", n.outside_pct);
	noise_line("other processes", v,
		   n.outside_pct >= NOISE_OUTSIDE_PCT ? "(high: something else is running)" : NULL);
	if (n.outside_cpu >= 0) {
		snprintf(v, sizeof(v), "%.1f%% of CPU %d's time", n.outside_cpu_pct, n.outside_cpu);
		noise_line("  on the busiest CPU", v,
			   n.outside_cpu_pct >= NOISE_OUTSIDE_CPU_PCT
				   ? "(high: a pinned benchmark there would share it)"
				   : NULL);
	}
	snprintf(v, sizeof(v), "%.2f", n.load1);
	noise_line("load average (1 min)", v, NULL);
	noise_line("frequency governor", gov,
		   slow_gov ? "(not \"performance\": clock changes add noise)" : NULL);
	printf("  advice: %s\n", n.noisy ? busy : quiet);
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
		if (k == FEATURE_VLAN && f->err[k])
			check(what, "note", f->why[k]); /* an option's, not a mode's */
		else
			line(what, f->err[k], f->err[k] ? f->why[k] : NULL);
		if (jdoc)
			json_object_set_new(json_object_get(jdoc, "features"),
					    lab_feature_name((enum lab_feature)k),
					    json_pack("{s:b, s:s*}", "available", !f->err[k], "why",
						      f->err[k] ? f->why[k] : NULL));
	}
	return true;
}

static const char doctor_usage[] =
	"Usage: nsbench doctor [--json]\n"
	"Whether this machine can run a lab: privileges, each kernel feature the modes\n"
	"are built from (tried in a scratch namespace, never the root one), the BPF\n"
	"probes, libraries, leftovers of earlier runs, which modes are available, and\n"
	"the machine's noise over 2 s (CPU steal, other load) with advice.\n"
	"--json: the same facts as one JSON object (results/schema.md).\n"
	"Exit status: 0 every check passed, 1 one failed.\n";

/* --json: the object, printed once every fact is in it. */
static int doctor_end(int rc)
{
	if (jdoc) {
		json_object_set_new(jdoc, "ok", json_boolean(rc == 0));
		json_dumpf(jdoc, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(jdoc);
		jdoc = NULL;
	}
	return rc;
}

static void bpf_checks(void)
{
	char why[256];
	int ret = hopprobe_supported(why, sizeof(why));
	bool btf = hopprobe_btf_present();

	/* Not a failure: only explain and --per-hop need them. */
	check("kernel: BPF tc classifier", ret ? "note" : "ok",
	      ret ? why : "sched_cls programs load (explain, --per-hop)");
	check("kernel: BTF", btf ? "ok" : "note",
	      btf ? "/sys/kernel/btf/vmlinux" : "none (the probes do not need it)");
}

static void library_checks(void)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "libnl %d.%d.%d (built with %s)", nl_ver_maj, nl_ver_min,
		 nl_ver_mic, LIBNL_VERSION);
	line("library: libnl-route-3", 0, buf);
	snprintf(buf, sizeof(buf), "%s", iperf_get_iperf_version());
	line("library: libiperf", 0, buf);
	snprintf(buf, sizeof(buf), "jansson %s", jansson_version_str());
	line("library: jansson", 0, buf);
	line("library: libnftables", 0, "linked");
	line("library: libmnl", 0, "linked");
}

/* A program on PATH (the instance profiles' iptables): 0, or -ENOENT. */
static int on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[512];

	for (const char *p = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog);
		if (n && access(buf, X_OK) == 0)
			return 0;
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

/* What the instance profiles run: iptables (both backends) and Docker's proxy. */
static void instance_checks(void)
{
	static const struct {
		const char *prog, *profile;
	} tools[] = {{"iptables-nft-restore", "al2023 (the default)"},
		     {"iptables-legacy-restore", "al2"}};
	char path[512], why[512], buf[700];
	int ret;

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		ret = on_path(tools[i].prog);

		snprintf(buf, sizeof(buf), "found");
		if (ret)
			snprintf(buf, sizeof(buf),
				 "not found (Debian's iptables package): --instance %s needs it, "
				 "--instance bare does not",
				 tools[i].profile);
		line(i ? "tools: iptables-legacy" : "tools: iptables-nft", ret, buf);
	}
	ret = proxy_find(path, sizeof(path), why, sizeof(why));
	if (!ret)
		snprintf(buf, sizeof(buf), "%s", path);
	else
		snprintf(
			buf, sizeof(buf),
			"%s; --userland-proxy on (the default) needs it, --userland-proxy off does "
			"not",
			why);
	line("tools: docker-proxy", ret, buf);
	/* Only calibrate needs the engine: its absence is a note, not a failure. */
	ret = engine_find(path, sizeof(path), why, sizeof(why));
	if (!ret)
		snprintf(buf, sizeof(buf), "%s (dockerd, containerd, runc: what calibrate runs)",
			 path);
	else
		snprintf(buf, sizeof(buf), "%s; only calibrate needs it", why);
	check("tools: docker engine", ret ? "note" : "ok", buf);
}

static void leftover_checks(void)
{
	size_t kept, left = clean_count_crashed(&kept);
	char buf[256];

	snprintf(buf, sizeof(buf), "%zu state file(s) or namespace(s) under %s and %s%s", left,
		 STATE_DIR, NETNS_RUN_DIR, left ? " (nsbench topo show; nsbench clean)" : "");
	check("leftovers", left ? "note" : "ok", buf);
	if (kept) {
		snprintf(buf, sizeof(buf),
			 "%zu lab(s) topo up kept (nsbench topo show; nsbench topo down)", kept);
		check("kept labs", "note", buf);
	}
	{
		char ids[64][16];
		size_t dirs = engine_list(ids, 64), procs = engine_live_processes();

		if (dirs || procs) {
			snprintf(buf, sizeof(buf),
				 "%zu Docker engine folder(s) under %s, %zu live process(es) of "
				 "one (a killed calibrate's: nsbench clean)",
				 dirs, STATE_DIR, procs);
			check("leftovers: engine", "note", buf);
		}
	}
	if (jdoc)
		json_object_set_new(jdoc, "leftovers",
				    json_pack("{s:I, s:I}", "crashed", (json_int_t)left, "kept",
					      (json_int_t)kept));
}

int doctor_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		CLI_HELP_OPTION,
		{0},
	};
	struct lab_features features = {0};
	bool json = false;
	struct utsname u;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
			continue;
		}
		return cli_option_end(c, "doctor", doctor_usage, argv);
	}
	if (optind < argc)
		return cli_usage_error(doctor_usage, "doctor: unexpected argument '%s'",
				       argv[optind]);
	failures = 0;
	if (json)
		jdoc = json_pack("{s:[], s:{}, s:[]}", "checks", "features", "modes");
	uname(&u);
	if (jdoc)
		json_object_set_new(jdoc, "kernel",
				    json_pack("{s:s, s:s, s:s}", "sysname", u.sysname, "release",
					      u.release, "machine", u.machine));
	else
		printf("%-28s %s %s %s\n", "kernel", u.sysname, u.release, u.machine);
	if (cli_need_privileges()) {
		line("privileges", 1, "needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN)");
		if (jdoc)
			json_object_set_new(jdoc, "privileges", json_false());
		return doctor_end(1);
	}
	line("privileges", 0, "CAP_NET_ADMIN, CAP_SYS_ADMIN");
	if (jdoc)
		json_object_set_new(jdoc, "privileges", json_true());
	probe_kernel(&features);
	bpf_checks();
	library_checks();
	instance_checks();
	leftover_checks();

	/* A mode is available when a lab of it was built, exactly as run builds one. */
	if (!jdoc)
		printf("\nmodes:\n");
	cli_install_signals();
	for (int m = 0; m < MODE_COUNT; m++) {
		const char *name = lab_mode_name((enum lab_mode)m);
		char why[sizeof(((struct lab *)0)->err)];
		int ret = lab_try_mode((enum lab_mode)m, why, sizeof(why));

		if (ret == -EINTR) {
			json_decref(jdoc);
			jdoc = NULL;
			return cli_signal_exit();
		}
		if (jdoc)
			json_array_append_new(json_object_get(jdoc, "modes"),
					      json_pack("{s:s, s:b, s:s*}", "mode", name,
							"available", !ret, "reason",
							ret ? why : NULL));
		else
			printf("  %-15s %s%s\n", name, ret ? "unavailable: " : "available",
			       ret ? why : "");
		failures += ret != 0;
	}
	noise_report();
	return doctor_end(failures ? 1 : 0);
}
