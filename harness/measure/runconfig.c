// SPDX-License-Identifier: MIT
/* The run's presets (default, quick, full), its planned time, and its config as JSON. */
#include <string.h>

#include "harness/lab/mode.h"
#include "harness/lab/vpc.h"
#include "harness/measure/runconfig.h"

static const enum bench_test default_tests[] = {TEST_TCP_STREAM, TEST_TCP_REVERSE, TEST_UDP,
						TEST_TCP_RR, TEST_TCP_CRR};

void run_config_default(struct run_config *c)
{
	memset(c, 0, sizeof(*c));
	for (int m = 0; m < MODE_COUNT; m++)
		c->modes[c->nmodes++] = (enum lab_mode)m;
	c->paths[c->npaths++] = PATH_INGRESS;
	for (size_t i = 0; i < sizeof(default_tests) / sizeof(default_tests[0]); i++)
		c->tests[c->ntests++] = default_tests[i];
	/*
	 * Six short repetitions, not three long ones, in the same time: measured
	 * on a 2-vCPU VM (doc/measurements/2026-12-06-repetitions.md), the paired
	 * intervals came out 1.2-4x narrower (more pairs, and t with 5 degrees
	 * of freedom instead of 2), and bridge against bridge-dynamic was never
	 * called different (it was once in four runs at three).
	 */
	c->reps = 6;
	c->max_reps = 20;
	c->max_time_s = 600;
	c->tasks_list[0] = 1;
	c->ntasks_list = 1;
	c->stream_s = 1;
	c->rr_s = 0.5;
	c->par_streams = 4;
	c->hot_path = true;
	c->instance = INSTANCE_AL2023;
	c->userland_proxy = true;
	c->families = 1u << FAMILY_IPV4;
	c->out_dir = "results";
	c->preset = "default";
	bench_opts_default(&c->bo);
	c->bo.stream.omit_s = 0;
	c->bo.rr.warmup_s = 0.1;
}

void run_config_quick(struct run_config *c)
{
	run_config_default(c);
	c->reps = 1;
	c->stream_s = 1;
	c->rr_s = 0.3;
	c->bo.rr.warmup_s = 0.05;
	c->preset = "quick";
}

void run_config_full(struct run_config *c)
{
	static const enum bench_test full[] = {
		TEST_TCP_STREAM, TEST_TCP_STREAM_PAR, TEST_TCP_REVERSE, TEST_UDP,
		TEST_TCP_RR,	 TEST_UDP_RR,	      TEST_TCP_CRR};

	run_config_default(c);
	c->npaths = 0;
	c->paths[c->npaths++] = PATH_INGRESS;
	c->paths[c->npaths++] = PATH_EGRESS;
	c->paths[c->npaths++] = PATH_INTRA_HOST;
	c->ntests = 0;
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++)
		c->tests[c->ntests++] = full[i];
	c->reps = 5;
	c->stream_s = 3;
	c->rr_s = 2;
	c->preset = "full";
}

double run_config_test_seconds(const struct run_config *c, enum bench_test t)
{
	return bench_test_is_stream(t) ? c->stream_s + c->bo.stream.omit_s
				       : c->rr_s + c->bo.rr.warmup_s;
}

unsigned int run_config_paths(const struct run_config *c, enum lab_mode m, enum lab_path *out)
{
	unsigned int n = 0;

	/* A task nothing outside it reaches (none) has only its default path. */
	if (!mode_reachable(m)) {
		out[0] = path_default(m);
		return 1;
	}
	/* A path the mode lacks here (awsvpc's local path, the agent on bare) is left out. */
	for (unsigned int i = 0; i < c->npaths; i++)
		if (!path_available(m, c->paths[i], c->instance, NULL, 0))
			out[n++] = c->paths[i];
	return n;
}

unsigned int run_config_legs(const struct run_config *c, enum lab_mode m, struct run_leg *out)
{
	enum lab_path paths[PATH_COUNT];
	unsigned int np = run_config_paths(c, m, paths), n = 0;

	for (unsigned int i = 0; i < np; i++)
		for (int f = 0; f < FAMILY_COUNT; f++)
			if ((c->families & (1u << f)) &&
			    !path_family_available(m, paths[i], (enum bench_family)f, NULL, 0))
				out[n++] = (struct run_leg){paths[i], (enum bench_family)f};
	return n;
}

