// SPDX-License-Identifier: MIT
/*
 * nsbench measure MODE TEST: one measurement on a fresh lab (or on a lab that
 * `topo up` left, with --lab), printed as a line or as JSON.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/measurement.h"
#include "bench/stream.h"
#include "harness/cli/cli.h"
#include "harness/cli/log.h"
#include "harness/common/notice.h"
#include "harness/common/parse.h"
#include "harness/lab/build.h"
#include "harness/lab/lab.h"
#include "harness/lab/path.h"
#include "harness/lab/state.h"
#include "harness/measure/hotpath.h"
#include "harness/measure/measure.h"
#include "harness/measure/perhop.h"
#include "netns/testhooks.h"

static const char measure_usage[] =
	"Usage: nsbench measure MODE TEST [--path P] [--duration S] [--warmup S] [--omit S]\n"
	"                       [--streams N] [--rate BPS] [--blksize B] [--window B|auto]\n"
	"                       [--req B] [--resp B]\n"
	"                       [--timeout-ms N] [--cpu same|split|free] [--cpus C,S]\n"
	"                       [--lab LAB] [--json] [--hot-path] [--security-group]\n"
	"                       [--per-hop] [--vpc-mtu N] [--bridge-mtu N] [--wire nic|veth]\n"
	"                       [--trunking]\n"
	"                       [--instance P] [--userland-proxy on|off] [--ip 4|6|4,6]\n"
	"                       [--interval S] [--histogram] [--samples FILE]\n"
	"MODE: {modes}\n"
	"TEST: tcp_stream, tcp_stream_par, tcp_reverse, udp (libiperf);\n"
	"      tcp_rr, udp_rr, tcp_crr (request/response)\n"
	"--path: ingress (default; loopback for none), egress, loopback, local (a client in\n"
	"the instance to the task's published address), agent (the task to the ECS\n"
	"agent's endpoint 169.254.170.2:80; TCP; needs an instance profile)\n"
	"--duration S (default 5; whole seconds for libiperf tests), --warmup S (RR, 0.2),\n"
	"--omit S (libiperf warm-up, 1), --rate BPS for udp (default 1G; k/M/G suffixes),\n"
	"--window B|auto: both ends' socket buffers, as iperf3 -w (K/M suffixes; default\n"
	"auto, the kernel's autotuning, as iperf3: its outcome differs from run to run,\n"
	"which is why run fixes 2M; see nsbench-run(8)).\n"
	"--req/--resp message sizes for RR tests (default 64 bytes; udp_rr at least 8;\n"
	"a tcp_rr request up to 64M: bulk transfers, each timed whole). --window applies\n"
	"to tcp_rr too.\n"
	"--cpu same (default): client and server pinned to one CPU, so that cross-CPU\n"
	"wake-ups do not hide the path; split: one CPU each; free: the scheduler decides.\n"
	"--cpus C,S names the client's and the server's CPU (one CPU: same, two: split).\n"
	"--lab LAB runs in a lab that `nsbench topo up` left, on its first task of MODE.\n"
	"--hot-path (TEST udp_rr) prints the packet path of MODE on the path instead:\n"
	"the hops with packets per transaction (--json: every counter).\n"
	"--per-hop adds where the round trip goes: eBPF probes on every hop, 2000 traced\n"
	"udp_rr transactions (tcp_rr when TEST is tcp_rr) measured after TEST, apart from it.\n"
	"--interval S: also the figures of every S whole seconds (as iperf3 -i), after the\n"
	"total (libiperf tests: from its reports of each second, the receiver's).\n"
	"--histogram (RR tests): the latencies' histogram, 10 buckets a decade.\n"
	"--samples FILE (RR tests): every latency measured, in us, one a line, in order.\n"
	"On a terminal, how far the measurement has come shows on stderr.\n" CLI_VPC_USAGE
		CLI_INSTANCE_USAGE CLI_IP_USAGE
	"With --ip 4,6 the measurement runs once per family: a line each (--json: an array).\n";

/* --cpus CLIENT,SERVER: 0, or EXIT_USAGE said. */
static int parse_cpus(char *text, struct bench_cpus *cpus)
{
	char *comma = strchr(text, ',');
	unsigned long a, b;

	if (!comma)
		return cli_usage_error(measure_usage, "--cpus '%s': CLIENT,SERVER such as 1,1",
				       text);
	*comma = '\0';
	if (parse_uint(text, 0, 4095, &a) || parse_uint(comma + 1, 0, 4095, &b))
		return cli_usage_error(measure_usage, "--cpus: CPU numbers");
	cpus->client = (int)a;
	cpus->server = (int)b;
	return 0;
}

