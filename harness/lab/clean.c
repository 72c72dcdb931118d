// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench/hopprobe.h"
#include "harness/common/notice.h"
#include "harness/lab/clean.h"
#include "harness/lab/engine.h"
#include "harness/lab/lab.h"
#include "harness/lab/state.h"
#include "netns/netns.h"

int clean_lab(const char *id, bool force, enum lab_teardown how)
{
	struct lab lab;
	json_t *doc = NULL;
	int ret;

	ret = state_load(id, &lab, &doc);
	if (ret == -EBADMSG) {
		/* Unreadable: the naming rule still finds its namespaces. */
		memset(&lab, 0, sizeof(lab));
		snprintf(lab.id, sizeof(lab.id), "%s", id);
		snprintf(lab.ns_vpc, sizeof(lab.ns_vpc), "nsb-%s-vpc", id);
		snprintf(lab.ns_inst, sizeof(lab.ns_inst), "nsb-%s-inst", id);
		lab.state_written = true;
	} else if (ret) {
		return ret;
	}
	if (doc && !force && state_owner_alive(doc)) {
		json_decref(doc);
		return -EBUSY;
	}
	json_decref(doc);
	/* calibrate's dockerd first, while its namespace still stands: containers, then it. */
	if (engine_present(id))
		engine_remove(id);
	if (how == LAB_TEARDOWN_LINKS)
		lab_attach(&lab);
	ret = lab_down(&lab, how);
	lab_free(&lab);
	return ret;
}

static bool id_listed(char (*ids)[LAB_ID_LEN + 1], size_t n, const char *ns)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(ns + 4, ids[i], LAB_ID_LEN) == 0 && ns[4 + LAB_ID_LEN] == '-')
			return true;
	return false;
}

/*
 * A killed explain leaves its probes attached to tc hooks in its namespaces;
 * deleting those is what detaches them, and the kernel frees them a little
 * later. Nothing else holds them: nothing is pinned in bpffs.
 */
static void wait_probes_gone(struct clean_report *r)
{
	struct timespec ts = {0, 20 * 1000 * 1000};

	r->probes_left = hopprobe_loaded();
	for (int i = 0; i < 100 && r->probes_left > 0 && !r->labs_skipped; i++) {
		nanosleep(&ts, NULL);
		r->probes_left = hopprobe_loaded();
	}
}

int clean_all(const char *kind, struct clean_report *r)
{
	char ids[STATE_MAX_LABS][LAB_ID_LEN + 1];
	char names[512][64];
	size_t n = 0, nn = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = state_list(ids, STATE_MAX_LABS, &n);
	if (ret)
		return ret;
	if (n > STATE_MAX_LABS)
		n = STATE_MAX_LABS;
	for (size_t i = 0; i < n; i++) {
		json_t *doc = NULL;
		struct lab lab;

		if (state_load(ids[i], &lab, &doc) == 0) {
			const char *k = json_string_value(json_object_get(doc, "kind"));
			bool match = !kind || (k && strcmp(k, kind) == 0);
			/* Kept by topo up on purpose: topo down removes it, clean leaves it. */
			bool kept = !kind && json_is_true(json_object_get(doc, "kept")) &&
				    !state_owner_alive(doc);

			json_decref(doc);
			lab_free(&lab);
			if (kept) {
				r->labs_kept++;
				notice(NOTICE_INFO, "lab %s: kept by topo up, left alone", ids[i]);
			}
			if (!match || kept)
				continue;
		}
		ret = clean_lab(ids[i], false, LAB_TEARDOWN_GROUP);
		if (ret == -EBUSY) {
			r->labs_skipped++;
			notice(NOTICE_INFO, "lab %s: owned by a running nsbench, left alone",
			       ids[i]);
		} else if (ret && ret != -ENOENT) {
			r->errors++;
			notice(NOTICE_ERROR, "lab %s: %s", ids[i], strerror(-ret));
		} else {
			r->labs_removed++;
			notice(NOTICE_INFO, "lab %s: removed", ids[i]);
		}
	}
	if (kind)
		return 0;
	wait_probes_gone(r);

	/* Namespaces of ours that no state file describes: a run killed early. */
	state_list(ids, STATE_MAX_LABS, &n);
	if (n > STATE_MAX_LABS)
		n = STATE_MAX_LABS;
	/* A Docker engine whose lab's state file is gone (made after it: a crash's). */
	{
		char eids[64][16];
		size_t ne = engine_list(eids, 64);

		for (size_t i = 0; i < ne; i++) {
			char ns[64];

			snprintf(ns, sizeof(ns), "nsb-%s-inst", eids[i]);
			if (id_listed(ids, n, ns))
				continue;
			ret = engine_remove(eids[i]);
			if (ret) {
				r->errors++;
				notice(NOTICE_ERROR, "the Docker engine of lab %s: %s", eids[i],
				       strerror(-ret));
			} else {
				notice(NOTICE_INFO, "the Docker engine of lab %s: removed",
				       eids[i]);
			}
		}
	}
	ret = netns_list("nsb-", names, 512, &nn);
	if (ret)
		return ret;
	if (nn > 512)
		nn = 512;
	for (size_t i = 0; i < nn; i++) {
		if (id_listed(ids, n, names[i]))
			continue;
		if (netns_kill_all(names[i]) == -ETIMEDOUT)
			notice(NOTICE_WARNING,
			       "processes in namespace %s did not exit after SIGKILL", names[i]);
		ret = netns_delete(names[i]);
		if (ret) {
			r->errors++;
			notice(NOTICE_ERROR, "namespace %s: %s", names[i], strerror(-ret));
		} else {
			r->orphan_ns_removed++;
			notice(NOTICE_INFO, "namespace %s: removed (no state file)", names[i]);
		}
	}
	if (nn)
		wait_probes_gone(r);
	return 0;
}

size_t clean_count_crashed(size_t *kept)
{
	char ids[STATE_MAX_LABS][LAB_ID_LEN + 1], path[64], prefix[16];
	char names[512][64];
	size_t n = 0, nn = 0, left;

	*kept = 0;
	state_list(ids, STATE_MAX_LABS, &n);
	netns_list("nsb-", names, 512, &nn);
	if (n > STATE_MAX_LABS)
		n = STATE_MAX_LABS;
	if (nn > 512)
		nn = 512;
	left = n + nn;
	for (size_t i = 0; i < n; i++) {
		json_t *doc;

		snprintf(path, sizeof(path), "%s/%.*s.json", STATE_DIR, LAB_ID_LEN, ids[i]);
		doc = json_load_file(path, 0, NULL);
		if (json_is_true(json_object_get(doc, "kept")) && !state_owner_alive(doc)) {
			(*kept)++;
			left--;
			snprintf(prefix, sizeof(prefix), "nsb-%.*s-", LAB_ID_LEN, ids[i]);
			for (size_t k = 0; k < nn; k++)
				left -= !strncmp(names[k], prefix, strlen(prefix));
		}
		json_decref(doc);
	}
	return left;
}

size_t clean_count_leftovers(void)
{
	char ids[STATE_MAX_LABS][LAB_ID_LEN + 1];
	char names[512][64];
	size_t n = 0, nn = 0;

	char eids[64][16];

	state_list(ids, STATE_MAX_LABS, &n);
	netns_list("nsb-", names, 512, &nn);
	/* And calibrate's Docker engines: their directories under STATE_DIR. */
	return n + nn + engine_list(eids, 64);
}
