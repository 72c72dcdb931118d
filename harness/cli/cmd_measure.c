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
#include "harness/measure/perhop.h"
#include "netns/testhooks.h"

static const char measure_usage[] =
	"Usage: nsbench measure MODE TEST [--path P] [--duration S] [--warmup S] [--omit S]\n"
	"                       [--streams N] [--rate BPS] [--blksize B] [--window B]\n"
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
	"--window B: both ends' socket buffers, as iperf3 -w (K/M suffixes; default: the\n"
	"kernel's autotuning, whose outcome differs from run to run; see nsbench-run(8)).\n"
	"--req/--resp message sizes for RR tests (default 64 bytes; udp_rr at least 8).\n"
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

/* Options that apply to some measurements only; given elsewhere they are refused, not ignored. */
static const struct {
	int c;
	const char *name;
} rr_only[] = {{'w', "--warmup"},     {'q', "--req"},	    {'s', "--resp"},
	       {'t', "--timeout-ms"}, {'g', "--histogram"}, {'S', "--samples"}},
  iperf_only[] = {{'o', "--omit"},
		  {'n', "--streams"},
		  {'b', "--blksize"},
		  {'W', "--window"},
		  {'r', "--rate"}},
  detail[] = {{'i', "--interval"}, {'g', "--histogram"}, {'S', "--samples"}},
  own_lab[] = {{CLI_OPT_VPC_MTU, "--vpc-mtu"},
	       {CLI_OPT_BRIDGE_MTU, "--bridge-mtu"},
	       {CLI_OPT_WIRE, "--wire"},
	       {CLI_OPT_TRUNKING, "--trunking"},
	       {'G', "--security-group"},
	       {CLI_OPT_INSTANCE, "--instance"},
	       {CLI_OPT_USERLAND_PROXY, "--userland-proxy"},
	       {'H', "--hot-path"}};

#define MEASURE_OPTS 0x200

/* Whether a lab of that id has a state file (topo up made it, and it is not gone). */
static bool lab_known(const char *id)
{
	struct lab *lab = calloc(1, sizeof(*lab));
	bool known = lab && !state_load(id, lab, NULL);

	if (known)
		lab_free(lab);
	free(lab);
	return known;
}

static int options_apply(const bool *seen, enum bench_test test, const char *lab_id)
{
	const char *name = bench_test_name(test);

	for (size_t i = 0; i < sizeof(rr_only) / sizeof(rr_only[0]); i++)
		if (seen[rr_only[i].c] && bench_test_is_stream(test))
			return cli_usage_error(measure_usage,
					       "%s applies to the request/response tests (tcp_rr, "
					       "udp_rr, tcp_crr); %s runs on libiperf%s",
					       rr_only[i].name, name,
					       rr_only[i].c == 'w' ? " (its warm-up is --omit)"
								   : "");
	for (size_t i = 0; i < sizeof(iperf_only) / sizeof(iperf_only[0]); i++)
		if (seen[iperf_only[i].c] && !bench_test_is_stream(test))
			return cli_usage_error(measure_usage,
					       "%s applies to the libiperf tests (tcp_stream, "
					       "tcp_stream_par, tcp_reverse, udp); %s runs on the "
					       "request/response engine%s",
					       iperf_only[i].name, name,
					       iperf_only[i].c == 'o' ? " (its warm-up is --warmup)"
								      : "");
	if (seen['r'] && test != TEST_UDP)
		return cli_usage_error(
			measure_usage,
			"--rate applies to udp, the one paced test; %s sends as fast "
			"as it can",
			name);
	/* --hot-path counts packets instead of measuring TEST: nothing of TEST to detail. */
	for (size_t i = 0; seen['H'] && i < sizeof(detail) / sizeof(detail[0]); i++)
		if (seen[detail[i].c])
			return cli_usage_error(measure_usage,
					       "%s details a measurement of %s; --hot-path counts "
					       "packets instead",
					       detail[i].name, name);
	for (size_t i = 0; lab_id && i < sizeof(own_lab) / sizeof(own_lab[0]); i++)
		if (seen[own_lab[i].c] && !lab_known(lab_id))
			return cli_usage_error(measure_usage,
					       "lab %s: no such lab (nsbench topo show lists them)",
					       lab_id);
		else if (seen[own_lab[i].c])
			return cli_usage_error(measure_usage,
					       "%s applies to a lab measure builds; lab %s exists "
					       "already (give it to topo up, or leave out --lab)",
					       own_lab[i].name, lab_id);
	return 0;
}

