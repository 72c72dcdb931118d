// SPDX-License-Identifier: MIT
/*
 * nsbench explain MODE: where the round trip goes, hop by hop (eBPF probes),
 * and what each part of the mode costs (the ladder of lab variants).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/hopprobe.h"
#include "harness/cli/cli.h"
#include "harness/cli/log.h"
#include "harness/common/parse.h"
#include "harness/lab/mode.h"
#include "harness/measure/explain.h"

static const char explain_usage[] =
	"Usage: nsbench explain MODE [--path P] [--test udp_rr|tcp_rr] [--transactions N]\n"
	"                       [--rounds N] [--duration S] [--rr-duration S] [--no-ladder]\n"
	"                       [--vpc-mtu N] [--bridge-mtu N] [--wire nic|veth] [--trunking]\n"
	"                       [--security-group]\n"
	"                       [--probe-cost[=N]] [--sample-every N] [--cpu same|split|free]\n"
	"                       [--instance P] [--userland-proxy on|off] [--json]\n"
	"                       [--schedule alternate|random|duet]\n"
	"MODE: {modes}\n"
	"Prints where MODE's round trip goes: eBPF probes on the tc hooks of every\n"
	"interface on the path stamp N traced transactions (default 2000 udp_rr), and the\n"
	"segments between the stamps, with the parts no hop accounts for (sockets, stacks,\n"
	"wake-ups), form a waterfall. For bridge, awsvpc and host (ingress) it then\n"
	"measures the ladder: lab variants adding one part at a time, side by side in\n"
	"--rounds rounds (default 5): host -> +veth -> +bridge -> +conntrack -> +DNAT\n"
	"for bridge, host -> +ENI -> +security group for awsvpc, all on a bare\n"
	"instance, then the mode on --instance's (+al2023 instance: the AMI's rules and\n"
	"Docker's proxy; host's ladder is that step alone); each step's cost in TCP_RR p50,\n"
	"tcp_stream throughput and TCP_CRR rate with its 95% interval, and the hop whose\n"
	"time grows. --duration S (tcp_stream, whole seconds, default 1),\n"
	"--rr-duration S (tcp_rr, tcp_crr, default 0.5). --probe-cost[=N]: the probes'\n"
	"own cost, udp_rr and tcp_rr p50 with and without them in N alternating rounds\n"
	"(default 10). --sample-every N (a power of two): stamp one transaction in N\n"
	"(the probes still run on every packet). --schedule: the ladder's rounds measure\n"
	"every step in turn, the order rotating each round (alternate, the default) or\n"
	"drawn afresh each round (random), or measures each step at the same time as\n"
	"the one before it, each on a CPU of its own, the CPUs swapped every round\n"
	"(duet; an even number of rounds, and --cpu does not apply). Needs BPF and tc\n"
	"classifiers.\n" CLI_INSTANCE_USAGE;

static void print_metric(FILE *f, const char *label, json_t *m, const char *unit, double scale)
{
	double r = json_number_value(json_object_get(m, "ratio"));

	if (!json_object_get(m, "ratio")) {
		fprintf(f, "    %-18s inconclusive (not enough rounds)\n", label);
		return;
	}
	fprintf(f, "    %-18s %9.2f -> %9.2f %-7s x%.3f [%.3f, %.3f]  %s", label,
		json_number_value(json_object_get(m, "from")) / scale,
		json_number_value(json_object_get(m, "to")) / scale, unit, r,
		json_number_value(json_object_get(m, "ci95_low")),
		json_number_value(json_object_get(m, "ci95_high")),
		json_string_value(json_object_get(m, "verdict")));
	if (json_object_get(m, "rounds_needed"))
		fprintf(f, " (~%lld rounds would settle it)",
			(long long)json_integer_value(json_object_get(m, "rounds_needed")));
	if (json_object_get(m, "cost_us"))
		fprintf(f, " (%+.2f us)", json_number_value(json_object_get(m, "cost_us")));
	fputc('\n', f);
}

/* A step, "+bridge (after +veth)"; the whole ladder, "host through +DNAT, every part". */
static void print_step(FILE *f, json_t *s, bool whole)
{
	json_t *g;
	size_t i;

	if (whole)
		fprintf(f, "  %s through %s, every part together\n",
			json_string_value(json_object_get(s, "after")),
			json_string_value(json_object_get(s, "step")));
	else
		fprintf(f, "  %s (after %s)\n", json_string_value(json_object_get(s, "step")),
			json_string_value(json_object_get(s, "after")));
	print_metric(f, "TCP_RR p50", json_object_get(s, "tcp_rr_p50_us"), "us", 1);
	print_metric(f, "tcp_stream", json_object_get(s, "tcp_stream_bps"), "Gbit/s", 1e9);
	print_metric(f, "TCP_CRR", json_object_get(s, "tcp_crr_tps"), "trans/s", 1);
	json_array_foreach(json_object_get(s, "grows"), i, g)
		fprintf(f, "    %s %s -> %s: %+.2f us%s\n",
			i ? "      " : "grows:", json_string_value(json_object_get(g, "from")),
			json_string_value(json_object_get(g, "to")),
			json_number_value(json_object_get(g, "grows_us")),
			json_is_true(json_object_get(g, "new")) ? " (new)" : "");
}

