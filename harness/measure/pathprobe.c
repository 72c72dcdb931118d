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

/* One probe of a mode's path, stored under "mode/path" in OUT; false when it failed. */
typedef bool (*path_probe_fn)(const struct run_config *c, struct lab *lab, enum lab_path p,
			      json_t **doc);

static bool hot_path(const struct run_config *c, struct lab *lab, enum lab_path p, json_t **doc)
{
	enum lab_mode m = lab->tasks[0].mode;
	char why[512];

	if (hotpath_probe(lab, &lab->tasks[0], p, &c->bo, doc, why, sizeof(why)))
		*doc = json_pack("{s:s, s:s, s:b, s:s, s:[]}", "mode", lab_mode_name(m), "path",
				 path_name(p), "ok", 0, "problem", why, "hops");
	if (json_is_true(json_object_get(*doc, "ok")))
		return true;
	notice(NOTICE_ERROR, "mode %s, path %s: hot path: %s", lab_mode_name(m), path_name(p),
	       json_string_value(json_object_get(*doc, "problem")));
	return false;
}

/* Where each mode's round trip goes, hop by hop: its own traced run, apart from the tests. */
static bool per_hop(const struct run_config *c, struct lab *lab, enum lab_path p, json_t **doc)
{
	enum lab_mode m = lab->tasks[0].mode;
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
		enum lab_path paths[PATH_COUNT];
		unsigned int np = run_config_paths(c, m, paths);

		if (!labs[m])
			continue;
		for (unsigned int k = 0; k < np; k++) {
			json_t *doc = NULL;
			char key[64];

			if (paths[k] == PATH_INTRA_HOST && labs[m]->ntasks < 2)
				continue;
			if (!fn(c, labs[m], paths[k], &doc))
				*failed = true;
			if (lab_stop) {
				json_decref(doc);
				return -EINTR;
			}
			snprintf(key, sizeof(key), "%s/%s", lab_mode_name(m), path_name(paths[k]));
			json_object_set_new(out, key, doc);
		}
	}
	return 0;
}
