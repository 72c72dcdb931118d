// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/endpoint.h"
#include "harness/cli/cli.h"
#include "harness/cli/log.h"
#include "harness/common/parse.h"
#include "harness/common/version.h"
#include "harness/lab/build.h"
#include "harness/lab/lab.h"

const char *prog_name = "nsbench";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *description;
} commands[] = {
	{"run", run_main, "The benchmark: every mode, a results file and a table"},
	{"compare", compare_main,
	 "Compare results files: each change with its interval, a verdict"},
	{"report", report_main, "Results files as one HTML page: modes side by side per kernel"},
	{"claims", claims_main, "Each claim of the mode comparison, verified live"},
	{"calibrate", calibrate_main,
	 "The emulation measured against a real dockerd, side by side"},
	{"topo", topo_main, "Bring a lab up, show it or take it down (up|show|down)"},
	{"explain", explain_main,
	 "Where the time goes: per-hop latency (eBPF) and the cost of each part"},
	{"measure", measure_main, "One measurement (libiperf or request/response) on a fresh lab"},
	{"clean", clean_main, "Remove every lab that no running nsbench owns"},
	{"doctor", doctor_main, "Check privileges, kernel features, libraries and leftovers"},
};

static void show_usage(FILE *f)
{
	fprintf(f, "Usage: %s [-v|-q] <command> [<args>]\n\nCommands:\n", prog_name);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].description);
	fprintf(f, "\n%s help <command> (or <command> --help) shows a command's options.\n",
		prog_name);
}

const char *cli_modes(void)
{
	static char list[96];

	if (!list[0])
		for (int m = 0; m < MODE_COUNT; m++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 m ? ", " : "", lab_mode_name((enum lab_mode)m));
	return list;
}

void cli_show_usage(FILE *f, const char *usage)
{
	static const char token[] = "{modes}";
	const char *p;

	while ((p = strstr(usage, token))) {
		fwrite(usage, 1, (size_t)(p - usage), f);
		fputs(cli_modes(), f);
		usage = p + sizeof(token) - 1;
	}
	fputs(usage, f);
}

