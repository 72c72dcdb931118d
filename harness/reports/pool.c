// SPDX-License-Identifier: MIT
/* Interleaved rounds of one kernel pooled into one results document (pool.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/reports/pool.h"
#include "harness/reports/results.h"

const char *results_kernel(json_t *doc)
{
	const char *k = json_string_value(json_object_get(json_object_get(doc, "host"),
							  "kernel_release"));

	return k ? k : "";
}

int results_pool(json_t *const *docs, size_t n, json_t **out, char *why, size_t len)
{
	json_t *doc, *e;
	size_t i;

	if (!n)
		return -EINVAL;
	for (size_t k = 1; k < n; k++) {
		if (strcmp(results_kernel(docs[k]), results_kernel(docs[0]))) {
			snprintf(why, len, "file %zu was measured on kernel %s, file 1 on %s", k + 1,
				 results_kernel(docs[k]), results_kernel(docs[0]));
			return -EINVAL;
		}
		if (!json_equal(json_object_get(docs[k], "config"),
				json_object_get(docs[0], "config"))) {
			snprintf(why, len,
				 "file %zu was run with another configuration than file 1: only "
				 "rounds of one run pool",
				 k + 1);
			return -EINVAL;
		}
	}
	doc = json_deep_copy(docs[0]);
	if (!doc)
		return -ENOMEM;
	for (size_t k = 1; k < n; k++)
		json_array_foreach(json_object_get(docs[k], "results"), i, e) {
			json_t *mine = results_entry_like(doc, e);

			if (mine)
				json_array_extend(json_object_get(mine, "reps"),
						  json_object_get(e, "reps"));
			else
				json_array_append_new(json_object_get(doc, "results"),
						      json_deep_copy(e));
		}
	results_summarize(doc);
	json_object_set_new(doc, "pooled_from", json_integer((json_int_t)n));
	*out = doc;
	return 0;
}
