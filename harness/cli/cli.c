// SPDX-License-Identifier: MIT
/*
 * What every command shares (cli.h): refusals with a pointer to --help, the
 * arguments and options several commands take, privileges and signals.
 * main.c dispatches to the commands; they call these.
 */
#define _GNU_SOURCE
#include <errno.h>
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
#include "harness/lab/build.h"
#include "harness/lab/lab.h"

void cli_show_usage(FILE *f, const char *usage)
{
	static const char token[] = "{modes}";
	const char *p;

	while ((p = strstr(usage, token))) {
		fwrite(usage, 1, (size_t)(p - usage), f);
		fputs(lab_mode_names(), f);
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
		  unsigned int n, bool measured)
{
	char why[512];
	int ret = lab_options_check(o, modes, n, measured, why, sizeof(why));

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
		return cli_usage_error(usage, "--schedule '%s': alternate, random, duet or interleave",
				       text);
	if (*s == SCHED_DUET && schedule_duet_cpus(cpus, why, sizeof(why)))
		return cli_usage_error(usage, "%s", why);
	return 0;
}

int cli_window_option(const char *usage, const char *text, int *window)
{
	char why[128];

	if (parse_window(text, window, why, sizeof(why)))
		return cli_usage_error(usage, "%s", why);
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