int measure_main(int argc, char **argv)
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
		{"security-group", no_argument, NULL, 'G'},
		{"per-hop", no_argument, NULL, 'E'},
		{"interval", required_argument, NULL, 'i'},
		{"histogram", no_argument, NULL, 'g'},
		{"samples", required_argument, NULL, 'S'},
		CLI_VPC_OPTIONS,
		CLI_INSTANCE_OPTIONS,
		CLI_IP_OPTION,
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct bench_opts bo;
	struct bench_target target;
	unsigned int families = CLI_IP_DEFAULT;
	enum lab_mode mode;
	enum bench_test test;
	enum lab_path path;
	bool path_set = false, json = false, dur_set = false, hot = false, sg = false;
	bool per_hop = false, cpu_set = false, seen[MEASURE_OPTS] = {false};
	struct lab_vpc_opts vpc = {0};
	struct cli_instance ci = CLI_INSTANCE_DEFAULT;
	enum lab_instance inst;
	bool proxy;
	const char *lab_id = NULL, *samples = NULL;
	char desc[96];
	double duration = 5;
	unsigned long n;
	struct lab *lab = NULL;
	struct lab_task *task = NULL;
	json_t *res = NULL, *all = NULL;
	char why[512];
	int c, ret = 0, rc = 1;

	bench_opts_default(&bo);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c > 0 && c < MEASURE_OPTS)
			seen[c] = true;
		switch (c) {
		case 'P':
			if (cli_path_arg(measure_usage, optarg, &path))
				return EXIT_USAGE;
			path_set = true;
			break;
		case 'd':
			if (parse_seconds(optarg, 0.01, 86400, &duration))
				return cli_usage_error(measure_usage,
						       "--duration '%s': seconds, 0.01 to 86400",
						       optarg);
			dur_set = true;
			break;
		case 'w':
			if (parse_seconds(optarg, 0, 3600, &bo.rr.warmup_s))
				return cli_usage_error(measure_usage,
						       "--warmup '%s': seconds, 0 to 3600", optarg);
			break;
		case 'o':
			if (parse_uint(optarg, 0, 600, &n))
				return cli_usage_error(measure_usage,
						       "--omit '%s': whole seconds, 0 to 600",
						       optarg);
			bo.stream.omit_s = (int)n;
			break;
		case 'n':
			if (parse_uint(optarg, 1, 128, &n))
				return cli_usage_error(measure_usage, "--streams '%s': 1 to 128",
						       optarg);
			bo.stream.streams = (int)n;
			break;
		case 'r':
			if (parse_rate(optarg, &bo.stream.rate_bps) || bo.stream.rate_bps < 1000)
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
			bo.stream.blksize = (int)n;
			break;
		case 'W':
			if (cli_window_option(measure_usage, optarg, &bo.stream.window))
				return EXIT_USAGE;
			break;
		case 'q':
		case 's':
			if (parse_uint(optarg, 1, RR_MAX_MSG, &n))
				return cli_usage_error(measure_usage, "--%s '%s': 1 to %d bytes",
						       c == 'q' ? "req" : "resp", optarg,
						       RR_MAX_MSG);
			if (c == 'q')
				bo.rr.req_size = (uint32_t)n;
			else
				bo.rr.resp_size = (uint32_t)n;
			break;
		case 't':
			if (parse_uint(optarg, 1, 60000, &n))
				return cli_usage_error(measure_usage,
						       "--timeout-ms '%s': 1 to 60000", optarg);
			bo.rr.timeout_ms = (int)n;
			break;
		case 'c':
			if (cli_cpu_option(measure_usage, optarg, &bo.cpus.policy))
				return EXIT_USAGE;
			cpu_set = true;
			break;
		case 'C': {
			unsigned long a, b;
			char *comma = strchr(optarg, ',');

			if (!comma)
				return cli_usage_error(measure_usage,
						       "--cpus '%s': CLIENT,SERVER such as 1,1",
						       optarg);
			*comma = '\0';
			if (parse_uint(optarg, 0, 4095, &a) || parse_uint(comma + 1, 0, 4095, &b))
				return cli_usage_error(measure_usage, "--cpus: CPU numbers");
			bo.cpus.client = (int)a;
			bo.cpus.server = (int)b;
			break;
		}
		case 'L':
			lab_id = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'H':
			hot = true;
			break;
		case 'G':
			sg = true;
			break;
		case 'E':
			per_hop = true;
			break;
		case 'i':
			if (parse_uint(optarg, 1, 86400, &n))
				return cli_usage_error(measure_usage,
						       "--interval '%s': whole seconds, 1 to 86400",
						       optarg);
			bo.detail.interval_s = (unsigned int)n;
			break;
		case 'g':
			bo.detail.histogram = true;
			break;
		case 'S':
			samples = optarg;
			bo.detail.samples = true;
			break;
		case CLI_OPT_VPC_MTU:
		case CLI_OPT_BRIDGE_MTU:
		case CLI_OPT_WIRE:
		case CLI_OPT_TRUNKING:
			if (cli_vpc_option(measure_usage, c, optarg, &vpc))
				return EXIT_USAGE;
			break;
		case CLI_OPT_INSTANCE:
		case CLI_OPT_USERLAND_PROXY:
			if (cli_instance_option(measure_usage, c, optarg, &ci))
				return EXIT_USAGE;
			break;
		case CLI_OPT_IP:
			if (cli_ip_option(measure_usage, optarg, &families))
				return EXIT_USAGE;
			break;
		default:
			return cli_option_end(c, "measure", measure_usage, argv);
		}
	}
	if (argc - optind > 2)
		return cli_usage_error(measure_usage, "measure: unexpected argument '%s'",
				       argv[optind + 2]);
	if (argc - optind != 2)
		return cli_usage_error(measure_usage, "measure: MODE and TEST, please");
	if (cli_mode_arg(measure_usage, argv[optind], &mode))
		return EXIT_USAGE;
	if (cli_ip_mode(families, mode))
		return EXIT_USAGE;
	if (bench_test_parse(argv[optind + 1], &test))
		return cli_usage_error(measure_usage, "unknown test '%s'", argv[optind + 1]);
	if (options_apply(seen, test, lab_id))
		return EXIT_USAGE;
	/* Said before a lab is built: the kernel would grant less, and iperf fail after. */
	if (bo.stream.window && stream_window_fits(bo.stream.window, why, sizeof(why)))
		return cli_usage_error(NULL, "%s", why);
	/* Counted around small messages: a stream's GSO super-packets would hide the hops. */
	if (hot && test != TEST_UDP_RR && !(test == TEST_TCP_RR && path_set && path == PATH_AGENT))
		return cli_usage_error(
			measure_usage,
			"--hot-path counts packets around %d udp_rr transactions (tcp_rr on "
			"the agent path), not %s: give udp_rr as TEST",
			HOTPATH_TRANSACTIONS, bench_test_name(test));
	if (!path_set)
		path = path_default(mode);
	if (path == PATH_INTRA_HOST)
		return cli_usage_error(measure_usage, "the intra-host path comes with nsbench run");
	if (families & (1u << FAMILY_IPV6)) {
		if (path_family_available(mode, path, FAMILY_IPV6, why, sizeof(why)))
			return cli_usage_error(NULL, "--ip 6: %s", why);
		if (per_hop)
			return cli_usage_error(measure_usage,
					       "--per-hop's probes read IPv4 headers only: "
					       "without --ip 6");
		if (samples && families != (1u << FAMILY_IPV6))
			return cli_usage_error(measure_usage,
					       "--samples writes one measurement's latencies: "
					       "--ip 4 or --ip 6, not both");
	}
	if (sg && cli_security_group_mode(measure_usage, mode))
		return EXIT_USAGE;
	if (cli_vpc_check(measure_usage, &vpc, families))
		return EXIT_USAGE;
	if (cli_trunking_modes(measure_usage, &vpc, &mode, 1))
		return EXIT_USAGE;
	if (cli_instance_apply(measure_usage, &ci, &inst, &proxy))
		return EXIT_USAGE;
	if (!lab_id && cli_ip_proxy(families, mode, proxy))
		return EXIT_USAGE;
	if (mode != MODE_NONE && !lab_id && path_available(mode, path, inst, why, sizeof(why)))
		return cli_usage_error(NULL, "%s", why);
	if (path == PATH_AGENT && (test == TEST_UDP || test == TEST_UDP_RR))
		return cli_usage_error(
			NULL,
			"the agent's endpoint is TCP only (ecs-init's rules match tcp "
			"port %d): a tcp_ test (--hot-path: tcp_rr)",
			PATH_AGENT_PORT);
	if (mode == MODE_NONE && path != PATH_LOOPBACK)
		return cli_usage_error(measure_usage,
				       "mode none has only the loopback path: its task has no "
				       "network");
	if (bench_test_is_stream(test) && dur_set && (duration < 1 || duration != floor(duration)))
		return cli_usage_error(measure_usage,
				       "--duration %g: libiperf tests take whole seconds",
				       duration);
	bo.stream.duration_s = (int)duration;
	bo.rr.duration_s = duration;
	ret = bench_check(test, &bo, why, sizeof(why));
	if (ret)
		return cli_usage_error(measure_usage, "%s", why);
	/* --cpus alone says the placement: one CPU is same, two are split. */
	if (!cpu_set && bo.cpus.client >= 0)
		bo.cpus.policy = bo.cpus.client == bo.cpus.server ? PLACE_SAME : PLACE_SPLIT;
	/* A CPU that does not exist here, or one --cpu contradicts, is refused before a lab. */
	if (bench_cpus_check(&bo.cpus, why, sizeof(why)))
		return cli_usage_error(measure_usage, "--cpu %s --cpus %d,%d: %s",
				       bench_placement_name(bo.cpus.policy), bo.cpus.client,
				       bo.cpus.server, why);
	if (bench_cpus_resolve(&bo.cpus))
		return cli_usage_error(measure_usage,
				       "--cpu split needs two CPUs this process may run on");
	if (samples && measure_samples_check(samples, why, sizeof(why)))
		return cli_usage_error(NULL, "%s", why);
	if (cli_need_privileges())
		return 1;

	cli_install_signals();
	lab = calloc(1, sizeof(*lab));
	if (!lab)
		return 1;
	if (lab_id) {
		ret = state_load(lab_id, lab, NULL);
		if (ret) {
			log_err("lab %s: %s", lab_id,
				ret == -ENOENT ? "no such lab (nsbench topo show lists them)"
					       : strerror(-ret));
			goto out;
		}
		for (unsigned int i = 0; i < lab->ntasks && !task; i++)
			if (lab->tasks[i].mode == mode)
				task = &lab->tasks[i];
		if (!task) {
			log_err("lab %s has no %s task", lab_id, lab_mode_name(mode));
			goto out;
		}
		/* Its hostPort answers only the protocols its port mappings name. */
		if (task->host_port && !(task->protos & LAB_PROTO_UDP) &&
		    (path == PATH_INGRESS || path == PATH_LOCAL) &&
		    (test == TEST_UDP || test == TEST_UDP_RR || hot)) {
			log_err("lab %s: task t%u publishes hostPort %u over tcp only (ECS's "
				"default protocol); UDP needs a udp mapping: topo up %s --port "
				"%u/tcp+udp",
				lab_id, task->id, task->host_port, lab_mode_name(mode),
				task->container_port);
			goto out;
		}
	} else {
		struct lab_config cfg;

		lab_config_default(&cfg);
		cfg.security_group = sg;
		lab_config_vpc(&cfg, &vpc);
		cfg.instance = inst;
		cfg.userland_proxy = proxy;
		cfg.dual_stack = families & (1u << FAMILY_IPV6);
		/* The port over udp too where the test or the probes send UDP. */
		cfg.publish_udp = test == TEST_UDP || test == TEST_UDP_RR || hot || per_hop;
		if (lab_init(lab, &cfg, "measure") || lab_plan_task(lab, mode, LAB_DEFAULT_PORT)) {
			/* ECS would refuse it too: nothing was built; the reason stands alone. */
			rc = cli_usage_error(NULL, "%s", lab->err);
			goto out;
		}
		ret = lab_up(lab);
		if (ret) {
			log_err("lab %s (%s): %s", lab->id, lab_mode_name(mode), lab->err);
			rc = ret == -EINTR ? cli_signal_exit() : 1;
			goto out;
		}
		task = &lab->tasks[0];
	}
	all = json_array();
	/* One measurement per family asked, IPv4 first, on the same lab. */
	for (int f = 0; !ret && f < FAMILY_COUNT; f++) {
		if (!(families & (1u << f)))
			continue;
		ret = path_target_family(lab, task, NULL, path, (enum bench_family)f, &target, why,
					 sizeof(why));
		if (!ret && hot && !lab_id)
			ret = hotpath_probe_family(lab, task, path, (enum bench_family)f, &bo, &res,
						   why, sizeof(why));
		else if (!ret && hot)
			ret = -EINVAL,
			snprintf(why, sizeof(why), "--hot-path needs a lab of its own");
		else if (!ret) {
			testhook_phase("measure:built");
			snprintf(desc, sizeof(desc), "%s %s %s%s", lab_mode_name(mode),
				 path_name(path), bench_test_name(test),
				 f == FAMILY_IPV6 ? " (IPv6)" : "");
			bo.tick = measure_tick;
			bo.tick_arg = desc;
			ret = bench_run(test, &bo, &target, &res, why, sizeof(why));
			notice_progress_end();
		}
		if (!ret && json_is_string(json_object_get(res, "detail_error"))) {
			ret = -EIO;
			snprintf(why, sizeof(why), "%s",
				 json_string_value(json_object_get(res, "detail_error")));
		}
		if (!ret && samples)
			ret = measure_write_samples(samples, res, why, sizeof(why));
		if (!ret && per_hop) {
			/* The per-hop run is a measurement of its own: no detail, no progress. */
			struct bench_opts pbo = bo;
			struct perhop_opts po;
			json_t *ph = NULL;

			pbo.detail = (struct bench_detail){0};
			pbo.tick = NULL;

			perhop_opts_default(&po);
			if (test == TEST_TCP_RR)
				po.test = TEST_TCP_RR;
			ret = perhop_measure(lab, task, path, &pbo, &po, &ph, why, sizeof(why));
			if (!ret)
				json_object_set_new(res, "per_hop", ph);
		}
		if (ret)
			break;
		json_object_set_new(res, "lab", json_string(lab->id));
		json_array_append_new(all, res);
		res = NULL;
	}
	if (ret) {
		log_err("%s", lab_stop ? "interrupted" : why);
		rc = lab_stop ? cli_signal_exit() : 1;
		goto out;
	}
	if (json) {
		json_dumpf(json_array_size(all) == 1 ? json_array_get(all, 0) : all, stdout,
			   JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
	}
	for (size_t i = 0; !json && i < json_array_size(all); i++) {
		json_t *r = json_array_get(all, i);

		if (hot) {
			measure_print_hot(stdout, r);
		} else {
			measure_print_result(stdout, r);
			if (json_object_get(r, "intervals"))
				measure_print_intervals(stdout, r);
			if (json_object_get(r, "histogram"))
				measure_print_histogram(stdout, r);
			if (json_object_get(r, "per_hop"))
				cli_print_waterfall(stdout, json_object_get(r, "per_hop"));
		}
	}
	if (samples)
		fprintf(stderr, "nsbench: %lld latencies in %s (us, one a line, in order)\n",
			(long long)json_integer_value(json_object_get(
				json_object_get(json_array_get(all, 0), "samples_file"),
				"samples")),
			samples);
	rc = 0;
out:
	json_decref(res);
	json_decref(all);
	if (!lab_id && lab)
		lab_down(lab, LAB_TEARDOWN_GROUP);
	lab_free(lab);
	free(lab);
	return rc;
}
