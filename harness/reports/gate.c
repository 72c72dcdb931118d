// SPDX-License-Identifier: MIT
/* compare's CI gate: fails on a large enough "slower", and says when it cannot decide. */
#include <stdio.h>
#include <string.h>

#include "harness/reports/compare.h"
#include "harness/reports/gate.h"

/* Names shown in WHY before "and N more". */
#define GATE_NAMED 3

/* A row of IPv6 (compare's "family"): named so in the gate's message. */
static bool ipv6(json_t *row)
{
	const char *f = json_string_value(json_object_get(row, "family"));

	return f && !strcmp(f, "ipv6");
}

static long long reps_of(json_t *cell)
{
	return json_integer_value(json_object_get(cell, "n"));
}

enum gate_result gate_judge(json_t *rows, double fail_above, bool ratios_only, struct gate *g)
{
	size_t off = 0, i, k;
	json_t *row, *f;

	memset(g, 0, sizeof(*g));
	g->fail_above = fail_above;
	g->ratios_only = ratios_only;
	g->worst = compare_worst_regression_at(rows, ratios_only, &g->worst_row, &g->worst_file);
	if (g->worst_row)
		snprintf(g->worst_what, sizeof(g->worst_what), "%s %s%s%s %s %s (%c)",
			 json_string_value(json_object_get(g->worst_row, "mode")),
			 json_string_value(json_object_get(g->worst_row, "path")),
			 ipv6(g->worst_row) ? " " : "", ipv6(g->worst_row) ? "ipv6" : "",
			 json_string_value(json_object_get(g->worst_row, "test")),
			 json_string_value(json_object_get(g->worst_row, "metric")),
			 (int)('A' + g->worst_file));
	json_array_foreach(rows, i, row) {
		const char *metric = json_string_value(json_object_get(row, "metric")) ?: "?";
		json_t *files = json_object_get(row, "files");
		long long na = reps_of(json_array_get(files, 0));

		if (!json_is_true(json_object_get(row, "headline")) ||
		    (ratios_only && !strstr(metric, "_vs_host")))
			continue;
		json_array_foreach(files, k, f) {
			long long nb = reps_of(f);

			/* A file without the entry is "missing": compare's configuration warning.
			 */
			if (k == 0 || !json_object_get(f, "n") || (na >= 2 && nb >= 2))
				continue;
			if (g->undecided++ < GATE_NAMED && off < sizeof(g->why))
				off += (size_t)snprintf(
					g->why + off, sizeof(g->why) - off,
					"%s%s %s%s%s %s %s (A %lld, %c %lld)", off ? ", " : "",
					json_string_value(json_object_get(row, "mode")),
					json_string_value(json_object_get(row, "path")),
					ipv6(row) ? " " : "", ipv6(row) ? "ipv6" : "",
					json_string_value(json_object_get(row, "test")), metric, na,
					(int)('A' + k), nb);
		}
	}
	if (g->undecided && off < sizeof(g->why))
		snprintf(g->why + off, sizeof(g->why) - off,
			 "%s: each needs at least 2 repetitions per file (run --reps 2 or more)",
			 g->undecided > GATE_NAMED ? " and more" : "");
	if (g->worst > fail_above)
		g->result = GATE_FAIL;
	else if (g->undecided)
		g->result = GATE_UNDECIDED;
	return g->result;
}

void gate_print(const struct gate *g, bool md, FILE *f)
{
	const char *b = md ? "**" : "";

	fprintf(f, "\n%sGate (--fail-above %g%%): ", b, g->fail_above);
	if (g->result == GATE_FAIL)
		fprintf(f, "fails.%s a regression of %.1f%%%s, %s, exceeds %g%%.", b, g->worst,
			g->ratios_only ? " in a ratio to host" : "", g->worst_what, g->fail_above);
	else if (g->result == GATE_UNDECIDED)
		fprintf(f, "cannot decide.%s", b);
	else
		fprintf(f, "passes.%s No %s lost more than %g%%.", b,
			g->ratios_only ? "ratio to host" : "headline metric", g->fail_above);
	if (g->undecided)
		fprintf(f,
			" %zu headline metric(s) it must judge cannot be decided for lack of "
			"repetitions: %s.",
			g->undecided, g->why);
	fputc('\n', f);
}

json_t *gate_json(const struct gate *g, const char *why)
{
	static const char *const result[] = {
		[GATE_PASS] = "passes", [GATE_FAIL] = "fails", [GATE_UNDECIDED] = "cannot decide"};
	json_t *o, *w;

	if (!g)
		return json_null();
	w = json_null();
	why = why ?: (g->undecided ? g->why : NULL);
	/* Where the worst loss is: the row's key and the file. */
	if (g->worst_row)
		w = json_pack("{s:O, s:O, s:O, s:O, s:s, s:i}", "mode",
			      json_object_get(g->worst_row, "mode"), "path",
			      json_object_get(g->worst_row, "path"), "test",
			      json_object_get(g->worst_row, "test"), "metric",
			      json_object_get(g->worst_row, "metric"), "family",
			      ipv6(g->worst_row) ? "ipv6" : "ipv4", "file", (int)g->worst_file);
	o = json_pack("{s:f, s:s, s:b, s:f, s:I, s:s*}", "fail_above_pct", g->fail_above, "result",
		      result[g->result], "ratios_only", g->ratios_only, "worst_pct", g->worst,
		      "undecided", (json_int_t)g->undecided, "why", why);
	json_object_set_new(o, "worst", w);
	return o;
}
