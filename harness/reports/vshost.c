// SPDX-License-Identifier: MIT
/*
 * Each mode against host mode in the same run, paired by repetition: ratios
 * with their intervals, differences in the metric's unit beside them, and
 * the pairs of modes that show no difference. verdict.c decides.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/reports/results.h"
#include "harness/reports/verdict.h"
#include "harness/reports/vshost.h"

#define MAX_PAIRS 256

const struct vshost_metric vshost_metrics[] = {
	{"throughput_bps", "Gbit/s", 1e-9, false, true, true, false},
	{"cpu_s_per_gb", "s/GB", 1, false, true, false, false},
	{"p50_us", "us", 1, true, true, false, false},
	{"p99_us", "us", 1, true, true, false, false},
	{"tps", "us/trans", 1, true, true, true, true},
	{"cpu_us_per_trans", "us", 1, true, true, false, false},
	{"lost_percent", "pp", 1, false, false, false, false},
};
const size_t vshost_nmetrics = sizeof(vshost_metrics) / sizeof(vshost_metrics[0]);

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k)) ?: "";
}

json_t *vshost_reference(json_t *doc, json_t *entry)
{
	json_t *h, *best = NULL;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, h) {
		if (strcmp(str(h, "mode"), "host") || strcmp(str(h, "test"), str(entry, "test")) ||
		    strcmp(results_entry_family(h), results_entry_family(entry)) ||
		    results_entry_ntasks(h) != results_entry_ntasks(entry))
			continue;
		/* The same path; none mode's loopback against host's first. */
		if (!best || !strcmp(str(h, "path"), str(entry, "path")))
			best = h;
		if (!strcmp(str(h, "path"), str(entry, "path")))
			break;
	}
	return best;
}

static bool metric_applies(const struct vshost_metric *m, json_t *entry)
{
	const char *t = str(entry, "test");
	bool rr = strstr(t, "_rr") || strstr(t, "_crr");

	if (!strcmp(m->key, "lost_percent"))
		return !strcmp(t, "udp");
	if (!strcmp(t, "udp"))
		return false; /* at a fixed offered rate its throughput says nothing */
	return m->rr == rr;
}

/*
 * The value of METRIC in the repetition numbered REP of ENTRY; false when it
 * has none. Under duet host has a repetition beside each mode per round
 * ("partner"): the one beside PARTNER, when given.
 */
static bool rep_value(json_t *entry, json_int_t rep, const char *metric, const char *partner,
		      double *v)
{
	json_t *r, *x, *p;
	size_t i;

	json_array_foreach(json_object_get(entry, "reps"), i, r) {
		if (json_integer_value(json_object_get(r, "rep")) != rep)
			continue;
		p = json_object_get(r, "partner");
		if (partner && p && strcmp(json_string_value(p) ?: "", partner))
			continue;
		x = json_object_get(json_object_get(r, "metrics"), metric);
		if (!json_is_number(x))
			return false;
		*v = json_number_value(x);
		return true;
	}
	return false;
}

/*
 * METRIC of A and B in the repetitions both measured, in B's order. When A is
 * host, under duet, its repetition beside B's mode.
 */
static size_t pairs_of(json_t *a, json_t *b, const struct vshost_metric *m, double *va, double *vb)
{
	const char *mode = strcmp(str(a, "mode"), "host") ? NULL : str(b, "mode");
	json_t *r;
	size_t i, n = 0;

	json_array_foreach(json_object_get(b, "reps"), i, r) {
		json_int_t rep = json_integer_value(json_object_get(r, "rep"));

		if (n < MAX_PAIRS && rep_value(a, rep, m->key, mode, &va[n]) &&
		    rep_value(b, rep, m->key, NULL, &vb[n]))
			n++;
	}
	return n;
}

static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/*
 * B against A on metric M as fields (ratio and interval, difference and
 * interval, n); *E the ratio's effect for the decision, *OK whether it has one.
 */
