// SPDX-License-Identifier: MIT
/* A per-hop measurement (perhop.h) as a text waterfall: measure --per-hop and explain print it. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "harness/cli/cli.h"

static void bar(FILE *f, double v, double max)
{
	int n = max > 0 ? (int)lround(v / max * 24) : 0;

	for (int i = 0; i < n; i++)
		fputs("#", f);
}

void cli_print_waterfall(FILE *f, const json_t *ph)
{
	json_t *segs = json_object_get(ph, "segments"), *sums = json_object_get(ph, "sums"), *s, *h;
	double max = 0, e2e, sum;
	size_t i;

	fprintf(f, "%s %s, %s: %lld transactions, %lld traced, %lld stamped at every hop\n",
		json_string_value(json_object_get(ph, "mode")),
		json_string_value(json_object_get(ph, "path")),
		json_string_value(json_object_get(ph, "test")),
		(long long)json_integer_value(json_object_get(ph, "transactions")),
		(long long)json_integer_value(json_object_get(ph, "sampled")),
		(long long)json_integer_value(json_object_get(ph, "stitched")));
	fprintf(f, "  hops:");
	json_array_foreach(json_object_get(ph, "hops"), i, h)
		fprintf(f, " %s%s (%.1f%%)", i ? "-> " : "",
			json_string_value(json_object_get(h, "hop")),
			100 * json_number_value(json_object_get(h, "coverage")));
	fputc('\n', f);
	json_array_foreach(segs, i, s)
		max = fmax(max, json_number_value(json_object_get(s, "p50_us")));
	fprintf(f, "  %-58s %-6s %8s %8s\n", "segment", "part", "p50 us", "p99 us");
	json_array_foreach(segs, i, s) {
		char name[128];

		snprintf(name, sizeof(name), "%s -> %s",
			 json_string_value(json_object_get(s, "from")),
			 json_string_value(json_object_get(s, "to")));
		fprintf(f, "  %-58s %-6s %8.2f %8.2f ", name,
			json_string_value(json_object_get(s, "part")),
			json_number_value(json_object_get(s, "p50_us")),
			json_number_value(json_object_get(s, "p99_us")));
		bar(f, json_number_value(json_object_get(s, "p50_us")), max);
		fputc('\n', f);
	}
	if (!sums)
		return;
	e2e = json_number_value(json_object_get(sums, "engine_p50_us"));
	sum = json_number_value(json_object_get(sums, "segments_p50_us"));
	fprintf(f,
		"  the segments' medians add up to %.2f us; the engine's median round trip is "
		"%.2f us (%+.1f%%)\n",
		sum, e2e, e2e > 0 ? 100 * (sum / e2e - 1) : 0.0);
	fprintf(f,
		"  what no hop accounts for (sockets, stacks, wake-ups): %.2f us of the medians\n",
		json_number_value(json_object_get(sums, "unaccounted_p50_us")));
	if (json_integer_value(json_object_get(ph, "negative_segments")))
		fprintf(f, "  %lld segments ran backwards (clock or stitching problem)\n",
			(long long)json_integer_value(json_object_get(ph, "negative_segments")));
}
