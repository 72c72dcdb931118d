/* SPDX-License-Identifier: MIT */
/* Labs for the integration tests: made, checked up, and removed without a trace. */
#ifndef NSB_LABTEST_H
#define NSB_LABTEST_H

#include "testlib.h"
#include <time.h>

#include "bench/hopprobe.h"
#include "harness/lab/lab.h"
#include "harness/measure/hotpath.h"

/* Planned, not built, on instance profile INST (the proxy as its default): add tasks, then
 * lab_up(). */
static inline struct lab *tl_lab_new_as(unsigned int max_enis, enum lab_instance inst)
{
	struct lab *lab = calloc(1, sizeof(*lab));
	struct lab_config cfg;

	assert_non_null(lab);
	lab_config_default(&cfg);
	cfg.max_enis = max_enis;
	cfg.instance = inst;
	cfg.userland_proxy = inst != INSTANCE_BARE;
	/* The tests' probes are udp_rr: bridge tasks map their port over udp too. */
	cfg.publish_udp = true;
	assert_int_equal(lab_init(lab, &cfg, "test"), 0);
	return lab;
}

/* The same on the default instance (al2023, Docker's proxy on). */
static inline struct lab *tl_lab_new(unsigned int max_enis)
{
	return tl_lab_new_as(max_enis, INSTANCE_AL2023);
}

/* Built on profile INST, with one task of MODE on port 5201. */
static inline struct lab *tl_lab_with_as(enum lab_mode mode, enum lab_instance inst)
{
	struct lab *lab = tl_lab_new_as(0, inst);

	assert_int_equal(lab_plan_task(lab, mode, 5201), 0);
	if (lab_up(lab))
		print_error("lab_up: %s\n", lab->err);
	assert_true(lab->up);
	return lab;
}

/* Built, with one task of MODE on port 5201, on the default instance. */
static inline struct lab *tl_lab_with(enum lab_mode mode)
{
	struct lab *lab = tl_lab_new(0);

	assert_int_equal(lab_plan_task(lab, mode, 5201), 0);
	if (lab_up(lab))
		print_error("lab_up: %s\n", lab->err);
	assert_true(lab->up);
	return lab;
}

/* Torn down (which must succeed), freed, and nothing of it left. */
static inline void tl_lab_done(struct lab *lab)
{
	char id[LAB_ID_LEN + 1];

	memcpy(id, lab->id, sizeof(id));
	assert_int_equal(lab_down(lab, LAB_TEARDOWN_GROUP), 0);
	lab_free(lab);
	free(lab);
	assert_int_equal(tl_leftovers(id), 0);
}

/* nsbench's BPF probes still loaded, after up to 2 s for the kernel to free released ones. */
static inline int tl_probes_settled(void)
{
	struct timespec ts = {0, 20 * 1000 * 1000};
	int n = hopprobe_loaded();

	for (int i = 0; i < 100 && n > 0; i++) {
		nanosleep(&ts, NULL);
		n = hopprobe_loaded();
	}
	return n;
}

/* The hot-path probe of the lab's first task on path P, which must succeed. */
static inline json_t *tl_hot_path(struct lab *lab, enum lab_path p)
{
	struct bench_opts bo;
	json_t *hp = NULL;
	char why[512];
	int ret;

	bench_opts_default(&bo);
	assert_int_equal(bench_cpus_resolve(&bo.cpus), 0);
	ret = hotpath_probe(lab, &lab->tasks[0], p, &bo, &hp, why, sizeof(why));
	if (ret)
		print_error("%s\n", why);
	assert_int_equal(ret, 0);
	return hp;
}

/* Packets a hot path's port-mapping rules named COMMENT counted (Docker's or the lab's own). */
static inline long long tl_rule_packets(json_t *hp, const char *comment)
{
	json_t *r;
	size_t i;
	long long n = 0;

	json_array_foreach(json_object_get(hp, "nft"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "comment")), comment))
			n += json_integer_value(json_object_get(r, "packets"));
	return n;
}

#endif
