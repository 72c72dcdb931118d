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