static void print_ladder(FILE *f, json_t *lad)
{
	json_t *s;
	size_t i;

	fprintf(f,
		"\nthe cost of each part, %lld rounds side by side (ratio to the step before, "
		"95%% interval; %s):\n",
		(long long)json_integer_value(json_object_get(lad, "rounds")),
		json_string_value(json_object_get(lad, "multiplicity")));
	json_array_foreach(json_object_get(lad, "steps"), i, s)
		print_step(f, s, false);
	/* A ladder of one step is its whole ladder: said once. */
	if (json_array_size(json_object_get(lad, "steps")) > 1) {
		fprintf(f, "the whole ladder:\n");
		print_step(f, json_object_get(lad, "total"), true);
	}
	fprintf(f, "costs: the interval excludes no change after the correction for every step's "
		   "three measures; an interval that just excludes 1 can stay inconclusive. The "
		   "steps' ratios multiply to the whole ladder's.\n");
}

static void print_cost(FILE *f, json_t *c)
{
	static const char *const tests[] = {"udp_rr", "tcp_rr"};

	fprintf(f, "\nwhat the probes cost (%lld alternating rounds of %lld transactions):\n",
		(long long)json_integer_value(json_object_get(c, "rounds")),
		(long long)json_integer_value(json_object_get(c, "transactions")));
	for (size_t i = 0; i < 2; i++) {
		json_t *t = json_object_get(c, tests[i]);

		if (!json_object_get(t, "ratio")) {
			fprintf(f, "  %s: inconclusive\n", tests[i]);
			continue;
		}
		fprintf(f, "  %s p50: %.2f us without, %.2f us with: x%.3f [%.3f, %.3f]\n",
			tests[i], json_number_value(json_object_get(t, "without_p50_us")),
			json_number_value(json_object_get(t, "with_p50_us")),
			json_number_value(json_object_get(t, "ratio")),
			json_number_value(json_object_get(t, "ci95_low")),
			json_number_value(json_object_get(t, "ci95_high")));
	}
}

static void print(json_t *doc, bool json)
{
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
		return;
	}
	cli_print_waterfall(stdout, json_object_get(doc, "waterfall"));
	if (json_object_get(doc, "probe_cost"))
		print_cost(stdout, json_object_get(doc, "probe_cost"));
	if (json_object_get(doc, "ladder"))
		print_ladder(stdout, json_object_get(doc, "ladder"));
}

