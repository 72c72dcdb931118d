// SPDX-License-Identifier: MIT
/* nsbench claims: the mode comparison, verified live. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness/cli/cli.h"
#include "harness/cli/log.h"
#include "harness/lab/build.h"
#include "harness/lab/lab.h"
#include "harness/measure/claims.h"
#include "harness/reports/tables.h"

static const char claims_usage[] =
	"Usage: nsbench claims [--only ID,...] [--format text|markdown|json] [--list]\n"
	"                      [--schedule interleave|alternate|random|duet]\n"
	"                      [--instance P] [--userland-proxy on|off]\n"
	"--list shows the claims (those of --only) in the format asked, checking none.\n"
	"Each claim of the ECS network mode comparison, checked on fresh labs on this\n"
	"kernel: holds, does not hold, inconclusive or cannot check (with the reason),\n"
	"and the evidence. Performance claims measure only the modes they need, side\n"
	"by side in rounds, and look at the evidence after rounds 3, 5, 8, 12, 17 and\n"
	"18 (as many as fit in 150 s): a claim holds when the paired ratios' intervals\n"
	"lie on its side, does not hold when they lie on the other (or show no\n"
	"difference where it claims one), and is inconclusive when the budget ends\n"
	"first. On an emulated\n"
	"CPU (QEMU's TCG) they are not measured (cannot check); the others still decide.\n"
	"--format json: one document (results/schema.md): nsbench, the host and kernel,\n"
	"the instance, when, the verdicts, the rounds as measured, and each row with\n"
	"its figures as fields. On a terminal, the claim being checked shows on stderr.\n"
	"--schedule: how the rounds are measured: interleave (the default: one client\n"
	"taking turns between host and each other mode, 16 MiB transfers for\n"
	"throughput, then TCP_RR transactions, one to each), alternate (every mode in\n"
	"turn, an iperf3 stream and TCP_RR), random (in\n"
	"turn, in an order drawn every round) or duet (host and each other mode at\n"
	"once, each on a CPU of its own, swapped every round; refused where this\n"
	"process may use one CPU only).\n"
	"Exit status: 0 every checkable claim holds; 1 a claim does not hold;\n"
	"3 none fails but some are inconclusive; 2 bad usage.\n" CLI_INSTANCE_USAGE;

/* Whether ID is among the comma-separated ids of ONLY (every claim without ONLY). */
static bool listed(const char *only, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = only; p && (p = strstr(p, id)); p += n)
		if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return !only;
}

/* Every id in ONLY is a claim of CATALOG, and there is at least one; else EXIT_USAGE. */
static int check_only(const char *only, json_t *catalog)
{
	char buf[1024], *save = NULL, *tok;

	/* An empty list would check nothing and pass: not what --only asks for. */
	if (!only[strspn(only, ",")])
		return cli_usage_error(
			claims_usage,
			"--only '%s': name at least one claim (nsbench claims --list)", only);
	snprintf(buf, sizeof(buf), "%s", only);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		json_t *row;
		size_t i;
		bool known = false;

		json_array_foreach(catalog, i, row)
			known |= !strcmp(tok, json_string_value(json_object_get(row, "id")));
		if (!known)
			return cli_usage_error(claims_usage,
					       "unknown claim '%s' (nsbench claims --list)", tok);
	}
	return 0;
}

/* --list: the claims ONLY selects, in FMT, without checking any. */
static void print_list(json_t *catalog, const char *only, const char *fmt)
{
	json_t *rows = json_array(), *row;
	size_t i;

	json_array_foreach(catalog, i, row)
		if (listed(only, json_string_value(json_object_get(row, "id"))))
			json_array_append(rows, row);
	if (!strcmp(fmt, "json")) {
		json_dumpf(rows, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		if (!strcmp(fmt, "markdown"))
			printf("| id | mode | claim |\n|---|---|---|\n");
		json_array_foreach(rows, i, row)
			printf(!strcmp(fmt, "markdown") ? "| %s | %s | %s |\n" : "%-24s %-7s %s\n",
			       json_string_value(json_object_get(row, "id")),
			       json_string_value(json_object_get(row, "mode")),
			       json_string_value(json_object_get(row, "claim")));
	}
	json_decref(rows);
}

int claims_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"only", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"list", no_argument, NULL, 'l'},
		{"schedule", required_argument, NULL, 's'},
		CLI_INSTANCE_OPTIONS,
		CLI_HELP_OPTION,
		{0},
	};
	const char *only = NULL, *fmt = "text";
	struct lab_options lo;
	struct claims_opts co = {.schedule = SCHED_CLAIMS_DEFAULT};
	bool list = false;
	json_t *doc, *catalog;
	int c, failed, inconclusive;

	lab_options_default(&lo);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			only = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "markdown") &&
			    strcmp(optarg, "json"))
				return cli_usage_error(claims_usage,
						       "--format '%s': text, markdown or json",
						       optarg);
			fmt = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 's':
			if (cli_schedule_option(claims_usage, optarg, &co.schedule))
				return EXIT_USAGE;
			break;
		default:
			if (lab_option_is(c)) {
				if (cli_lab_option(claims_usage, c, optarg, &lo))
					return EXIT_USAGE;
				break;
			}
			return cli_option_end(c, "claims", claims_usage, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(claims_usage, "claims: unexpected argument '%s'",
				       argv[optind]);
	if (cli_lab_check(claims_usage, &lo, NULL, 0, true))
		return EXIT_USAGE;
	co.instance = lab_options_instance(&lo);
	co.userland_proxy = lab_options_proxy(&lo);
	catalog = claims_catalog();
	if (only && check_only(only, catalog)) {
		json_decref(catalog);
		return EXIT_USAGE;
	}
	if (list)
		print_list(catalog, only, fmt);
	json_decref(catalog);
	if (list)
		return 0;
	if (cli_need_privileges())
		return 1;
	cli_install_signals();
	doc = claims_run(&co, only, &failed, &inconclusive);
	if (lab_stop) {
		json_decref(doc);
		log_err("claims: interrupted; labs removed");
		return cli_signal_exit();
	}
	if (!strcmp(fmt, "json")) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		table_claims(json_object_get(doc, "claims"), !strcmp(fmt, "markdown"), stdout);
	}
	json_decref(doc);
	return failed ? 1 : inconclusive ? EXIT_INCONCLUSIVE : 0;
}
