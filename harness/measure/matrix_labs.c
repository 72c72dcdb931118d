// SPDX-License-Identifier: MIT
/*
 * The labs of nsbench run: one per mode with N tasks, planned as ECS would
 * place them, built, the wire shaped where asked, and removed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/common/notice.h"
#include "harness/lab/build.h"
#include "harness/lab/mode.h"
#include "harness/measure/matrix_labs.h"
#include "netns/rt.h"

/* Ports of N tasks: one task definition (same port) where ECS allows it, distinct where not. */
static uint16_t task_port(enum lab_mode m, unsigned int i)
{
	return mode_static_port(m) ? (uint16_t)(LAB_DEFAULT_PORT + i) : LAB_DEFAULT_PORT;
}

int matrix_labs_plan(const struct run_config *c, enum lab_mode m, unsigned int n, struct lab *lab)
{
	bool intra = false;
	unsigned int want;
	struct lab_config cfg;
	int ret;

	for (unsigned int i = 0; i < c->npaths; i++)
		intra |= c->paths[i] == PATH_INTRA_HOST;
	want = n + (intra && n == 1 && mode_reachable(m));
	lab_config_default(&cfg);
	cfg.max_enis = c->max_enis;
	cfg.security_group = c->security_group && mode_own_eni(m);
	lab_config_vpc(&cfg, &c->vpc);
	cfg.instance = c->instance;
	cfg.userland_proxy = c->userland_proxy;
	cfg.dual_stack = c->families & (1u << FAMILY_IPV6);
	/* A udp mapping beside the tcp one where a UDP test or the UDP probes need it. */
	cfg.publish_udp = c->hot_path || c->per_hop;
	for (unsigned int i = 0; i < c->ntests; i++)
		cfg.publish_udp |= c->tests[i] == TEST_UDP || c->tests[i] == TEST_UDP_RR;
	ret = lab_init(lab, &cfg, "run");
	for (unsigned int k = 0; !ret && k < want; k++)
		ret = lab_plan_task(lab, m, task_port(m, k));
	return ret;
}

int matrix_labs_build(const struct run_config *c, unsigned int n, struct lab **labs, json_t *doc,
		      char *why, size_t len)
{
	for (unsigned int i = 0; i < c->nmodes; i++) {
		enum lab_mode m = c->modes[i];
		struct lab *lab = calloc(1, sizeof(*lab));
		int ret = 0;

		if (!lab)
			return -ENOMEM;
		labs[m] = lab;
		ret = matrix_labs_plan(c, m, n, lab);
		if (ret) {
			/* ECS would refuse it too: the ENI limit is where awsvpc stops. */
			json_array_append_new(json_object_get(doc, "density_limits"),
					      json_pack("{s:s, s:i, s:s}", "mode", lab_mode_name(m),
							"tasks", (int)n, "refused", lab->err));
			notice(NOTICE_WARNING, "mode %s, %u tasks: %s", lab_mode_name(m), n,
			       lab->err);
			free(lab);
			labs[m] = NULL;
			continue;
		}
		ret = lab_up(lab);
		if (ret) {
			if (ret == -EINTR) {
				snprintf(why, len, "interrupted");
				return ret;
			}
			json_array_append_new(json_object_get(doc, "errors"),
					      json_pack("{s:s, s:s}", "mode", lab_mode_name(m),
							"error", lab->err));
			notice(NOTICE_ERROR, "mode %s unavailable: %s", lab_mode_name(m), lab->err);
			lab_free(lab);
			free(lab);
			labs[m] = NULL;
			continue;
		}
		json_array_append_new(json_object_get(doc, "density"),
				      json_pack("{s:s, s:i, s:f, s:f}", "mode", lab_mode_name(m),
						"tasks", (int)n, "setup_ms", lab->build_ms,
						"setup_ms_per_task", lab->build_ms / n));
		if (c->shape_bps) {
			struct rt *rt = NULL;

			ret = rt_open(&rt, lab->ns_vpc);
			if (!ret)
				ret = rt_tbf_add(rt, mode_wire_ifname(), c->shape_bps);
			if (ret) {
				snprintf(why, len, "shaping %s in %s: %s%s%s", mode_wire_ifname(),
					 lab->ns_vpc, strerror(-ret), *rt_ext_msg(rt) ? ": " : "",
					 rt_ext_msg(rt));
				rt_close(rt);
				return ret;
			}
			rt_close(rt);
		}
	}
	return 0;
}

void matrix_labs_teardown(struct lab **labs)
{
	for (int m = 0; m < MODE_COUNT; m++) {
		if (!labs[m])
			continue;
		lab_down(labs[m], LAB_TEARDOWN_GROUP);
		lab_free(labs[m]);
		free(labs[m]);
		labs[m] = NULL;
	}
}
