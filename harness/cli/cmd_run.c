// SPDX-License-Identifier: MIT
/* nsbench run: the benchmark matrix, a results file, and the table. */
#define _GNU_SOURCE
#include <errno.h>
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
#include "harness/reports/results.h"
#include "harness/reports/tables.h"

static const char run_usage[] =
	"Usage: nsbench run [--quick|--full] [--modes M,...] [--paths P,...] [--tests T,...]\n"
	"                   [--reps N] [--duration S] [--rr-duration S] [--rate BPS]\n"
	"                   [--streams N] [--window B] [--cpu same|split|free]\n"
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
	"--window B sets both ends' socket buffers in the libiperf tests, as iperf3 -w\n"
	"(K/M suffixes). By default the kernel autotunes them; on Linux 6.16 and later,\n"
	"and 6.12 from 6.12.35, a TCP stream's figure then falls in one of two states\n"
	"from run to run (nsbench-run(8)).\n"
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

struct list {
	int (*parse)(const char *, int *);
	int *out;
	unsigned int max, n;
};

/* Each item once. */
static int list_item(const char *tok, void *arg)
{
	struct list *l = arg;
	int v;

	if (l->n >= l->max || l->parse(tok, &v))
		return -EINVAL;
	for (unsigned int i = 0; i < l->n; i++)
		if (l->out[i] == v)
			return -EINVAL;
	l->out[l->n++] = v;
	return 0;
}

static int parse_list(const char *text, int (*parse)(const char *, int *), int *out,
		      unsigned int max, unsigned int *n)
{
	struct list l = {parse, out, max, 0};
	int ret = parse_csv(text, list_item, &l);

	*n = l.n;
	return ret;
}

static int p_mode(const char *s, int *v)
{
	enum lab_mode m;
	int ret = lab_mode_parse(s, &m);

	*v = (int)m;
	return ret;
}

static int p_path(const char *s, int *v)
{
	enum lab_path p;
	int ret = path_parse(s, &p);

	*v = (int)p;
	return ret || p == PATH_LOOPBACK ? -EINVAL : 0;
}

static int p_tasks(const char *s, int *v)
{
	unsigned long n;
	int ret = parse_uint(s, 1, LAB_MAX_TASKS / 2, &n);

	*v = (int)n;
	return ret;
}

static int p_test(const char *s, int *v)
{
	enum bench_test t;
	int ret = bench_test_parse(s, &t);

	*v = (int)t;
	return ret;
}

