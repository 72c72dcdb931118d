// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stream.h"
#include "harness/common/notice.h"
#include "harness/common/why.h"
#include "harness/lab/build.h"
#include "harness/lab/lab.h"
#include "harness/lab/mode.h"
#include "harness/lab/state.h"
#include "harness/measure/hotpath.h"
#include "harness/measure/measure.h"
#include "harness/measure/perhop.h"
#include "netns/testhooks.h"

void measure_req_default(struct measure_req *r)
{
	memset(r, 0, sizeof(*r));
	r->duration = 5;
	lab_options_default(&r->lab);
	bench_opts_default(&r->bo);
}

static bool is_udp(enum bench_test t)
{
	return t == TEST_UDP || t == TEST_UDP_RR;
}

/* Options that apply to some measurements only; given elsewhere they are refused, not ignored. */
static const char *const rr_only[] = {"warmup",	    "req",	 "resp",
				      "timeout-ms", "histogram", "samples"};
static const char *const iperf_only[] = {"omit", "streams", "blksize", "rate"};
static const char *const detail[] = {"interval", "histogram", "samples"};
static const char *const own_lab[] = {"vpc-mtu",	"bridge-mtu", "wire",		"trunking",
				      "security-group", "instance",   "userland-proxy", "hot-path"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool given(const struct measure_req *r, const char *name)
{
	for (unsigned int i = 0; i < r->ngiven; i++)
		if (!strcmp(r->given[i], name))
			return true;
	return false;
}

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

/* Each option given where it applies: to TEST, to a measurement (not --hot-path), to a lab of its
 * own. */
static int check_given(const struct measure_req *r, char *why, size_t len)
{
	const char *name = bench_test_name(r->test);
	bool stream = bench_test_is_stream(r->test);

	for (size_t i = 0; i < N(rr_only); i++)
		if (stream && given(r, rr_only[i]))
			return why_err(
				why, len, -EINVAL,
				"--%s applies to the request/response tests (tcp_rr, udp_rr, "
				"tcp_crr); %s runs on libiperf%s",
				rr_only[i], name, i == 0 ? " (its warm-up is --omit)" : "");
	for (size_t i = 0; i < N(iperf_only); i++)
		if (!stream && given(r, iperf_only[i]))
			return why_err(why, len, -EINVAL,
				       "--%s applies to the libiperf tests (tcp_stream, "
				       "tcp_stream_par, tcp_reverse, udp); %s runs on the "
				       "request/response engine%s",
				       iperf_only[i], name,
				       i == 0 ? " (its warm-up is --warmup)" : "");
	/* tcp_rr's too: its bulk requests (--req above 64K) are transfers, as a stream's. */
	if (given(r, "window") && !stream && r->test != TEST_TCP_RR)
		return why_err(why, len, -EINVAL,
			       "--window applies to the libiperf tests (tcp_stream, "
			       "tcp_stream_par, tcp_reverse, udp) and tcp_rr; %s takes the "
			       "kernel's buffers",
			       name);
	if (given(r, "rate") && r->test != TEST_UDP)
		return why_err(
			why, len, -EINVAL,
			"--rate applies to udp, the one paced test; %s sends as fast as it can",
			name);
	/* --hot-path counts packets instead of measuring TEST: nothing of TEST to detail. */
	for (size_t i = 0; r->hot && i < N(detail); i++)
		if (given(r, detail[i]))
			return why_err(
				why, len, -EINVAL,
				"--%s details a measurement of %s; --hot-path counts packets "
				"instead",
				detail[i], name);
	for (size_t i = 0; r->lab_id && i < N(own_lab); i++)
		if (given(r, own_lab[i]) && !lab_known(r->lab_id))
			return why_err(why, len, -EINVAL,
				       "lab %s: no such lab (nsbench topo show lists them)",
				       r->lab_id);
		else if (given(r, own_lab[i]))
			return why_err(
				why, len, -EINVAL,
				"--%s applies to a lab measure builds; lab %s exists already "
				"(give it to topo up, or leave out --lab)",
				own_lab[i], r->lab_id);
	return 0;
}

/* The path, and the families over it. */
static int check_path(struct measure_req *r, char *why, size_t len)
{
	unsigned int fam = r->lab.families;
	char reason[320];

	/* Counted around small messages: a stream's GSO super-packets would hide the hops. */
	if (r->hot && r->test != TEST_UDP_RR &&
	    !(r->test == TEST_TCP_RR && r->path_set && r->path == PATH_AGENT))
		return why_err(
			why, len, -EINVAL,
			"--hot-path counts packets around %d udp_rr transactions (tcp_rr on the "
			"agent path), not %s: give udp_rr as TEST",
			HOTPATH_TRANSACTIONS, bench_test_name(r->test));
	if (!r->path_set)
		r->path = path_default(r->mode);
	if (r->path == PATH_INTRA_HOST)
		return why_err(why, len, -EINVAL, "the intra-host path comes with nsbench run");
	if (fam & (1u << FAMILY_IPV6)) {
		if (path_family_available(r->mode, r->path, FAMILY_IPV6, reason, sizeof(reason)))
			return why_err(why, len, -EOPNOTSUPP, "--ip 6: %s", reason);
		if (r->per_hop)
			return why_err(why, len, -EINVAL,
				       "--per-hop's probes read IPv4 headers only: without --ip 6");
		if (r->samples && fam != (1u << FAMILY_IPV6))
			return why_err(
				why, len, -EINVAL,
				"--samples writes one measurement's latencies: --ip 4 or --ip 6, "
				"not both");
	}
	return 0;
}

/* What the mode and its lab have: the options of the lab, the path, the protocol. */
static int check_lab(struct measure_req *r, char *why, size_t len)
{
	struct lab_options lo = r->lab;
	int ret;

	/* --ip over a lab topo up left: that lab's own docker-proxy decides. */
	if (r->lab_id)
		lo.proxy = 1;
	ret = lab_options_check(&lo, &r->mode, 1, true, why, len);
	if (ret)
		return ret;
	if (mode_reachable(r->mode) && !r->lab_id &&
	    path_available(r->mode, r->path, lab_options_instance(&r->lab), why, len))
		return -EOPNOTSUPP;
	if (r->path == PATH_AGENT && is_udp(r->test))
		return why_err(
			why, len, -EOPNOTSUPP,
			"the agent's endpoint is TCP only (ecs-init's rules match tcp port %d): a "
			"tcp_ test (--hot-path: tcp_rr)",
			PATH_AGENT_PORT);
	if (!mode_reachable(r->mode) && r->path != path_default(r->mode))
		return why_err(why, len, -EINVAL,
			       "mode %s has only the %s path: its task has no network",
			       lab_mode_name(r->mode), path_name(path_default(r->mode)));
	return 0;
}

/* The durations and the CPUs. */
static int check_engine(struct measure_req *r, char *why, size_t len)
{
	struct bench_opts *bo = &r->bo;
	char reason[256];

	if (bench_test_is_stream(r->test) && r->duration_set &&
	    (r->duration < 1 || r->duration != floor(r->duration)))
		return why_err(why, len, -EINVAL,
			       "--duration %g: libiperf tests take whole seconds", r->duration);
	bo->stream.duration_s = (int)r->duration;
	bo->rr.duration_s = r->duration;
	if (bench_check(r->test, bo, why, len))
		return -EINVAL;
	/* --cpus alone says the placement: one CPU is same, two are split. */
	if (!r->cpu_set && bo->cpus.client >= 0)
		bo->cpus.policy = bo->cpus.client == bo->cpus.server ? PLACE_SAME : PLACE_SPLIT;
	/* A CPU that does not exist here, or one --cpu contradicts, is refused before a lab. */
	if (bench_cpus_check(&bo->cpus, reason, sizeof(reason)))
		return why_err(why, len, -EINVAL, "--cpu %s --cpus %d,%d: %s",
			       bench_placement_name(bo->cpus.policy), bo->cpus.client,
			       bo->cpus.server, reason);
	if (bench_cpus_resolve(&bo->cpus))
		return why_err(why, len, -EINVAL,
			       "--cpu split needs two CPUs this process may run on");
	return 0;
}

int measure_check(struct measure_req *r, char *why, size_t len)
{
	int ret;

	if ((ret = check_given(r, why, len)))
		return ret;
	/* Said before a lab is built: the kernel would grant less, and iperf fail after. */
	if (r->bo.stream.window && stream_window_fits(r->bo.stream.window, why, len))
		return -EOPNOTSUPP;
	if ((ret = check_path(r, why, len)) || (ret = check_lab(r, why, len)))
		return ret;
	return check_engine(r, why, len);
}

/* The lab topo up left, and its first task of R's mode. */
static int attach(const struct measure_req *r, struct lab *lab, struct lab_task **task, char *why,
		  size_t len)
{
	int ret = state_load(r->lab_id, lab, NULL);

	if (ret)
		return why_err(why, len, ret, "lab %s: %s", r->lab_id,
			       ret == -ENOENT ? "no such lab (nsbench topo show lists them)"
					      : strerror(-ret));
	for (unsigned int i = 0; i < lab->ntasks && !*task; i++)
		if (lab->tasks[i].mode == r->mode)
			*task = &lab->tasks[i];
	if (!*task)
		return why_err(why, len, -ENOENT, "lab %s has no %s task", r->lab_id,
			       lab_mode_name(r->mode));
	/* Its hostPort answers only the protocols its port mappings name. */
	if ((*task)->host_port && !((*task)->protos & LAB_PROTO_UDP) &&
	    (r->path == PATH_INGRESS || r->path == PATH_LOCAL) && (is_udp(r->test) || r->hot))
		return why_err(
			why, len, -EPROTONOSUPPORT,
			"lab %s: task t%u publishes hostPort %u over tcp only (ECS's default "
			"protocol); UDP needs a udp mapping: topo up %s --port %u/tcp+udp",
			r->lab_id, (*task)->id, (*task)->host_port, lab_mode_name(r->mode),
			(*task)->container_port);
	return 0;
}

/* A lab of its own, with the port over udp too where the test or the probes send UDP. */
static int build(const struct measure_req *r, struct lab *lab, bool *refused, char *why, size_t len)
{
	struct lab_config cfg;
	int ret;

	lab_config_default(&cfg);
	lab_options_config(&r->lab, &cfg);
	cfg.publish_udp = is_udp(r->test) || r->hot || r->per_hop;
	ret = lab_init(lab, &cfg, "measure");
	if (!ret)
		ret = lab_plan_task(lab, r->mode, LAB_DEFAULT_PORT);
	if (ret) {
		/* ECS would refuse it too: nothing was built; the reason stands alone. */
		*refused = true;
		return why_err(why, len, ret, "%s", lab->err);
	}
	ret = lab_up(lab);
	if (ret)
		return why_err(why, len, ret, "lab %s (%s): %s", lab->id, lab_mode_name(r->mode),
			       lab->err);
	return 0;
}

/* One family's measurement of TASK, and its per-hop run after it. */
static int measure_family(const struct measure_req *r, struct lab *lab, struct lab_task *task,
			  enum bench_family f, json_t **res, char *why, size_t len)
{
	struct bench_target target;
	struct bench_opts bo = r->bo;
	char desc[96];
	int ret = path_target_family(lab, task, NULL, r->path, f, &target, why, len);

	if (!ret && r->hot && !r->lab_id)
		return hotpath_probe_family(lab, task, r->path, f, &bo, res, why, len);
	if (!ret && r->hot)
		return why_err(why, len, -EINVAL, "--hot-path needs a lab of its own");
	if (ret)
		return ret;
	testhook_phase("measure:built");
	snprintf(desc, sizeof(desc), "%s %s %s%s", lab_mode_name(r->mode), path_name(r->path),
		 bench_test_name(r->test), f == FAMILY_IPV6 ? " (IPv6)" : "");
	bo.tick_arg = desc;
	ret = bench_run(r->test, &bo, &target, res, why, len);
	notice_progress_end();
	if (!ret && r->per_hop) {
		/* The per-hop run is a measurement of its own: no detail, no progress. */
		struct perhop_opts po;
		json_t *ph = NULL;

		bo.detail = (struct bench_detail){0};
		bo.tick = NULL;
		perhop_opts_default(&po);
		if (r->test == TEST_TCP_RR)
			po.test = TEST_TCP_RR;
		ret = perhop_measure(lab, task, r->path, &bo, &po, &ph, why, len);
		if (!ret)
			json_object_set_new(*res, "per_hop", ph);
	}
	return ret;
}

int measure_run(const struct measure_req *r, json_t **out, bool *refused, char *why, size_t len)
{
	struct lab *lab = calloc(1, sizeof(*lab));
	struct lab_task *task = NULL;
	json_t *all = json_array(), *res = NULL;
	int ret = lab && all ? 0 : -ENOMEM;

	*refused = false;
	if (!ret && r->lab_id)
		ret = attach(r, lab, &task, why, len);
	else if (!ret && !(ret = build(r, lab, refused, why, len)))
		task = &lab->tasks[0];
	/* One measurement per family asked, IPv4 first, on the same lab. */
	for (int f = 0; !ret && f < FAMILY_COUNT; f++) {
		if (!(r->lab.families & (1u << f)))
			continue;
		ret = measure_family(r, lab, task, (enum bench_family)f, &res, why, len);
		if (ret)
			break;
		json_object_set_new(res, "lab", json_string(lab->id));
		json_array_append_new(all, res);
		res = NULL;
	}
	if (ret == -ENOMEM)
		snprintf(why, len, "out of memory");
	if (lab_stop && ret)
		ret = -EINTR;
	json_decref(res);
	if (!r->lab_id && lab)
		lab_down(lab, LAB_TEARDOWN_GROUP);
	lab_free(lab);
	free(lab);
	if (ret) {
		json_decref(all);
		return ret;
	}
	*out = all;
	return 0;
}