int explain_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"path", required_argument, NULL, 'P'},
		{"test", required_argument, NULL, 'T'},
		{"transactions", required_argument, NULL, 'n'},
		{"rounds", required_argument, NULL, 'r'},
		{"schedule", required_argument, NULL, 'O'},
		{"duration", required_argument, NULL, 'd'},
		{"rr-duration", required_argument, NULL, 'R'},
		{"no-ladder", no_argument, NULL, 'N'},
		CLI_VPC_OPTIONS,
		CLI_INSTANCE_OPTIONS,
		CLI_SG_OPTION,
		{"cpu", required_argument, NULL, 'c'},
		{"probe-cost", optional_argument, NULL, 'C'},
		{"sample-every", required_argument, NULL, 'S'},
		{"json", no_argument, NULL, 'j'},
		CLI_HELP_OPTION,
		{0},
	};
	struct explain_opts eo;
	struct lab_options lo;
	struct bench_opts bo;
	bool json = false, path_set = false;
	const char *ladder_opt = NULL;
	bool cpu_set = false;
	unsigned long n;
	json_t *doc = NULL;
	char why[512];
	int c, ret;

	explain_opts_default(&eo);
	bench_opts_default(&bo);
	lab_options_default(&lo);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (cli_path_arg(explain_usage, optarg, &eo.path))
				return EXIT_USAGE;
			path_set = true;
			break;
		case 'T':
			if (bench_test_parse(optarg, &eo.po.test) ||
			    (eo.po.test != TEST_UDP_RR && eo.po.test != TEST_TCP_RR))
				return cli_usage_error(explain_usage,
						       "--test '%s': udp_rr or tcp_rr", optarg);
			break;
		case 'n':
			if (parse_uint(optarg, 10, HOPSTAMP_SLOTS, &n))
				return cli_usage_error(explain_usage,
						       "--transactions '%s': 10 to %d", optarg,
						       HOPSTAMP_SLOTS);
			eo.po.transactions = (uint32_t)n;
			break;
		case 'O':
			if (cli_schedule_option(explain_usage, optarg, &eo.schedule))
				return EXIT_USAGE;
			ladder_opt = "--schedule";
			break;
		case 'r':
			if (parse_uint(optarg, 2, EXPLAIN_ROUNDS * 4, &n))
				return cli_usage_error(explain_usage, "--rounds '%s': 2 to %d",
						       optarg, EXPLAIN_ROUNDS * 4);
			eo.rounds = (unsigned int)n;
			ladder_opt = "--rounds";
			break;
		case 'd':
			if (parse_uint(optarg, 1, 60, &n))
				return cli_usage_error(explain_usage,
						       "--duration '%s': whole seconds, 1 to 60",
						       optarg);
			eo.stream_s = (int)n;
			ladder_opt = "--duration";
			break;
		case 'R':
			if (parse_seconds(optarg, 0.05, 60, &eo.rr_s))
				return cli_usage_error(explain_usage,
						       "--rr-duration '%s': seconds, 0.05 to 60",
						       optarg);
			ladder_opt = "--rr-duration";
			break;
		case 'N':
			eo.ladder = false;
			break;
		case 'c':
			if (cli_cpu_option(explain_usage, optarg, &bo.cpus.policy))
				return EXIT_USAGE;
			cpu_set = true;
			break;
		case 'j':
			json = true;
			break;
		case 'S':
			/* A power of two: the probes test the sequence number against a mask. */
			if (parse_uint(optarg, 1, 1024, &n) || (n & (n - 1)))
				return cli_usage_error(explain_usage,
						       "--sample-every '%s': 1, 2, 4, ... 1024",
						       optarg);
			eo.po.sample_mask = (uint32_t)n - 1;
			break;
		case 'C':
			eo.probe_cost_rounds = 10;
			if (optarg && parse_uint(optarg, 2, 100, &n))
				return cli_usage_error(explain_usage, "--probe-cost '%s': 2 to 100",
						       optarg);
			if (optarg)
				eo.probe_cost_rounds = (unsigned int)n;
			break;
		default:
			if (lab_option_is(c)) {
				if (cli_lab_option(explain_usage, c, optarg, &lo))
					return EXIT_USAGE;
				break;
			}
			return cli_option_end(c, "explain", explain_usage, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(explain_usage, "explain: MODE, please");
	if (cli_mode_arg(explain_usage, argv[optind], &eo.mode))
		return EXIT_USAGE;
	ret = explain_check(&eo, &lo, &bo, path_set, ladder_opt, cpu_set, why, sizeof(why));
	if (ret)
		return cli_usage_error(ret == -EINVAL ? explain_usage : NULL, "%s", why);
	if (cli_need_privileges())
		return 1;
	ret = hopprobe_supported(why, sizeof(why));
	if (ret) {
		log_err("explain needs what this kernel lacks: %s", why);
		return 1;
	}
	cli_install_signals();
	ret = explain_run(&eo, &bo, &doc, why, sizeof(why));
	if (ret) {
		log_err("explain %s: %s", lab_mode_name(eo.mode), why);
		return ret == -EINTR ? cli_signal_exit() : 1;
	}
	print(doc, json);
	json_decref(doc);
	return 0;
}