static json_t *effect_fields(json_t *a, json_t *b, const struct vshost_metric *m, struct effect *e,
			     bool *ok)
{
	double va[MAX_PAIRS], vb[MAX_PAIRS], lo, hi;
	size_t n = pairs_of(a, b, m, va, vb);
	struct effect d;
	json_t *f;

	*ok = false;
	if (n == 0)
		return NULL;
	f = json_pack("{s:i, s:s}", "n", (int)n, "unit", m->unit);
	if (m->ratio && !effect_paired(va, vb, n, e)) {
		effect_interval(e, VERDICT_ALPHA, &lo, &hi);
		json_object_set_new(f, "ratio", jnum(effect_ratio(e)));
		json_object_set_new(f, "ci95_low", jnum(lo));
		json_object_set_new(f, "ci95_high", jnum(hi));
		json_object_set_new(f, "p_value", jnum(e->p));
		*ok = true;
	} else if (m->ratio && n == 1 && va[0] > 0 && vb[0] > 0) {
		/* One repetition: a ratio, but no interval and no verdict. */
		json_object_set_new(f, "ratio", jnum(vb[0] / va[0]));
	}
	for (size_t i = 0; i < n; i++) {
		if (m->invert) {
			va[i] = va[i] > 0 ? 1e6 / va[i] : NAN;
			vb[i] = vb[i] > 0 ? 1e6 / vb[i] : NAN;
		}
		va[i] *= m->scale;
		vb[i] *= m->scale;
	}
	if (!effect_paired_difference(va, vb, n, &d)) {
		effect_difference_interval(&d, VERDICT_ALPHA, &lo, &hi);
		json_object_set_new(f, "diff", jnum(d.d));
		json_object_set_new(f, "diff_low", jnum(lo));
		json_object_set_new(f, "diff_high", jnum(hi));
	} else if (n == 1 && isfinite(vb[0] - va[0])) {
		json_object_set_new(f, "diff", jnum(vb[0] - va[0]));
	}
	if (n < 2)
		json_object_set_new(f, "verdict", json_string("inconclusive"));
	return f;
}

/* A ratio to decide, with where its verdict goes. */
struct pending {
	struct effect e;
	json_t *f;
	bool higher_better;
};

struct family {
	struct pending *p;
	size_t n, cap;
};

static void family_add(struct family *fam, json_t *f, const struct effect *e, bool higher_better)
{
	if (fam->n == fam->cap) {
		size_t cap = fam->cap ? 2 * fam->cap : 64;
		struct pending *p = realloc(fam->p, cap * sizeof(*p));

		if (!p)
			return;
		fam->p = p;
		fam->cap = cap;
	}
	fam->p[fam->n++] = (struct pending){*e, f, higher_better};
}

/*
 * Every ratio of the family at once: BH over their p-values, then each
 * verdict. BEYOND: a difference counts only where its interval lies wholly
 * beyond the margin, and is not settled where it reaches inside it (two
 * modes' pair: below).
 */
static void family_decide(struct family *fam, double margin_pct, bool beyond)
{
	double *p = calloc(fam->n + 1, sizeof(*p));
	bool *rej = calloc(fam->n + 1, sizeof(*rej));

	if (p && rej) {
		for (size_t i = 0; i < fam->n; i++)
			p[i] = fam->p[i].e.p;
		verdict_bh(p, fam->n, VERDICT_ALPHA, rej, NULL);
		for (size_t i = 0; i < fam->n; i++) {
			enum verdict v = verdict_decide(&fam->p[i].e, VERDICT_ALPHA, margin_pct,
							fam->p[i].higher_better, rej[i]);
			double lo, hi;

			if (beyond && (v == VERDICT_FASTER || v == VERDICT_SLOWER)) {
				effect_interval(&fam->p[i].e, VERDICT_ALPHA, &lo, &hi);
				if (!verdict_beyond_margin(lo, hi, margin_pct))
					v = VERDICT_INCONCLUSIVE;
			}

			json_object_set_new(fam->p[i].f, "verdict", json_string(verdict_name(v)));
		}
	}
	free(p);
	free(rej);
	free(fam->p);
	fam->p = NULL;
	fam->n = fam->cap = 0;
}

/* B against A on every metric that applies, into an object of fields (ratios pending in FAM). */
static json_t *against(json_t *a, json_t *b, struct family *fam)
{
	json_t *metrics = json_object();

	for (size_t k = 0; k < vshost_nmetrics; k++) {
		const struct vshost_metric *m = &vshost_metrics[k];
		struct effect e;
		bool ok;
		json_t *f;

		if (!metric_applies(m, b))
			continue;
		f = effect_fields(a, b, m, &e, &ok);
		if (!f)
			continue;
		if (ok)
			family_add(fam, f, &e, m->higher_better);
		else if (!m->ratio)
			json_object_set_new(f, "verdict", json_string("descriptive"));
		json_object_set_new(metrics, m->key, f);
	}
	return metrics;
}

