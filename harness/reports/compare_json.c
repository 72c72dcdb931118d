// SPDX-License-Identifier: MIT
/*
 * compare --format json: the rows compare.c decided and the gate's outcome as
 * one JSON document (results/schema.md, "compare --format json"). The same
 * figures as the text, CSV and Markdown tables, as fields.
 */
#include <string.h>

#include "harness/reports/compare.h"
#include "harness/reports/gate.h"
#include "harness/reports/results.h"
#include "harness/reports/verdict.h"

#define COMPARE_JSON_VERSION 1

/* "A", "B", ...: how the tables name file K. */
static json_t *letter(size_t k)
{
	char c = (char)('A' + k);

	return json_stringn(&c, 1);
}

/* Copies KEY from SRC to DST when SRC has it. */
static void copy_key(json_t *dst, json_t *src, const char *key)
{
	json_t *v = json_object_get(src, key);

	if (v)
		json_object_set(dst, key, v);
}

static json_t *file_cell(json_t *fl, size_t k)
{
	json_t *c = json_pack("{s:o}", "file", letter(k));
	json_t *v = json_object_get(fl, "gmean") ?: json_object_get(fl, "mean")
							?: json_object_get(fl, "median");
	static const char *const keys[] = {"median", "min", "max", "n"};

	json_object_set(c, "value", v ?: json_null());
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		copy_key(c, fl, keys[i]);
	if (k == 0)
		return c;
	if (json_object_get(fl, "ratio")) {
		double r = json_number_value(json_object_get(fl, "ratio"));
		double lo = json_number_value(json_object_get(fl, "ci95_low"));
		double hi = json_number_value(json_object_get(fl, "ci95_high"));

		json_object_set_new(c, "change",
				    json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "ratio", r,
					      "ci95_low", lo, "ci95_high", hi, "pct", (r - 1) * 100,
					      "pct_low", (lo - 1) * 100, "pct_high",
					      (hi - 1) * 100));
		copy_key(json_object_get(c, "change"), fl, "p_value");
		copy_key(json_object_get(c, "change"), fl, "q_value");
	} else if (json_object_get(fl, "diff")) {
		json_object_set_new(c, "change",
				    json_pack("{s:O, s:O, s:O, s:O*}", "diff",
					      json_object_get(fl, "diff"), "diff_low",
					      json_object_get(fl, "diff_low"), "diff_high",
					      json_object_get(fl, "diff_high"), "p_value",
					      json_object_get(fl, "p_value")));
	} else {
		json_object_set_new(c, "change", json_null());
	}
	copy_key(c, fl, "change_pct");
	copy_key(c, fl, "verdict");
	copy_key(c, fl, "reps_needed");
	copy_key(c, fl, "why");
	return c;
}

static json_t *row_json(json_t *row)
{
	json_t *r = json_object(), *files = json_array(), *fl;
	static const char *const keys[] = {"mode",   "tasks",  "family",   "path",	 "test",
					   "metric", "better", "headline", "compared_as"};
	size_t k;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		copy_key(r, row, keys[i]);
	json_array_foreach(json_object_get(row, "files"), k, fl)
		json_array_append_new(files, file_cell(fl, k));
	json_object_set_new(r, "files", files);
	return r;
}

static json_t *files_json(json_t **docs, const char **names, size_t n)
{
	json_t *files = json_array();

	for (size_t k = 0; k < n; k++) {
		json_t *h = json_object_get(docs[k], "host");
		char label[256];

		results_label(docs[k], label, sizeof(label));
		json_array_append_new(
			files, json_pack("{s:o, s:s, s:s, s:O*, s:O*, s:O*, s:O*, s:b}", "file",
					 letter(k), "name", names[k], "label", label, "hostname",
					 json_object_get(h, "hostname"), "kernel_release",
					 json_object_get(h, "kernel_release"), "cpu_count",
					 json_object_get(h, "cpu_count"), "virt",
					 json_object_get(h, "virt"), "judged",
					 verdict_judges(results_virt(docs[k]))));
	}
	return files;
}

json_t *compare_json(json_t *rows, json_t **docs, const char **names, size_t n,
		     const struct compare_opts *o, const struct gate *g, const char *gate_why)
{
	json_t *doc, *out = json_array(), *fam = json_array(), *row;
	size_t i;

	json_array_foreach(rows, i, row)
		json_array_append_new(out, row_json(row));
	for (size_t k = 1; k < n; k++) {
		size_t m, r;

		compare_family(rows, k, &m, &r);
		json_array_append_new(fam,
				      json_pack("{s:o, s:b, s:I, s:I}", "file", letter(k), "judged",
						compare_judged(docs, k), "headline_metrics",
						(json_int_t)m, "discoveries", (json_int_t)r));
	}
	doc = json_pack("{s:i, s:o, s:b, s:f, s:b, s:o, s:o}", "compare_version",
			COMPARE_JSON_VERSION, "files", files_json(docs, names, n), "hosts_differ",
			compare_hosts_differ(docs, n), "equivalence_pct", o->margin_pct,
			"drop_noisy", o->drop_noisy, "families", fam, "rows", out);
	json_object_set_new(doc, "gate", gate_json(g, gate_why));
	return doc;
}
