// SPDX-License-Identifier: MIT
/*
 * run's probes of every mode and path, apart from the tests: the hot path
 * (which interfaces a transaction crosses) and the per-hop waterfall.
 */
#include <errno.h>
#include <stdio.h>

#include "harness/common/notice.h"
#include "harness/lab/build.h"
#include "harness/lab/path.h"
#include "harness/measure/hotpath.h"
#include "harness/measure/pathprobe.h"
#include "harness/measure/perhop.h"

void pathprobe_key(char *buf, size_t len, enum lab_mode m, enum lab_path p, enum bench_family f)
{
	snprintf(buf, len, "%s/%s%s", lab_mode_name(m), path_name(p),
		 f == FAMILY_IPV6 ? "/ipv6" : "");
}

/* One probe of a mode's path over a family, stored in OUT (pathprobe_key); false when it failed. */
typedef bool (*path_probe_fn)(const struct run_config *c, struct lab *lab, struct run_leg leg,
			      json_t **doc);

static bool hot_path(const struct run_config *c, struct lab *lab, struct run_leg leg, json_t **doc)
{
	enum lab_mode m = lab->tasks[0].mode;
	enum lab_path p = leg.path;
	char why[512];

	if (hotpath_probe_family(lab, &lab->tasks[0], p, leg.family, &c->bo, doc, why, sizeof(why)))
		*doc = json_pack("{s:s, s:s, s:s, s:b, s:s, s:[]}", "mode", lab_mode_name(m),
				 "path", path_name(p), "family", bench_family_name(leg.family),
				 "ok", 0, "problem", why, "hops");
	if (json_is_true(json_object_get(*doc, "ok")))
		return true;
	notice(NOTICE_ERROR, "mode %s, path %s (%s): hot path: %s", lab_mode_name(m), path_name(p),
	       bench_family_name(leg.family), json_string_value(json_object_get(*doc, "problem")));
	return false;
}

/* Where each mode's round trip goes, hop by hop: its own traced run, apart from the tests. */
static bool per_hop(const struct run_config *c, struct lab *lab, struct run_leg leg, json_t **doc)
{
	enum lab_mode m = lab->tasks[0].mode;
	enum lab_path p = leg.path;
	struct perhop_opts po;
	char why[512];

	perhop_opts_default(&po);
	if (path_udp_broken(lab, &lab->tasks[0], p, NULL, 0))
		po.test = TEST_TCP_RR;
	if (!perhop_measure(lab, &lab->tasks[0], p, &c->bo, &po, doc, why, sizeof(why)))
		return true;
	notice(NOTICE_ERROR, "mode %s, path %s: per-hop: %s", lab_mode_name(m), path_name(p), why);
	*doc = json_pack("{s:s, s:s, s:s}", "mode", lab_mode_name(m), "path", path_name(p), "error",
			 why);
	return false;
}

int matrix_probe_paths(const struct run_config *c, struct lab **labs, bool per_hop_probe,
		       json_t *out, bool *failed)
{
	path_probe_fn fn = per_hop_probe ? per_hop : hot_path;

	for (unsigned int i = 0; i < c->nmodes; i++) {
		enum lab_mode m = c->modes[i];
		struct run_leg legs[RUN_MAX_LEGS];
		unsigned int np = run_config_legs(c, m, legs);

		if (!labs[m])
			continue;
		for (unsigned int k = 0; k < np; k++) {
			json_t *doc = NULL;
			char key[64];

			if (legs[k].path == PATH_INTRA_HOST && labs[m]->ntasks < 2)
				continue;
			/* The probes parse IPv4 headers: the per-hop waterfall is IPv4's. */
			if (per_hop_probe && legs[k].family != FAMILY_IPV4)
				continue;
			if (!fn(c, labs[m], legs[k], &doc))
				*failed = true;
			if (lab_stop) {
				json_decref(doc);
				return -EINTR;
			}
			pathprobe_key(key, sizeof(key), m, legs[k].path, legs[k].family);
			json_object_set_new(out, key, doc);
		}
	}
	return 0;
}