/*
 * Every pair of non-host modes measured on the same path, family and task
 * count: B against A on every ratio, one row per pair in ALIKE ("metrics" per
 * test and metric), decided at MARGIN_PCT. Each pair's ratios are a family of
 * their own: the pair's verdict asks whether those two modes differ at all,
 * and another pair's real differences (awsvpc against bridge) must not lower
 * the bar for it, as one family over every pair would (BH's bar rises with
 * the discoveries). And two modes differ on a metric only beyond the margin:
 * each mode has a lab of its own, built once per run, and two labs of one
 * data path differ by a few percent from one build to the next, consistently
 * within the run (bridge-dynamic against bridge, CRR CPU per transaction:
 * 0.966 [0.946, 0.986] in one run, 1.037 [1.018, 1.056] in another), which
 * the repetitions of one run cannot tell from the modes
 * (doc/measurements/2026-12-07-order.md).
 */
static void pairs_of_modes(json_t *doc, json_t *alike, double margin_pct)
{
	json_t *modes = json_object_get(json_object_get(doc, "config"), "modes"), *ma, *mb, *e;
	size_t i, j, k;

	json_array_foreach(modes, i, ma)
		json_array_foreach(modes, j, mb) {
			const char *a = json_string_value(ma), *b = json_string_value(mb);
			struct family fam = {0};
			json_t *rows;

			if (j <= i || !a || !b || !strcmp(a, "host") || !strcmp(b, "host"))
				continue;
			rows = json_object();
			json_array_foreach(json_object_get(doc, "results"), k, e) {
				json_t *other, *m;
				char key[160];

				if (strcmp(str(e, "mode"), a) ||
				    !(other = results_find(doc, b, str(e, "path"), str(e, "test"),
							   results_entry_ntasks(e),
							   results_entry_family(e))))
					continue;
				m = against(e, other, &fam);
				if (!json_object_size(m)) {
					json_decref(m);
					continue;
				}
				snprintf(key, sizeof(key), "%s/%s/%s/%u", str(e, "path"),
					 results_entry_family(e), str(e, "test"),
					 results_entry_ntasks(e));
				json_object_set_new(rows, key, m);
			}
			family_decide(&fam, margin_pct, true);
			if (json_object_size(rows))
				json_array_append_new(alike, json_pack("{s:s, s:s, s:o}", "a", a,
								       "b", b, "tests", rows));
			else
				json_decref(rows);
		}
}

const char *vshost_alike_on(json_t *row, const char *path, const char *family, unsigned int tasks)
{
	json_t *t, *f;
	const char *tk, *mk;
	char key[160];
	size_t all = 0, same = 0, differ = 0;
	bool here = false;

	snprintf(key, sizeof(key), "%s/%s/", path ?: "", family ?: "");
	json_object_foreach(json_object_get(row, "tests"), tk, t) {
		const char *slash = strrchr(tk, '/');

		if (path && (strncmp(tk, key, strlen(key)) || !slash ||
			     (unsigned int)strtoul(slash + 1, NULL, 10) != tasks))
			continue;
		here = true;
		json_object_foreach(t, mk, f) {
			const char *v = str(f, "verdict");

			if (!json_object_get(f, "ci95_low"))
				continue;
			all++;
			same += !strcmp(v, "unchanged");
			differ += !strcmp(v, "faster") || !strcmp(v, "slower");
		}
	}
	if (!here)
		return NULL;
	return all && same == all ? "unchanged" : differ ? "different" : "inconclusive";
}

/* Each pair's verdict over every test it was measured in. */
static void alike_verdicts(json_t *alike)
{
	json_t *row;
	size_t i;

	json_array_foreach(alike, i, row)
		json_object_set_new(
			row, "verdict",
			json_string(vshost_alike_on(row, NULL, NULL, 0) ?: "inconclusive"));
}

void vshost_annotate(json_t *doc, double margin_pct)
{
	struct family fam = {0};
	json_t *e, *alike = json_array();
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		json_t *h;

		json_object_del(e, "vs_host");
		if (!strcmp(str(e, "mode"), "host") || !(h = vshost_reference(doc, e)))
			continue;
		json_object_set_new(e, "vs_host",
				    json_pack("{s:s, s:s, s:o}", "mode", "host", "path",
					      str(h, "path"), "metrics", against(h, e, &fam)));
	}
	family_decide(&fam, margin_pct, false);
	/* Whether two modes differ asks another question: families of their own. */
	pairs_of_modes(doc, alike, margin_pct);
	alike_verdicts(alike);
	json_object_set_new(doc, "alike", alike);
	json_object_set_new(doc, "vs_host_method",
			    json_pack("{s:s, s:f, s:f, s:s}", "pairing", "repetition", "confidence",
				      1 - VERDICT_ALPHA, "margin_pct", margin_pct, "multiplicity",
				      "benjamini-hochberg"));
}
