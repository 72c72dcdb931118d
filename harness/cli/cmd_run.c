// SPDX-License-Identifier: MIT
/* nsbench run: the benchmark matrix, a results file, and the table. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/hopprobe.h"
#include "bench/stream.h"
#include "harness/cli/cli.h"
#include "harness/cli/log.h"
#include "harness/common/parse.h"
#include "harness/lab/build.h"
#include "harness/measure/matrix.h"
#include "harness/measure/runargs.h"
#include "harness/reports/results.h"
#include "harness/reports/tables.h"

static const char run_usage[] =
	"Usage: nsbench run [--quick|--full] [--modes M,...] [--paths P,...] [--tests T,...]\n"
	"                   [--reps N] [--duration S] [--rr-duration S] [--rate BPS]\n"
	"                   [--streams N] [--window B|auto] [--cpu same|split|free]\n"
	"                   [--out DIR]\n"
	"                   [--tasks N[,N...]] [--max-enis N] [--security-group] [--no-hot-path]\n"
	"                   [--shape-wire BPS] [--per-hop] [--vpc-mtu N] [--bridge-mtu N]\n"
	"                   [--wire nic|veth] [--trunking]\n"
	"                   [--instance P] [--userland-proxy on|off] [--ip 4|6|4,6] [--json]\n"
	"                   [--target PCT [--max-reps N] [--max-time S]]\n"
	"                   [--schedule alternate|random|duet]\n"
	"Default: every mode ({modes}), path ingress,\n"
	"tests tcp_stream, tcp_reverse, udp (1 Gbit/s), tcp_rr, tcp_crr, 6 repetitions,\n"
	"libiperf tests 1 s and request/response tests 0.5 s each: about two minutes.\n"
	"--quick: one short repetition (a smoke run). --full: adds the egress and\n"
	"intra-host paths, tcp_stream_par and udp_rr, 5 repetitions of 3 s / 2 s.\n"
	"--window B|auto: both ends' socket buffers in the libiperf tests, as iperf3 -w\n"
	"(K/M suffixes; default 2M, or net.core.rmem_max where less). auto leaves them\n"
	"to the kernel's autotuning, whose outcome on Linux 6.16 and later, and 6.12\n"
	"from 6.12.35, falls in one of two states from stream to stream: noise between\n"
	"modes, part of what a kernel comparison may want (nsbench-run(8)).\n"
	"Paths: ingress, egress, intra-host, local (a client in the instance to the task's\n"
	"published address), agent (the task to the ECS agent's endpoint; TCP tests\n"
	"only); none mode always runs loopback.\n"
	"The results file goes to DIR (default results/), named after host, kernel and\n"
	"UTC time; --json also prints it. --shape-wire puts a tbf of BPS on the wire\n"
	"(vpc0) of every lab: a known slowdown, for checking that compare notices.\n"
	"--tasks N puts N tasks on the instance in each mode and drives them together\n"
	"(aggregate and per-task throughput, latency, setup time per task); a list\n"
	"sweeps: --tasks 1,2,4,8,16,32. --max-enis N stops awsvpc where ECS would.\n"
	"--target PCT repeats (every mode each round) until the 95% interval of every\n"
	"headline metric (throughput, tps, p50, p99 and their ratios to host) is within\n"
	"PCT percent of its value, or --max-reps (default 20) or --max-time seconds\n"
	"(default 600) runs out; --reps is then the minimum. Each result records the\n"
	"repetitions taken and whether the target was met; when one was not, the table\n"
	"and stderr say so and run exits 3 (the results are written).\n"
	"--schedule: how each round measures the modes: alternate (in turn, the default),\n"
	"random (in turn, in an order drawn every round) or duet (each mode at the same\n"
	"time as host, each side on a CPU of its own, the CPUs swapped every round; needs\n"
	"two CPUs and host among --modes). The table ends with the answer: each mode\n"
	"against host, paired by round, with 95% intervals and the difference in\n"
	"microseconds or CPU seconds per GB, and which modes show no difference.\n"
	"--per-hop adds where each mode's round trip goes (eBPF probes on every hop, 2000\n"
	"traced udp_rr transactions per mode and path, apart from the tests): "
	"\"per_hop\".\n" CLI_VPC_USAGE CLI_INSTANCE_USAGE CLI_IP_USAGE
	"Each family is a test of its own in the results (\"family\"), and a row of its own in\n"
	"the table, its ratios to host's over the same family; --per-hop stays IPv4.\n";

/* The options that take a text, and where run_args keeps it. */
static const struct {
	int c;
	size_t off;
} texts[] = {
	{'m', offsetof(struct run_args, modes)},    {'p', offsetof(struct run_args, paths)},
	{'t', offsetof(struct run_args, tests)},    {'r', offsetof(struct run_args, reps)},
	{'d', offsetof(struct run_args, dur)},	    {'D', offsetof(struct run_args, rrdur)},
	{'R', offsetof(struct run_args, rate)},	    {'s', offsetof(struct run_args, streams)},
	{'W', offsetof(struct run_args, window)},   {'c', offsetof(struct run_args, cpu)},
	{'o', offsetof(struct run_args, out_dir)},  {'S', offsetof(struct run_args, shape)},
	{'T', offsetof(struct run_args, tasks)},    {'E', offsetof(struct run_args, enis)},
	{'g', offsetof(struct run_args, target)},   {'M', offsetof(struct run_args, max_reps)},
	{'X', offsetof(struct run_args, max_time)},
};