/* After an error: where the options are, in one line, not the whole help. */
static void usage_pointer(FILE *f, const char *usage)
{
	static const char head[] = "Usage: nsbench ";
	const char *cmd = usage + strlen(head);

	if (strncmp(usage, head, strlen(head)))
		return;
	fprintf(f, "Try 'nsbench %.*s --help' for its options.\n", (int)strcspn(cmd, " \n"), cmd);
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("nsbench: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (usage)
		usage_pointer(stderr, usage);
	return EXIT_USAGE;
}

int cli_option_end(int c, const char *cmd, const char *usage, char **argv)
{
	if (c == 'h') {
		cli_show_usage(stdout, usage);
		return 0;
	}
	/* ':' leads every command's short options: getopt tells a missing value from '?'. */
	if (c == ':')
		return cli_usage_error(usage, "%s: option '%s' needs a value", cmd,
				       argv[optind - 1]);
	return cli_usage_error(usage, "%s: unknown option '%s'", cmd, argv[optind - 1]);
}

int cli_mode_arg(const char *usage, const char *text, enum lab_mode *m)
{
	return lab_mode_parse(text, m) ? cli_usage_error(usage, "unknown mode '%s'", text) : 0;
}

int cli_path_arg(const char *usage, const char *text, enum lab_path *p)
{
	return path_parse(text, p) ? cli_usage_error(usage, "unknown path '%s'", text) : 0;
}

int cli_lab_option(const char *usage, int c, const char *arg, struct lab_options *o)
{
	char why[200];

	if (!lab_option_is(c))
		return -1;
	return lab_option_set(o, c, arg, why, sizeof(why)) ? cli_usage_error(usage, "%s", why) : 0;
}

int cli_lab_check(const char *usage, const struct lab_options *o, const enum lab_mode *modes,
		  unsigned int n)
{
	char why[512];
	int ret = lab_options_check(o, modes, n, why, sizeof(why));

	if (!ret)
		return 0;
	return cli_usage_error(ret == -EINVAL ? usage : NULL, "%s", why);
}

int cli_cpu_option(const char *usage, const char *text, enum bench_placement *p)
{
	return bench_placement_parse(text, p)
		       ? cli_usage_error(usage, "--cpu '%s': same, split or free", text)
		       : 0;
}

int cli_schedule_option(const char *usage, const char *text, enum schedule *s)
{
	char why[200];
	int cpus[2];

	if (schedule_parse(text, s))
		return cli_usage_error(usage, "--schedule '%s': alternate, random or duet", text);
	if (*s == SCHED_DUET && schedule_duet_cpus(cpus, why, sizeof(why)))
		return cli_usage_error(usage, "%s", why);
	return 0;
}

int cli_window_option(const char *usage, const char *text, int *window)
{
	unsigned long n;

	if (parse_bytes(text, STREAM_WINDOW_MIN, STREAM_WINDOW_MAX, &n))
		return cli_usage_error(usage, "--window '%s': %d bytes to %dM (K/M suffixes)", text,
				       STREAM_WINDOW_MIN, STREAM_WINDOW_MAX >> 20);
	*window = (int)n;
	return 0;
}

/* The effective capability set, from /proc/self/status (0 when unreadable). */
static unsigned long long cap_effective(void)
{
	char line[256];
	unsigned long long eff = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff;
}

int cli_need_privileges(void)
{
	/* CAP_NET_ADMIN = 12 for links and nftables, CAP_SYS_ADMIN = 21 for setns and mounts. */
	unsigned long long eff = cap_effective();
	int net = (eff >> 12) & 1, sys = (eff >> 21) & 1;

	if (net && sys)
		return 0;
	log_err("this command builds network namespaces and needs root (CAP_NET_ADMIN and "
		"CAP_SYS_ADMIN); missing:%s%s. Run it with sudo.",
		net ? "" : " CAP_NET_ADMIN", sys ? "" : " CAP_SYS_ADMIN");
	return -EPERM;
}

static void on_signal(int sig)
{
	lab_stop = sig;
}

void cli_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: waits return EINTR so that teardown starts at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	endpoint_watch_stop(&lab_stop);
}

const char *cli_base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int cli_signal_exit(void)
{
	return 128 + (int)lab_stop;
}

/* -v, -vv or -q: sets the verbosity and says so; anything else: false. */
static bool verbosity_option(const char *arg)
{
	if (!strcmp(arg, "-v"))
		log_verbosity++;
	else if (!strcmp(arg, "-vv"))
		log_verbosity += 2;
	else if (!strcmp(arg, "-q"))
		log_verbosity = LOG_ERR;
	else
		return false;
	return true;
}

/*
 * -v, -vv and -q after the command too (`nsbench run -v`), taken out of its
 * arguments up to a "--"; no command has options of those names.
 */
static int verbosity_after(int argc, char **argv)
{
	int n = 0;

	for (int k = 0; k < argc; k++) {
		if (!strcmp(argv[k], "--")) {
			while (k < argc)
				argv[n++] = argv[k++];
			break;
		}
		if (k == 0 || !verbosity_option(argv[k]))
			argv[n++] = argv[k];
	}
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (verbosity_option(argv[i]))
			continue;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			show_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("nsbench %s\n", NSBENCH_VERSION);
			return 0;
		} else {
			log_err("unknown option %s", argv[i]);
			show_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i < argc)
		argc = i + verbosity_after(argc - i, argv + i);
	log_install();
	if (i >= argc) {
		show_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		/* help CMD: that command's own usage, as CMD --help gives it. */
		char *help[] = {i + 1 < argc ? argv[i + 1] : NULL, "--help", NULL};

		if (i + 1 >= argc) {
			show_usage(stdout);
			return 0;
		}
		if (i + 2 < argc) {
			log_err("help: one command, please");
			return EXIT_USAGE;
		}
		for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
			if (!strcmp(argv[i + 1], commands[c].name))
				return commands[c].fn(2, help);
		log_err("help: unknown command '%s'", argv[i + 1]);
		show_usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i);
	log_err("unknown command '%s'", argv[i]);
	show_usage(stderr);
	return EXIT_USAGE;
}