/* MODE and TEST: -1 to go on, else EXIT_USAGE said. */
static int positional(int argc, char **argv, struct measure_req *r)
{
	if (argc - optind > 2)
		return cli_usage_error(measure_usage, "measure: unexpected argument '%s'",
				       argv[optind + 2]);
	if (argc - optind != 2)
		return cli_usage_error(measure_usage, "measure: MODE and TEST, please");
	if (cli_mode_arg(measure_usage, argv[optind], &r->mode))
		return EXIT_USAGE;
	if (bench_test_parse(argv[optind + 1], &r->test))
		return cli_usage_error(measure_usage, "unknown test '%s'", argv[optind + 1]);
	return -1;
}

/*
 * --req (C 'q') or --resp into RR: a tcp_rr request may be up to RR_MAX_BULK, a bulk
 * transfer timed whole; a response at most RR_MAX_MSG. Nonzero when refused (said).
 */
static int rr_size_option(int c, const char *arg, struct rr_opts *rr)
{
	unsigned long n;

	if (c == 'q' && parse_bytes(arg, 1, RR_MAX_BULK, &n))
		return cli_usage_error(
			measure_usage,
			"--req '%s': 1 to %d bytes (K/M suffixes; above %d tcp_rr only)", arg,
			RR_MAX_BULK, RR_MAX_MSG);
	if (c == 's' && parse_uint(arg, 1, RR_MAX_MSG, &n))
		return cli_usage_error(measure_usage, "--resp '%s': 1 to %d bytes", arg,
				       RR_MAX_MSG);
	*(c == 'q' ? &rr->req_size : &rr->resp_size) = (uint32_t)n;
	return 0;
}

/* The options into R: -1 to go on, else the exit status (--help, or a refusal said). */
static int parse(int argc, char **argv, struct measure_req *r, bool *json)
{
	static const struct option opts[] = {
		{"path", required_argument, NULL, 'P'},
		{"duration", required_argument, NULL, 'd'},
		{"warmup", required_argument, NULL, 'w'},
		{"omit", required_argument, NULL, 'o'},
		{"streams", required_argument, NULL, 'n'},
		{"rate", required_argument, NULL, 'r'},
		{"blksize", required_argument, NULL, 'b'},
		{"window", required_argument, NULL, 'W'},
		{"req", required_argument, NULL, 'q'},
		{"resp", required_argument, NULL, 's'},
		{"timeout-ms", required_argument, NULL, 't'},
		{"cpu", required_argument, NULL, 'c'},
		{"cpus", required_argument, NULL, 'C'},
		{"lab", required_argument, NULL, 'L'},
		{"json", no_argument, NULL, 'j'},
		{"hot-path", no_argument, NULL, 'H'},
		{"per-hop", no_argument, NULL, 'E'},
		{"interval", required_argument, NULL, 'i'},
		{"histogram", no_argument, NULL, 'g'},
		{"samples", required_argument, NULL, 'S'},
		CLI_LAB_OPTIONS,
		CLI_HELP_OPTION,
		{0},
	};
	struct bench_opts *bo = &r->bo;
	unsigned long n;
	int c, idx = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, &idx)) != -1) {
		/* Which options were given, by name: measure_check's rules of where each applies.
		 */
		if (c != '?' && c != ':' && c != 'h' && r->ngiven < MEASURE_MAX_GIVEN)
			r->given[r->ngiven++] = opts[idx].name;
		switch (c) {
		case 'P':
			if (cli_path_arg(measure_usage, optarg, &r->path))
				return EXIT_USAGE;
			r->path_set = true;
			break;
		case 'd':
			if (parse_seconds(optarg, 0.01, 86400, &r->duration))
				return cli_usage_error(measure_usage,
						       "--duration '%s': seconds, 0.01 to 86400",
						       optarg);
			r->duration_set = true;
			break;
		case 'w':
			if (parse_seconds(optarg, 0, 3600, &bo->rr.warmup_s))
				return cli_usage_error(measure_usage,
						       "--warmup '%s': seconds, 0 to 3600", optarg);
			break;
		case 'o':
			if (parse_uint(optarg, 0, 600, &n))
				return cli_usage_error(measure_usage,
						       "--omit '%s': whole seconds, 0 to 600",
						       optarg);
			bo->stream.omit_s = (int)n;
			break;
		case 'n':
			if (parse_uint(optarg, 1, 128, &n))
				return cli_usage_error(measure_usage, "--streams '%s': 1 to 128",
						       optarg);
			bo->stream.streams = (int)n;
			break;
		case 'r':
			if (parse_rate(optarg, &bo->stream.rate_bps) || bo->stream.rate_bps < 1000)
				return cli_usage_error(measure_usage,
						       "--rate '%s': bits/s such as 100M or 1G "
						       "(at least 1k)",
						       optarg);
			break;
		case 'b':
			if (parse_uint(optarg, 1, 1 << 20, &n))
				return cli_usage_error(measure_usage,
						       "--blksize '%s': 1 to 1048576 bytes",
						       optarg);
			bo->stream.blksize = (int)n;
			break;
		case 'W':
			if (cli_window_option(measure_usage, optarg, &bo->stream.window))
				return EXIT_USAGE;
			bo->rr.window = bo->stream.window;
			break;
		case 'q':
		case 's':
			if (rr_size_option(c, optarg, &bo->rr))
				return EXIT_USAGE;
			break;
		case 't':
			if (parse_uint(optarg, 1, 60000, &n))
				return cli_usage_error(measure_usage,
						       "--timeout-ms '%s': 1 to 60000", optarg);
			bo->rr.timeout_ms = (int)n;
			break;
		case 'c':
			if (cli_cpu_option(measure_usage, optarg, &bo->cpus.policy))
				return EXIT_USAGE;
			r->cpu_set = true;
			break;
		case 'C':
			if (parse_cpus(optarg, &bo->cpus))
				return EXIT_USAGE;
			break;
		case 'L':
			r->lab_id = optarg;
			break;
		case 'j':
			*json = true;
			break;
		case 'H':
			r->hot = true;
			break;
		case 'E':
			r->per_hop = true;
			break;
		case 'i':
			if (parse_uint(optarg, 1, 86400, &n))
				return cli_usage_error(measure_usage,
						       "--interval '%s': whole seconds, 1 to 86400",
						       optarg);
			bo->detail.interval_s = (unsigned int)n;
			break;
		case 'g':
			bo->detail.histogram = true;
			break;
		case 'S':
			r->samples = optarg;
			bo->detail.samples = true;
			break;
		default:
			if (lab_option_is(c)) {
				if (cli_lab_option(measure_usage, c, optarg, &r->lab))
					return EXIT_USAGE;
				break;
			}
			return cli_option_end(c, "measure", measure_usage, argv);
		}
	}
	return positional(argc, argv, r);
}

