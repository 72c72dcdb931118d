// SPDX-License-Identifier: MIT
/*
 * libFuzzer: a results file as another job on a shared runner may have left
 * it, through what compare (and report, later) do with it: the reader, then
 * the comparison of the document with itself and with a fixed one, printed
 * in every format. Nothing may crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/reports/compare.h"
#include "harness/reports/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *names[2] = {"a.json", "b.json"};
	json_t *doc = NULL, *docs[2], *rows;
	struct compare_opts o;
	char why[512];
	FILE *sink;

	if (results_parse((const char *)data, size, &doc, why, sizeof(why)))
		return 0;
	sink = fopen("/dev/null", "w");
	compare_opts_default(&o);
	for (int drop = 0; drop < 2; drop++) {
		o.drop_noisy = drop;
		docs[0] = doc;
		docs[1] = doc;
		rows = compare_rows(docs, 2, &o);
		if (sink) {
			compare_print(rows, docs, names, 2, &o, FMT_TEXT, sink);
			compare_print(rows, docs, names, 2, &o, FMT_CSV, sink);
			compare_print(rows, docs, names, 2, &o, FMT_MARKDOWN, sink);
			compare_config_diff(docs, names, 2, sink);
		}
		json_decref(compare_json(rows, docs, names, 2, &o, NULL, NULL));
		compare_worst_regression(rows, drop);
		json_decref(rows);
	}
	if (sink)
		fclose(sink);
	json_decref(doc);
	return 0;
}
