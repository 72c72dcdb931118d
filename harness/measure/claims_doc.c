// SPDX-License-Identifier: MIT
/*
 * What `nsbench claims --format json` prints: the rows with their figures as
 * fields, and what a reader needs to weigh them: the document's version,
 * nsbench, the host and its kernel, the instance, when, and the performance
 * rounds as measured. results/schema.md documents it.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/common/version.h"
#include "harness/measure/claims.h"
#include "harness/measure/claims_perf.h"
#include "harness/reports/results.h"

/* The performance modes as keys of "performance.modes". */
static const char *const pm_keys[PM_COUNT] = {"host", "bridge", "awsvpc", "awsvpc_security_group"};

/* ONLY's ids as an array, or null when every claim was selected. */
static json_t *only_ids(const char *only)
{
	char buf[1024], *save = NULL, *tok;
	json_t *ids;

	if (!only)
		return json_null();
	ids = json_array();
	snprintf(buf, sizeof(buf), "%s", only);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(ids, json_string(tok));
	return ids;
}

json_t *claims_doc_new(const char *only)
{
	struct lab_config cfg;
	char now[32];

	claims_lab_config(&cfg);
	results_utc_now(now, sizeof(now), false);
	return json_pack("{s:i, s:{s:s, s:s}, s:o, s:{s:s, s:b}, s:o, s:s}", "claims_version",
			 CLAIMS_VERSION, "nsbench", "version", NSBENCH_VERSION, "commit",
			 NSBENCH_COMMIT, "host", results_host(), "instance", "profile",
			 lab_instance_name(cfg.instance), "userland_proxy", cfg.userland_proxy,
			 "only", only_ids(only), "started_utc", now);
}

static json_t *values(const double *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, isfinite(v[i]) ? json_real(v[i]) : json_null());
	return a;
}

/* The rounds as measured: null when no performance claim was selected. */
static json_t *perf_json(const struct claims_ctx *c)
{
	const struct perf *p = &c->perf;
	json_t *o, *modes = json_object(), *others = json_array();

	if (!c->needs) {
		json_decref(modes);
		json_decref(others);
		return json_null();
	}
	for (int m = 0; m < PM_COUNT; m++) {
		json_t *mo;

		if (!(c->needs & NEED(m)))
			continue;
		mo = json_pack("{s:o}", "tcp_rr_p50_us", values(p->p50[m], p->n));
		if (c->thr_needs & NEED(m))
			json_object_set_new(mo, "throughput_bps", values(p->thr[m], p->n));
		json_object_set_new(modes, pm_keys[m], mo);
	}
	for (size_t i = 0; i < p->nothers; i++)
		json_array_append_new(others,
				      json_pack("{s:s, s:I, s:s}", "lab", p->others[i].lab,
						"owner_pid", (json_int_t)p->others[i].owner_pid,
						"kind", p->others[i].kind));
	o = json_pack("{s:b, s:i, s:f, s:i, s:i, s:f, s:o, s:{s:f, s:f, s:i, s:o}}", "emulated",
		      p->emulated, "rounds", p->n, "seconds", p->seconds, "max_rounds",
		      PERF_MAX_ROUNDS, "max_seconds", PERF_MAX_SECONDS, "alpha", p->alpha, "modes",
		      modes, "noise", "steal_max_pct", p->steal_max, "outside_max_pct",
		      p->outside_max, "noisy_rounds", p->noisy, "other_nsbench", others);
	json_object_set_new(o, "error", p->err ? json_string(p->why) : json_null());
	return o;
}

void claims_doc_finish(json_t *doc, const struct claims_ctx *c, json_t *rows)
{
	json_t *counts = json_pack("{s:i, s:i, s:i, s:i}", "holds", 0, "does not hold", 0,
				   "cannot check", 0, "inconclusive", 0);
	json_t *row;
	char now[32];
	size_t i;

	json_array_foreach(rows, i, row) {
		const char *v = json_string_value(json_object_get(row, "verdict"));
		json_t *n = json_object_get(counts, v);

		json_integer_set(n, json_integer_value(n) + 1);
	}
	results_utc_now(now, sizeof(now), false);
	json_object_set_new(doc, "finished_utc", json_string(now));
	json_object_set_new(doc, "verdicts", counts);
	json_object_set_new(doc, "performance", perf_json(c));
	json_object_set_new(doc, "claims", rows);
}
