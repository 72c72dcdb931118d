// SPDX-License-Identifier: MIT
/* nsbench calibrate: the emulated lab measured against a real dockerd. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness/cli/cli.h"
#include "harness/cli/log.h"
#include "harness/common/parse.h"
#include "harness/lab/build.h"
#include "harness/measure/calibrate.h"

static const char calibrate_usage[] =
	"Usage: nsbench calibrate [--modes bridge,host] [--paths P,...] [--rounds N]\n"
	"                         [--duration S] [--rr-duration S] [--format text|json]\n"
	"The emulation measured against the real engine, on this kernel: beside the\n"
	"emulated lab (bridge and host tasks on the al2023 instance), a lab whose\n"
	"instance runs a real dockerd (Debian's docker.io, containerd and runc, taken\n"
	"out of their packages by scripts/deps.sh, never installed) with its own\n"
	"bridge, rules and docker-proxies; the bridge tasks are containers of an\n"
	"image made on the spot, the VPC side is the lab's. The same tests through\n"
	"both (TCP_RR p50 and p99, TCP_CRR, tcp_stream), every slot in turn each\n"
	"round (the order rotating), and per path and metric emulated/real with its\n"
	"95% interval, whether it lies within 5%, and bridge/host of the one against\n"
	"bridge/host of the other. Also dockerd's version, the hops each bridge path\n"
	"crosses on both sides, the CPU the local path's docker-proxy used, and the\n"
	"rules of both with their differences named (Docker 20.10 against 25, ecs-init's).\n"
	"--modes: bridge, host or both (default); --paths: ingress, local, intra-host\n"
	"(default ingress,local; intra-host for bridge only); --rounds N (default 10,\n"
	"2 to 40); --duration S (tcp_stream, whole seconds, default 1); --rr-duration S\n"
	"(tcp_rr and tcp_crr, default 0.5). About 3 minutes at the defaults.\n"
	"--format json: one document (results/schema.md) with every figure as a field.\n"
	"Exit status: 0 every metric's interval within 5% of the real engine's;\n"
	"1 one lies outside; 3 undecided; 2 bad usage.\n";

static int parse_modes(const char *arg, struct calibrate_opts *o)
{
	char buf[64], *save = NULL;

	o->bridge = o->host = false;
	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "bridge"))
			o->bridge = true;
		else if (!strcmp(t, "host"))
			o->host = true;
		else
			return cli_usage_error(calibrate_usage, "--modes '%s': bridge, host", arg);
	}
	if (!o->bridge && !o->host)
		return cli_usage_error(calibrate_usage, "--modes '%s': bridge, host", arg);
	return 0;
}

static int parse_paths(const char *arg, struct calibrate_opts *o)
{
	char buf[96], *save = NULL;
	bool any = false;

	memset(o->paths, 0, sizeof(o->paths));
	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		enum lab_path p;

		if (path_parse(t, &p) || !calibrate_path_ok(p))
			return cli_usage_error(calibrate_usage,
					       "--paths '%s': ingress, local, intra-host", arg);
		o->paths[p] = any = true;
	}
	if (!any)
		return cli_usage_error(calibrate_usage, "--paths '%s': ingress, local, intra-host",
				       arg);
	return 0;
}

static void row(const char *path, const char *what, const char *metric, json_t *m)
{
	const char *v = json_string_value(json_object_get(m, "verdict"));

	if (!json_object_get(m, "ratio")) {
		printf("%-11s %-16s %-14s %12s %12s  %-22s %s\n", path, what, metric, "-", "-", "-",
		       v ? v : "-");
		return;
	}
	printf("%-11s %-16s %-14s %12.4g %12.4g  %5.3f [%5.3f, %5.3f]  %s\n", path, what, metric,
	       json_number_value(json_object_get(m, "emulated")),
	       json_number_value(json_object_get(m, "real")),
	       json_number_value(json_object_get(m, "ratio")),
	       json_number_value(json_object_get(m, "ci95_low")),
	       json_number_value(json_object_get(m, "ci95_high")), v);
}

static void print_table(json_t *doc)
{
	json_t *paths = json_object_get(doc, "paths"), *po, *mo, *m, *diff, *x;
	const char *path, *mode, *metric;
	size_t i;

	printf("dockerd %s in the real engine's instance; %d rounds in %.0f s\n\n",
	       json_string_value(json_object_get(json_object_get(doc, "engine"), "dockerd")),
	       (int)json_integer_value(json_object_get(doc, "rounds")),
	       json_number_value(json_object_get(doc, "seconds")));
	printf("%-11s %-16s %-14s %12s %12s  %-22s %s\n", "path", "mode", "metric", "emulated",
	       "real", "emulated/real [95%]", "verdict");
	json_object_foreach(paths, path, po)
		json_object_foreach(po, mode, mo)
			json_object_foreach(mo, metric, m)
				row(path, !strcmp(mode, "bridge_over_host") ? "bridge/host" : mode,
				    metric, m);
	printf("\nhops of the bridge task's paths (role:kind:device), emulated and real:\n");
	json_object_foreach(json_object_get(doc, "hops"), path, po) {
		char *e = json_dumps(json_object_get(po, "emulated"), JSON_COMPACT);
		char *r = json_dumps(json_object_get(po, "real"), JSON_COMPACT);

		printf("  %s: %s\n    emulated %s\n    real     %s\n", path,
		       json_is_true(json_object_get(po, "same")) ? "the same devices in order"
								 : "DIFFERENT",
		       e ? e : "null", r ? r : "null");
		free(e);
		free(r);
	}
	if ((m = json_object_get(doc, "local_proxy_cpu_s")))
		printf("the local path's docker-proxy used %.2f CPU s (emulated), %.2f (real)\n",
		       json_number_value(json_object_get(m, "emulated")),
		       json_number_value(json_object_get(m, "real")));
	diff = json_object_get(json_object_get(doc, "rules"), "differences");
	printf("\nrules: %zu line(s) differ between the lab and dockerd %s\n",
	       json_array_size(diff),
	       json_string_value(json_object_get(json_object_get(doc, "engine"), "dockerd")));
	json_array_foreach(diff, i, x)
		printf("  only %-8s %-34s %s\n", json_string_value(json_object_get(x, "in")),
		       json_string_value(json_object_get(x, "source")),
		       json_string_value(json_object_get(x, "rule")));
	printf("\nverdict: %s (within: the interval lies inside 0.95-1.05)\n",
	       json_string_value(json_object_get(doc, "verdict")));
}

int calibrate_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"modes", required_argument, NULL, 'm'},
		{"paths", required_argument, NULL, 'p'},
		{"rounds", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'd'},
		{"rr-duration", required_argument, NULL, 'R'},
		{"format", required_argument, NULL, 'f'},
		CLI_HELP_OPTION,
		{0},
	};
	struct calibrate_opts o;
	const char *fmt = "text";
	char why[1024] = "";
	unsigned long n;
	json_t *doc = NULL;
	int c, ret, verdict;

	calibrate_opts_default(&o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_modes(optarg, &o))
				return EXIT_USAGE;
			break;
		case 'p':
			if (parse_paths(optarg, &o))
				return EXIT_USAGE;
			break;
		case 'r':
			if (parse_uint(optarg, 2, CALIBRATE_MAX_ROUNDS, &n))
				return cli_usage_error(calibrate_usage, "--rounds '%s': 2 to %d",
						       optarg, CALIBRATE_MAX_ROUNDS);
			o.rounds = (unsigned int)n;
			break;
		case 'd':
			if (parse_uint(optarg, 1, 60, &n))
				return cli_usage_error(calibrate_usage,
						       "--duration '%s': whole seconds, 1 to 60",
						       optarg);
			o.stream_s = (double)n;
			break;
		case 'R':
			if (parse_seconds(optarg, 0.05, 60, &o.rr_s))
				return cli_usage_error(calibrate_usage,
						       "--rr-duration '%s': seconds, 0.05 to 60",
						       optarg);
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return cli_usage_error(calibrate_usage,
						       "--format '%s': text or json", optarg);
			fmt = optarg;
			break;
		default:
			return cli_option_end(c, "calibrate", calibrate_usage, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(calibrate_usage, "calibrate: unexpected argument '%s'",
				       argv[optind]);
	if (o.paths[PATH_INTRA_HOST] && !o.bridge)
		return cli_usage_error(calibrate_usage,
				       "--paths intra-host is a bridge task's path to another: "
				       "--modes needs bridge");
	if (cli_need_privileges())
		return 1;
	cli_install_signals();
	ret = calibrate_run(&o, &doc, &verdict, why, sizeof(why));
	if (ret == -EINTR) {
		log_err("calibrate: interrupted; labs and the engine removed");
		return cli_signal_exit();
	}
	if (ret) {
		log_err("calibrate: %s", why);
		return 1;
	}
	if (!strcmp(fmt, "json")) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
	} else {
		print_table(doc);
	}
	json_decref(doc);
	return verdict;
}
