// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/stream.h"
#include "harness/common/notice.h"
#include "harness/common/why.h"
#include "harness/common/parse.h"
#include "harness/lab/mode.h"
#include "harness/measure/matrix.h"
#include "harness/measure/runargs.h"

void run_args_default(struct run_args *a)
{
	memset(a, 0, sizeof(*a));
	a->schedule = SCHED_DEFAULT;
	lab_options_default(&a->lab);
}

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

/* The lists and the values: --modes, --paths, --tests, the counts and the durations. */
static int parse_values(const struct run_args *a, struct run_config *cfg, char *why, size_t len)
{
	unsigned long n;

	if (a->modes && parse_list(a->modes, p_mode, (int *)cfg->modes, MODE_COUNT, &cfg->nmodes))
		return why_err(why, len, -EINVAL, "--modes '%s': %s, comma-separated, each once",
			       a->modes, lab_mode_names());
	if (a->paths && parse_list(a->paths, p_path, (int *)cfg->paths, PATH_COUNT, &cfg->npaths))
		return why_err(why, len, -EINVAL,
			       "--paths '%s': ingress, egress, intra-host, local, agent, "
			       "comma-separated, each once",
			       a->paths);
	if (a->tests && parse_list(a->tests, p_test, (int *)cfg->tests, TEST_COUNT, &cfg->ntests))
		return why_err(
			why, len, -EINVAL,
			"--tests '%s': tcp_stream, tcp_stream_par, tcp_reverse, udp, tcp_rr, "
			"udp_rr, tcp_crr, comma-separated",
			a->tests);
	if (a->reps) {
		if (parse_uint(a->reps, 1, 100, &n))
			return why_err(why, len, -EINVAL, "--reps '%s': 1 to 100", a->reps);
		cfg->reps = (unsigned int)n;
	}
	if (a->dur) {
		if (parse_uint(a->dur, 1, 3600, &n))
			return why_err(why, len, -EINVAL,
				       "--duration '%s': whole seconds, 1 to 3600", a->dur);
		cfg->stream_s = (int)n;
		if (!a->rrdur)
			cfg->rr_s = (double)n / 2;
	}
	if (a->rrdur && parse_seconds(a->rrdur, 0.05, 3600, &cfg->rr_s))
		return why_err(why, len, -EINVAL, "--rr-duration '%s': seconds, 0.05 to 3600",
			       a->rrdur);
	if (a->rate &&
	    (parse_rate(a->rate, &cfg->bo.stream.rate_bps) || cfg->bo.stream.rate_bps < 1000))
		return why_err(why, len, -EINVAL, "--rate '%s': bits/s such as 500M", a->rate);
	if (a->streams) {
		if (parse_uint(a->streams, 2, 128, &n))
			return why_err(why, len, -EINVAL, "--streams '%s': 2 to 128", a->streams);
		cfg->par_streams = (int)n;
	}
	/* Fixed by default: autotuning's draw would put noise between modes (doc/measuring.md). */
	cfg->bo.stream.window = stream_window_steady();
	if (a->window && parse_window(a->window, &cfg->bo.stream.window, why, len))
		return -EINVAL;
	if (a->cpu && bench_placement_parse(a->cpu, &cfg->bo.cpus.policy))
		return why_err(why, len, -EINVAL, "--cpu '%s': same, split or free", a->cpu);
	if (a->shape && (parse_rate(a->shape, &cfg->shape_bps) || cfg->shape_bps < 8000))
		return why_err(why, len, -EINVAL, "--shape-wire '%s': bits/s such as 500M",
			       a->shape);
	if (bench_cpus_resolve(&cfg->bo.cpus))
		return why_err(why, len, -EINVAL, "--cpu split needs two CPUs to run on");
	if (a->tasks &&
	    parse_list(a->tasks, p_tasks, (int *)cfg->tasks_list, 16, &cfg->ntasks_list))
		return why_err(
			why, len, -EINVAL,
			"--tasks '%s': tasks per instance, 1 to %d, such as 4 or 1,2,4,8,16,32",
			a->tasks, LAB_MAX_TASKS / 2);
	if (a->enis) {
		if (parse_uint(a->enis, 1, 1000, &n))
			return why_err(why, len, -EINVAL, "--max-enis '%s': 1 to 1000", a->enis);
		cfg->max_enis = (unsigned int)n;
	}
	return 0;
}