double run_config_seconds(const struct run_config *c)
{
	double s = 0;

	for (unsigned int m = 0; m < c->nmodes; m++) {
		struct run_leg legs[RUN_MAX_LEGS];
		unsigned int np = run_config_legs(c, c->modes[m], legs);

		for (unsigned int t = 0; t < c->ntests; t++)
			s += np * run_config_test_seconds(c, c->tests[t]);
	}
	return s * c->reps;
}

json_t *run_config_json(const struct run_config *c)
{
	json_t *modes = json_array(), *paths = json_array(), *tests = json_array();
	json_t *tasks = json_array(), *doc;

	for (unsigned int i = 0; i < c->nmodes; i++)
		json_array_append_new(modes, json_string(lab_mode_name(c->modes[i])));
	for (unsigned int i = 0; i < c->npaths; i++)
		json_array_append_new(paths, json_string(path_name(c->paths[i])));
	for (unsigned int i = 0; i < c->ntests; i++)
		json_array_append_new(tests, json_string(bench_test_name(c->tests[i])));
	for (unsigned int i = 0; i < c->ntasks_list; i++)
		json_array_append_new(tasks, json_integer(c->tasks_list[i]));
	doc = json_pack("{s:s, s:o, s:o, s:o, s:i, s:i, s:i, s:f, s:f, s:I, s:i, s:i, s:i, "
			"s:i, s:{s:s, s:i, s:i}, s:I, s:b, s:s, s:o, s:i}",
			"preset", c->preset, "modes", modes, "paths", paths, "tests", tests, "reps",
			(int)c->reps, "stream_duration_s", c->stream_s, "stream_omit_s",
			c->bo.stream.omit_s, "rr_duration_s", c->rr_s, "rr_warmup_s",
			c->bo.rr.warmup_s, "udp_rate_bps", (json_int_t)c->bo.stream.rate_bps,
			"parallel_streams", c->par_streams, "rr_request_bytes",
			(int)c->bo.rr.req_size, "rr_response_bytes", (int)c->bo.rr.resp_size,
			"stream_block_bytes", c->bo.stream.blksize, "placement", "policy",
			bench_placement_name(c->bo.cpus.policy), "client_cpu", c->bo.cpus.client,
			"server_cpu", c->bo.cpus.server, "shape_wire_bps", (json_int_t)c->shape_bps,
			"hot_path", c->hot_path, "order", "repetition-major", "tasks", tasks,
			"max_enis", (int)c->max_enis);
	/* Only when set: files of the kernel's autotuning (every older file) stay alike. */
	if (c->bo.stream.window)
		json_object_set_new(doc, "stream_window_bytes", json_integer(c->bo.stream.window));
	json_object_set_new(doc, "security_group", json_boolean(c->security_group));
	/* Only when not alternate: files from before schedules (all alternate) stay alike. */
	if (c->schedule != SCHED_ALTERNATE)
		json_object_set_new(doc, "schedule", json_string(schedule_name(c->schedule)));
	json_object_set_new(doc, "per_hop", json_boolean(c->per_hop));
	json_object_set_new(doc, "instance", json_string(lab_instance_name(c->instance)));
	json_object_set_new(doc, "userland_proxy", json_boolean(c->userland_proxy));
	json_object_set_new(doc, "ip", json_array());
	for (int f = 0; f < FAMILY_COUNT; f++)
		if (c->families & (1u << f))
			json_array_append_new(json_object_get(doc, "ip"),
					      json_string(bench_family_name((enum bench_family)f)));
	json_object_set_new(doc, "dual_stack", json_boolean(c->families & (1u << FAMILY_IPV6)));
	vpc_describe(doc, &c->vpc);
	if (c->target_pct > 0)
		json_object_set_new(doc, "target",
				    json_pack("{s:f, s:i, s:i, s:f}", "pct", c->target_pct,
					      "min_reps", (int)c->reps, "max_reps",
					      (int)c->max_reps, "max_time_s", c->max_time_s));
	return doc;
}