/* Stores option C's text; false when C takes none. */
static bool text_option(struct run_args *a, int c, const char *arg)
{
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].c == c) {
			*(const char **)((char *)a + texts[i].off) = arg;
			return true;
		}
	return false;
}

/* The options into A: -1 to go on, else the exit status (--help, or a refusal said). */
static int parse(int argc, char **argv, struct run_args *a, bool *json)
{
	static const struct option opts[] = {
		{"quick", no_argument, NULL, 'Q'},
		{"full", no_argument, NULL, 'F'},
		{"modes", required_argument, NULL, 'm'},
		{"paths", required_argument, NULL, 'p'},
		{"tests", required_argument, NULL, 't'},
		{"reps", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'd'},
		{"rr-duration", required_argument, NULL, 'D'},
		{"rate", required_argument, NULL, 'R'},
		{"streams", required_argument, NULL, 's'},
		{"window", required_argument, NULL, 'W'},
		{"cpu", required_argument, NULL, 'c'},
		{"out", required_argument, NULL, 'o'},
		{"no-hot-path", no_argument, NULL, 'N'},
		{"shape-wire", required_argument, NULL, 'S'},
		{"tasks", required_argument, NULL, 'T'},
		{"max-enis", required_argument, NULL, 'E'},
		{"json", no_argument, NULL, 'j'},
		{"target", required_argument, NULL, 'g'},
		{"max-reps", required_argument, NULL, 'M'},
		{"max-time", required_argument, NULL, 'X'},
		{"per-hop", no_argument, NULL, 'H'},
		{"schedule", required_argument, NULL, 'C'},
		CLI_LAB_OPTIONS,
		CLI_HELP_OPTION,
		{0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (text_option(a, c, optarg))
			continue;
		switch (c) {
		case 'Q':
		case 'F':
			if (a->preset && a->preset != c)
				return cli_usage_error(run_usage, "--quick or --full, not both");
			a->preset = c;
			break;
		case 'N':
			a->no_hot = true;
			break;
		case 'H':
			a->per_hop = true;
			break;
		case 'j':
			*json = true;
			break;
		case 'C':
			if (cli_schedule_option(run_usage, optarg, &a->schedule))
				return EXIT_USAGE;
			a->schedule_set = true;
			break;
		default:
			if (lab_option_is(c)) {
				if (cli_lab_option(run_usage, c, optarg, &a->lab))
					return EXIT_USAGE;
				break;
			}
			return cli_option_end(c, "run", run_usage, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(run_usage, "run: unexpected argument '%s'", argv[optind]);
	return -1;
}

int run_main(int argc, char **argv)
{
	struct run_config cfg;
	struct run_args a;
	bool json = false;
	int ret;
	size_t missed;
	char why[512], path[4200];
	json_t *doc = NULL;

	run_args_default(&a);
	ret = parse(argc, argv, &a, &json);
	if (ret >= 0)
		return ret;
	ret = run_config_check(&a, (unsigned int)time(NULL) ^ (unsigned int)getpid(), &cfg, why,
			       sizeof(why));
	if (ret)
		return cli_usage_error(ret == -EINVAL ? run_usage : NULL, "%s", why);
	if (cli_need_privileges())
		return 1;
	if (cfg.per_hop && hopprobe_supported(why, sizeof(why))) {
		log_err("--per-hop needs what this kernel lacks: %s", why);
		return 1;
	}
	/* Say it now, not after minutes of measuring. */
	ret = results_check_dir(cfg.out_dir, why, sizeof(why));
	if (ret == -ENOTDIR)
		return cli_usage_error(NULL, "--out: %s", why);
	if (ret) {
		log_err("%s", why);
		return 1;
	}

	cli_install_signals();
	/* What the run will do and where its file went: said unless -q asks for errors only. */
	if (log_verbosity >= LOG_WARN)
		fprintf(stderr,
			"nsbench: %u mode(s) x %u path(s)%s x %u test(s) x %u repetition(s)%s%s, "
			"about %.0f s of measurement%s\n",
			cfg.nmodes, cfg.npaths, cfg.families == 3 ? " x 2 IP families" : "",
			cfg.ntests, cfg.reps, cfg.target_pct > 0 ? " or more" : "",
			cfg.ntasks_list > 1 ? " x task counts" : "",
			run_config_seconds(&cfg) * cfg.ntasks_list,
			cfg.target_pct > 0 ? " before --target adds repetitions" : "");
	ret = matrix_run(&cfg, &doc, why, sizeof(why));
	if (ret) {
		log_err("run: %s%s", why,
			ret == -EINTR ? "; labs removed, no results written" : "");
		return ret == -EINTR ? cli_signal_exit() : 1;
	}
	/* Every mode failed to build: a file without results would only be refused later. */
	if (json_array_size(json_object_get(doc, "results")) == 0) {
		char *errs = json_dumps(json_object_get(doc, "errors"), JSON_COMPACT);

		log_err("run: nothing was measured, no results written; errors: %s",
			errs ? errs : "none recorded");
		free(errs);
		json_decref(doc);
		return 1;
	}
	ret = results_write(doc, cfg.out_dir, path, sizeof(path));
	if (!ret && lab_stop) {
		/* Interrupted while the file was being written: an interrupted run writes nothing.
		 */
		unlink(path);
		json_decref(doc);
		log_err("run: interrupted; labs removed, no results written");
		return cli_signal_exit();
	}
	if (ret) {
		log_err("writing results into %s: %s", cfg.out_dir, strerror(-ret));
		json_decref(doc);
		return 1;
	}
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
		fputc('\n', stdout);
	} else {
		table_run(doc, stdout);
	}
	if (log_verbosity >= LOG_WARN)
		fprintf(stderr, "nsbench: results in %s (%.0f s, of which %.0f s measuring)\n",
			path, json_number_value(json_object_get(doc, "wall_s")),
			json_number_value(json_object_get(doc, "measured_s")));
	ret = strcmp(json_string_value(json_object_get(doc, "status")), "ok") ? 1 : 0;
	if (ret)
		log_err("the run failed: see \"errors\" and \"hot_paths\" in %s", path);
	missed = table_target_missed(doc, NULL);
	if (!ret && missed) {
		/* Measured, but not as precisely as asked: not a success, not a failure. */
		log_warn("--target %g%% not met by %zu of %zu results before the budget ran out "
			 "(see \"target\" in %s): raise --max-reps or --max-time",
			 cfg.target_pct, missed, json_array_size(json_object_get(doc, "results")),
			 path);
		ret = EXIT_INCONCLUSIVE;
	}
	json_decref(doc);
	return ret;
}