/* --target and its budget. */
static int parse_target(const struct run_args *a, struct run_config *cfg, char *why, size_t len)
{
	unsigned long n;

	if (a->target && parse_seconds(a->target, 0.1, 100, &cfg->target_pct))
		return why_err(why, len, -EINVAL, "--target '%s': a percentage, 0.1 to 100",
			       a->target);
	if ((a->max_reps || a->max_time) && !a->target)
		return why_err(why, len, -EINVAL,
			       "--max-reps and --max-time are --target's budget");
	if (a->max_reps) {
		if (parse_uint(a->max_reps, 2, 1000, &n))
			return why_err(why, len, -EINVAL, "--max-reps '%s': 2 to 1000",
				       a->max_reps);
		cfg->max_reps = (unsigned int)n;
	}
	if (a->max_time && parse_seconds(a->max_time, 1, 86400, &cfg->max_time_s))
		return why_err(why, len, -EINVAL, "--max-time '%s': seconds, 1 to 86400",
			       a->max_time);
	if (a->target && cfg->reps < 2)
		cfg->reps = 2;
	if (a->target && cfg->max_reps < cfg->reps)
		return why_err(why, len, -EINVAL, "--max-reps %u is below --reps %u", cfg->max_reps,
			       cfg->reps);
	return 0;
}

/* Options of one test are refused when the run does not measure it. */
static int check_tests(const struct run_args *a, struct run_config *cfg, char *why, size_t len)
{
	bool udp = false, par = false, iperf = false;

	for (unsigned int i = 0; i < cfg->ntests; i++) {
		udp |= cfg->tests[i] == TEST_UDP;
		par |= cfg->tests[i] == TEST_TCP_STREAM_PAR;
		iperf |= bench_test_is_stream(cfg->tests[i]);
	}
	if (a->window && !iperf)
		return why_err(
			why, len, -EINVAL,
			"--window applies to the libiperf tests (tcp_stream, tcp_stream_par, "
			"tcp_reverse, udp), which this run does not measure (--tests)");
	if (a->rate && !udp)
		return why_err(why, len, -EINVAL,
			       "--rate applies to the udp test, which this run does not measure "
			       "(--tests)");
	if (a->streams && !par)
		return why_err(
			why, len, -EINVAL,
			"--streams applies to tcp_stream_par, which this run does not measure "
			"(--tests, or --full)");
	/* Said before a lab is built: the kernel would grant less, and iperf fail after. */
	if (a->window && cfg->bo.stream.window &&
	    stream_window_fits(cfg->bo.stream.window, why, len))
		return -EOPNOTSUPP;
	return 0;
}

/* duet: each mode beside host, each side on a CPU of its own, one task each; interleave: claims'. */
static int check_schedule(const struct run_args *a, struct run_config *cfg, char *why, size_t len)
{
	bool host = false;

	if (a->schedule_set && a->schedule == SCHED_INTERLEAVE)
		return why_err(why, len, -EINVAL,
			       "--schedule interleave is claims' (one client taking turns at tcp_rr "
			       "between the modes); run's tests include streams, UDP and new "
			       "connections: alternate, random or duet");
	if (!a->schedule_set || a->schedule != SCHED_DUET)
		return 0;
	for (unsigned int i = 0; i < cfg->nmodes; i++)
		host |= cfg->modes[i] == MODE_HOST;
	if (!host || cfg->nmodes < 2)
		return why_err(why, len, -EINVAL,
			       "--schedule duet measures each mode beside host mode: --modes needs "
			       "host and another");
	if (a->cpu)
		return why_err(why, len, -EINVAL,
			       "--schedule duet pins each side to a CPU of its own: --cpu does not "
			       "apply");
	if (cfg->ntasks_list > 1 || cfg->tasks_list[0] > 1)
		return why_err(
			why, len, -EINVAL,
			"--schedule duet measures one task beside another: --tasks must be 1");
	return 0;
}

