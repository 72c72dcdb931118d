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
#include "harness/measure/claims_ctx.h"
#include "harness/measure/claims_doc.h"
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

json_t *claims_doc_new(const struct claims_opts *o, const char *only)
{
	struct lab_config cfg;
	char now[32];

	claims_lab_config(o, &cfg);
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

/*
 * How the rounds were scheduled: its name, the modes of each round in the
 * order measured, and under duet the CPUs and host's CPU in each round, as
 * read back from its server (the CPUs swap every round).
 */
static json_t *schedule_json(const struct claims_ctx *c)
{
	const struct perf *p = &c->perf;
	json_t *o = json_pack("{s:s}", "name", schedule_name(p->schedule)), *order = json_array();

	for (int r = 0; r < p->n; r++) {
		json_t *a = json_array();

		for (unsigned int k = 0; k < p->norder && k < PM_COUNT; k++)
			json_array_append_new(a, json_string(pm_keys[p->order[r][k]]));
		json_array_append_new(order, a);
	}
	json_object_set_new(o, "order", order);
	if (p->schedule == SCHED_RANDOM)
		json_object_set_new(o, "seed", json_integer(p->seed));
	if (p->schedule == SCHED_DUET) {
		json_t *hc = json_array();

		for (int r = 0; r < p->n; r++)
			json_array_append_new(hc, json_integer(p->host_cpu[r]));
		json_object_set_new(o, "cpus",
				    json_pack("[i, i]", p->duet_cpus[0], p->duet_cpus[1]));
		json_object_set_new(o, "host_cpu", hc);
	}
	return o;
}

/* The rounds as measured: null when no performance claim was selected. */
static json_t *perf_json(const struct claims_ctx *c)
{
	const struct perf *p = &c->perf;
	json_t *o, *modes = json_object(), *others = json_array();
	int ref = 0; /* interleave's reference: the first mode measured */

	if (!c->needs) {
		json_decref(modes);
		json_decref(others);
		return json_null();
	}
	while (ref < PM_COUNT - 1 && !(c->needs & NEED(ref)))
		ref++;
	for (int m = 0; m < PM_COUNT; m++) {
		json_t *mo;

		if (!(c->needs & NEED(m)))
			continue;
		mo = json_pack("{s:o}", "tcp_rr_p50_us", values(p->p50[m], p->n));
		if (c->thr_needs & NEED(m))
			json_object_set_new(mo, "throughput_bps", values(p->thr[m], p->n));
		/*
		 * Under duet host's figures measured at the same time as this mode's;
		 * under interleave the reference's (host's, or the first mode's where
		 * host is not measured) from the turns it took with this mode.
		 */
		if ((p->schedule == SCHED_DUET && m != PM_HOST) ||
		    (p->schedule == SCHED_INTERLEAVE && m != ref)) {
			json_object_set_new(mo, "host_tcp_rr_p50_us", values(p->host_p50[m], p->n));
			if (c->thr_needs & NEED(m))
				json_object_set_new(mo, "host_throughput_bps",
						    values(p->host_thr[m], p->n));
		}
		json_object_set_new(modes, pm_keys[m], mo);
	}
	for (size_t i = 0; i < p->nothers; i++)
		json_array_append_new(others,
				      json_pack("{s:s, s:I, s:s}", "lab", p->others[i].lab,
						"owner_pid", (json_int_t)p->others[i].owner_pid,
						"kind", p->others[i].kind));
	o = json_pack("{s:b, s:i, s:f, s:i, s:i, s:f, s:o, s:{s:f, s:f, s:f, s:i, s:o}}",
		      "emulated", p->emulated, "rounds", p->n, "seconds", p->seconds, "max_rounds",
		      PERF_MAX_ROUNDS, "max_seconds", p->max_seconds, "alpha", p->alpha, "modes",
		      modes, "noise", "steal_max_pct", p->steal_max, "outside_max_pct",
		      p->outside_max, "net_max_pct", p->net_max, "noisy_rounds", p->noisy,
		      "other_nsbench", others);
	json_object_set_new(o, "error", p->err ? json_string(p->why) : json_null());
	json_object_set_new(o, "schedule", schedule_json(c));
	json_object_set_new(o, "stream_window_bytes", json_integer(p->window));
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