static void print(json_t *all, bool hot)
{
	for (size_t i = 0; i < json_array_size(all); i++) {
		json_t *r = json_array_get(all, i);

		if (hot) {
			measure_print_hot(stdout, r);
			continue;
		}
		measure_print_result(stdout, r);
		if (json_object_get(r, "intervals"))
			measure_print_intervals(stdout, r);
		if (json_object_get(r, "histogram"))
			measure_print_histogram(stdout, r);
		if (json_object_get(r, "per_hop"))
			cli_print_waterfall(stdout, json_object_get(r, "per_hop"));
	}
}

static void print_samples(json_t *all, const char *samples)
{
	if (samples)
		fprintf(stderr, "nsbench: %lld latencies in %s (us, one a line, in order)\n",
			(long long)json_integer_value(json_object_get(
				json_object_get(json_array_get(all, 0), "samples_file"),
				"samples")),
			samples);
}

int measure_main(int argc, char **argv)
{
	struct measure_req r;
	bool json = false;
	json_t *all = NULL;
	bool refused;
	char why[512];
	int ret;

	measure_req_default(&r);
	ret = parse(argc, argv, &r, &json);
	if (ret >= 0)
		return ret;
	ret = measure_check(&r, why, sizeof(why));
	if (ret)
		return cli_usage_error(ret == -EINVAL ? measure_usage : NULL, "%s", why);
	if (r.samples && measure_samples_check(r.samples, why, sizeof(why)))
		return cli_usage_error(NULL, "%s", why);
	if (cli_need_privileges())
		return 1;
	cli_install_signals();
	r.bo.tick = measure_tick;
	ret = measure_run(&r, &all, &refused, why, sizeof(why));
	if (ret && refused)
		return cli_usage_error(NULL, "%s", why);
	if (ret) {
		log_err("%s", lab_stop && ret == -EINTR ? "interrupted" : why);
		return lab_stop ? cli_signal_exit() : 1;
	}
	for (size_t i = 0; r.samples && i < json_array_size(all); i++)
		if (measure_write_samples(r.samples, json_array_get(all, i), why, sizeof(why))) {
			log_err("%s", why);
			json_decref(all);
			return 1;
		}
	if (json) {
		json_dumpf(json_array_size(all) == 1 ? json_array_get(all, 0) : all, stdout,
			   JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
	} else {
		print(all, r.hot);
	}
	print_samples(all, r.samples);
	json_decref(all);
	return 0;
}