/* A path a mode lacks here is left out of its runs: said, not silently. */
static void notice_paths(const struct run_config *cfg)
{
	bool v6 = cfg->families & (1u << FAMILY_IPV6), v4 = cfg->families & (1u << FAMILY_IPV4);
	char why[320];

	for (unsigned int i = 0; i < cfg->nmodes; i++)
		for (unsigned int k = 0; mode_reachable(cfg->modes[i]) && k < cfg->npaths; k++)
			if (path_available(cfg->modes[i], cfg->paths[k], cfg->instance, why,
					   sizeof(why)))
				notice(NOTICE_WARNING, "mode %s, path %s left out: %s",
				       lab_mode_name(cfg->modes[i]), path_name(cfg->paths[k]), why);
			else if (path_family_available(cfg->modes[i], cfg->paths[k],
						       v6 ? FAMILY_IPV6 : FAMILY_IPV4, why,
						       sizeof(why)))
				notice(NOTICE_WARNING, "mode %s, path %s %s: %s",
				       lab_mode_name(cfg->modes[i]), path_name(cfg->paths[k]),
				       v4 ? "measured over IPv4 only" : "left out", why);
}

int run_config_check(const struct run_args *a, unsigned int seed, struct run_config *cfg, char *why,
		     size_t len)
{
	bool awsvpc = false;
	int ret;

	if (a->preset == 'Q')
		run_config_quick(cfg);
	else if (a->preset == 'F')
		run_config_full(cfg);
	else
		run_config_default(cfg);
	if ((ret = parse_values(a, cfg, why, len)) || (ret = parse_target(a, cfg, why, len)) ||
	    (ret = check_tests(a, cfg, why, len)))
		return ret;
	for (unsigned int i = 0; i < cfg->nmodes; i++)
		awsvpc |= mode_own_eni(cfg->modes[i]);
	if (a->lab.security_group && !awsvpc)
		return why_err(why, len, -EINVAL,
			       "--security-group applies to awsvpc tasks (their own ENI's), and "
			       "--modes has no awsvpc");
	if ((ret = check_schedule(a, cfg, why, len)))
		return ret;
	cfg->schedule = a->schedule;
	/* Each side on each CPU as often: an odd count would favour one CPU. */
	if (a->schedule == SCHED_DUET && cfg->reps % 2) {
		cfg->reps++;
		notice(NOTICE_WARNING,
		       "--schedule duet: %u repetitions, an even number (each side on each CPU as "
		       "often)",
		       cfg->reps);
	}
	cfg->seed = seed;
	if (a->out_dir)
		cfg->out_dir = a->out_dir;
	cfg->hot_path = !a->no_hot;
	cfg->security_group = a->lab.security_group;
	cfg->per_hop = a->per_hop;
	{
		/* The security group was checked above, against the modes as a whole. */
		struct lab_options lo = a->lab;

		lo.security_group = false;
		if ((ret = lab_options_check(&lo, cfg->modes, cfg->nmodes, true, why, len)))
			return ret;
	}
	cfg->vpc = a->lab.vpc;
	cfg->instance = lab_options_instance(&a->lab);
	cfg->userland_proxy = lab_options_proxy(&a->lab);
	cfg->families = a->lab.families;
	notice_paths(cfg);
	/* A run whose every lab ECS would refuse measures nothing: say so before building. */
	if (matrix_plan_check(cfg, why, len)) {
		char reason[512];

		snprintf(reason, sizeof(reason), "%s", why);
		return why_err(why, len, -EOPNOTSUPP, "run: nothing to measure: %s", reason);
	}
	return 0;
}