int run_main(int argc, char **argv)
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
		{"security-group", no_argument, NULL, 'G'},
		{"json", no_argument, NULL, 'j'},
		{"target", required_argument, NULL, 'g'},
		{"max-reps", required_argument, NULL, 'M'},
		{"max-time", required_argument, NULL, 'X'},
		{"per-hop", no_argument, NULL, 'H'},
		{"schedule", required_argument, NULL, 'C'},
		CLI_VPC_OPTIONS,
		CLI_INSTANCE_OPTIONS,
		CLI_IP_OPTION,
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct run_config cfg;
	unsigned int families = CLI_IP_DEFAULT;
	const char *modes = NULL, *paths = NULL, *tests = NULL, *out_dir = NULL;
	const char *reps = NULL, *dur = NULL, *rrdur = NULL, *rate = NULL, *streams = NULL;
	const char *window = NULL, *cpu = NULL, *shape = NULL, *tasks_arg = NULL, *enis = NULL;
	const char *target = NULL, *max_reps = NULL, *max_time = NULL;
	bool json = false, no_hot = false, cfg_sg = false, per_hop = false;
	struct lab_vpc_opts vpc = {0};
	struct cli_instance ci = CLI_INSTANCE_DEFAULT;
	enum schedule sched = SCHED_DEFAULT;
	bool sched_set = false;
	int preset = 0, c, ret;
	unsigned long n;
	size_t missed;
	char why[512], path[4200];
	json_t *doc = NULL;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'Q':
		case 'F':
			if (preset && preset != c)
				return cli_usage_error(run_usage, "--quick or --full, not both");
			preset = c;
			break;
		case 'm':
			modes = optarg;
			break;
		case 'p':
			paths = optarg;
			break;
		case 't':
			tests = optarg;
			break;
		case 'r':
			reps = optarg;
			break;
		case 'd':
			dur = optarg;
			break;
		case 'D':
			rrdur = optarg;
			break;
		case 'R':
			rate = optarg;
			break;
		case 's':
			streams = optarg;
			break;
		case 'W':
			window = optarg;
			break;
		case 'c':
			cpu = optarg;
			break;
		case 'o':
			out_dir = optarg;
			break;
		case 'N':
			no_hot = true;
			break;
		case 'S':
			shape = optarg;
			break;
		case 'T':
			tasks_arg = optarg;
			break;
		case 'E':
			enis = optarg;
			break;
		case 'G':
			cfg_sg = true;
			break;
		case 'H':
			per_hop = true;
			break;
		case 'C':
			if (cli_schedule_option(run_usage, optarg, &sched))
				return EXIT_USAGE;
			sched_set = true;
			break;
		case CLI_OPT_VPC_MTU:
		case CLI_OPT_BRIDGE_MTU:
		case CLI_OPT_WIRE:
		case CLI_OPT_TRUNKING:
			if (cli_vpc_option(run_usage, c, optarg, &vpc))
				return EXIT_USAGE;
			break;
		case CLI_OPT_INSTANCE:
		case CLI_OPT_USERLAND_PROXY:
			if (cli_instance_option(run_usage, c, optarg, &ci))
				return EXIT_USAGE;
			break;
		case CLI_OPT_IP:
			if (cli_ip_option(run_usage, optarg, &families))
				return EXIT_USAGE;
			break;
		case 'j':
			json = true;
			break;
		case 'g':
			target = optarg;
			break;
		case 'M':
			max_reps = optarg;
			break;
		case 'X':
			max_time = optarg;
			break;
		default:
			return cli_option_end(c, "run", run_usage, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(run_usage, "run: unexpected argument '%s'", argv[optind]);
	if (preset == 'Q')
		run_config_quick(&cfg);
	else if (preset == 'F')
		run_config_full(&cfg);
	else
		run_config_default(&cfg);

	if (modes && parse_list(modes, p_mode, (int *)cfg.modes, MODE_COUNT, &cfg.nmodes))
		return cli_usage_error(run_usage, "--modes '%s': %s, comma-separated, each once",
				       modes, cli_modes());
	if (paths && parse_list(paths, p_path, (int *)cfg.paths, PATH_COUNT, &cfg.npaths))
		return cli_usage_error(run_usage,
				       "--paths '%s': ingress, egress, intra-host, local, agent, "
				       "comma-separated, each once",
				       paths);
	if (tests && parse_list(tests, p_test, (int *)cfg.tests, TEST_COUNT, &cfg.ntests))
		return cli_usage_error(run_usage,
				       "--tests '%s': tcp_stream, tcp_stream_par, "
				       "tcp_reverse, udp, tcp_rr, udp_rr, tcp_crr, comma-separated",
				       tests);
	if (reps) {
		if (parse_uint(reps, 1, 100, &n))
			return cli_usage_error(run_usage, "--reps '%s': 1 to 100", reps);
		cfg.reps = (unsigned int)n;
	}
	if (dur) {
		if (parse_uint(dur, 1, 3600, &n))
			return cli_usage_error(run_usage,
					       "--duration '%s': whole seconds, 1 to 3600", dur);
		cfg.stream_s = (int)n;
		if (!rrdur)
			cfg.rr_s = (double)n / 2;
	}
	if (rrdur && parse_seconds(rrdur, 0.05, 3600, &cfg.rr_s))
		return cli_usage_error(run_usage, "--rr-duration '%s': seconds, 0.05 to 3600",
				       rrdur);
	if (rate && (parse_rate(rate, &cfg.bo.stream.rate_bps) || cfg.bo.stream.rate_bps < 1000))
		return cli_usage_error(run_usage, "--rate '%s': bits/s such as 500M", rate);
	if (streams) {
		if (parse_uint(streams, 2, 128, &n))
			return cli_usage_error(run_usage, "--streams '%s': 2 to 128", streams);
		cfg.par_streams = (int)n;
	}
	if (window && cli_window_option(run_usage, window, &cfg.bo.stream.window))
		return EXIT_USAGE;
	if (cpu && cli_cpu_option(run_usage, cpu, &cfg.bo.cpus.policy))
		return EXIT_USAGE;
	if (shape && (parse_rate(shape, &cfg.shape_bps) || cfg.shape_bps < 8000))
		return cli_usage_error(run_usage, "--shape-wire '%s': bits/s such as 500M", shape);
	if (bench_cpus_resolve(&cfg.bo.cpus))
		return cli_usage_error(run_usage, "--cpu split needs two CPUs to run on");
	if (tasks_arg &&
	    parse_list(tasks_arg, p_tasks, (int *)cfg.tasks_list, 16, &cfg.ntasks_list))
		return cli_usage_error(run_usage,
				       "--tasks '%s': tasks per instance, 1 to %d, such as 4 or "
				       "1,2,4,8,16,32",
				       tasks_arg, LAB_MAX_TASKS / 2);
	if (enis) {
		if (parse_uint(enis, 1, 1000, &n))
			return cli_usage_error(run_usage, "--max-enis '%s': 1 to 1000", enis);
		cfg.max_enis = (unsigned int)n;
	}
	if (target && parse_seconds(target, 0.1, 100, &cfg.target_pct))
		return cli_usage_error(run_usage, "--target '%s': a percentage, 0.1 to 100",
				       target);
	if ((max_reps || max_time) && !target)
		return cli_usage_error(run_usage,
				       "--max-reps and --max-time are --target's budget");
	if (max_reps) {
		if (parse_uint(max_reps, 2, 1000, &n))
			return cli_usage_error(run_usage, "--max-reps '%s': 2 to 1000", max_reps);
		cfg.max_reps = (unsigned int)n;
	}
	if (max_time && parse_seconds(max_time, 1, 86400, &cfg.max_time_s))
		return cli_usage_error(run_usage, "--max-time '%s': seconds, 1 to 86400", max_time);
	if (target && cfg.reps < 2)
		cfg.reps = 2;
	if (target && cfg.max_reps < cfg.reps)
		return cli_usage_error(run_usage, "--max-reps %u is below --reps %u", cfg.max_reps,
				       cfg.reps);
	/* Options of one test are refused when the run does not measure it. */
	{
		bool udp = false, par = false, iperf = false;

		for (unsigned int i = 0; i < cfg.ntests; i++) {
			udp |= cfg.tests[i] == TEST_UDP;
			par |= cfg.tests[i] == TEST_TCP_STREAM_PAR;
			iperf |= bench_test_is_stream(cfg.tests[i]);
		}
		if (window && !iperf)
			return cli_usage_error(
				run_usage, "--window applies to the libiperf tests (tcp_stream, "
					   "tcp_stream_par, tcp_reverse, udp), which this run does "
					   "not measure (--tests)");
		if (rate && !udp)
			return cli_usage_error(
				run_usage, "--rate applies to the udp test, which this run does "
					   "not measure (--tests)");
		if (streams && !par)
			return cli_usage_error(
				run_usage, "--streams applies to tcp_stream_par, which this run "
					   "does not measure (--tests, or --full)");
		/* Said before a lab is built: the kernel would grant less, and iperf fail after. */
		if (window && stream_window_fits(cfg.bo.stream.window, why, sizeof(why)))
			return cli_usage_error(NULL, "%s", why);
	}
	if (cfg_sg) {
		bool awsvpc = false;

		for (unsigned int i = 0; i < cfg.nmodes; i++)
			awsvpc |= cfg.modes[i] == MODE_AWSVPC;
		if (!awsvpc)
			return cli_usage_error(
				run_usage, "--security-group applies to awsvpc tasks (their own "
					   "ENI's), and --modes has no awsvpc");
	}
	if (sched_set && sched == SCHED_DUET) {
		bool host = false;

		for (unsigned int i = 0; i < cfg.nmodes; i++)
			host |= cfg.modes[i] == MODE_HOST;
		if (!host || cfg.nmodes < 2)
			return cli_usage_error(run_usage,
					       "--schedule duet measures each mode beside "
					       "host mode: --modes needs host and another");
		if (cpu)
			return cli_usage_error(
				run_usage, "--schedule duet pins each side to a CPU of its own: "
					   "--cpu does not apply");
		if (cfg.ntasks_list > 1 || cfg.tasks_list[0] > 1)
			return cli_usage_error(run_usage,
					       "--schedule duet measures one task beside "
					       "another: --tasks must be 1");
	}
	cfg.schedule = sched;
	/* Each side on each CPU as often: an odd count would favour one CPU. */
	if (sched == SCHED_DUET && cfg.reps % 2) {
		cfg.reps++;
		log_warn("--schedule duet: %u repetitions, an even number (each side on each CPU "
			 "as often)",
			 cfg.reps);
	}
	cfg.seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	if (out_dir)
		cfg.out_dir = out_dir;
	cfg.hot_path = !no_hot;
	cfg.security_group = cfg_sg;
	cfg.per_hop = per_hop;
	if (cli_vpc_check(run_usage, &vpc, families))
		return EXIT_USAGE;
	if (cli_trunking_modes(run_usage, &vpc, cfg.modes, cfg.nmodes))
		return EXIT_USAGE;
	cfg.vpc = vpc;
	if (cli_instance_apply(run_usage, &ci, &cfg.instance, &cfg.userland_proxy))
		return EXIT_USAGE;
	/* A mode without IPv6 is refused, not quietly measured over IPv4 alone. */
	for (unsigned int i = 0; i < cfg.nmodes; i++)
		if (cli_ip_mode(families, cfg.modes[i]) ||
		    cli_ip_proxy(families, cfg.modes[i], cfg.userland_proxy))
			return EXIT_USAGE;
	cfg.families = families;
	/* A path a mode lacks here is left out of its runs: said, not silently. */
	for (unsigned int i = 0; i < cfg.nmodes; i++)
		for (unsigned int k = 0; cfg.modes[i] != MODE_NONE && k < cfg.npaths; k++)
			if (path_available(cfg.modes[i], cfg.paths[k], cfg.instance, why,
					   sizeof(why)))
				log_warn("mode %s, path %s left out: %s",
					 lab_mode_name(cfg.modes[i]), path_name(cfg.paths[k]), why);
			else if (path_family_available(cfg.modes[i], cfg.paths[k],
						       families & (1u << FAMILY_IPV6) ? FAMILY_IPV6
										      : FAMILY_IPV4,
						       why, sizeof(why)))
				log_warn("mode %s, path %s %s: %s", lab_mode_name(cfg.modes[i]),
					 path_name(cfg.paths[k]),
					 families & CLI_IP_DEFAULT ? "measured over IPv4 only"
								   : "left out",
					 why);
	/* A run whose every lab ECS would refuse measures nothing: say so before building. */
	if (matrix_plan_check(&cfg, why, sizeof(why)))
		return cli_usage_error(NULL, "run: nothing to measure: %s", why);
	if (cli_need_privileges())
		return 1;
	if (per_hop && hopprobe_supported(why, sizeof(why))) {
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
			cfg.nmodes, cfg.npaths, families == 3 ? " x 2 IP families" : "", cfg.ntests,
			cfg.reps, cfg.target_pct > 0 ? " or more" : "",
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
