// SPDX-License-Identifier: MIT
/* Results combined: N tasks' measurements as one, and each repetition against host mode's. */
#include <stdbool.h>
#include <string.h>

#include "harness/lab/model.h"
#include "harness/reports/aggregate.h"
#include "harness/reports/results.h"
#include "harness/reports/summary.h"
#include "harness/reports/vshost.h"

/*
 * N tasks' results as one: throughput and transactions add up; latency is the
 * median task's (and the worst task's p99); each task's metrics are kept.
 */
json_t *aggregate_tasks(json_t **res, unsigned int n)
{
	static const char *const sums[] = {"throughput_bps", "sent_bps",    "tps",
					   "transactions",   "retransmits", "lost_packets",
					   "packets",	     "lost",	    "errors"};
	static const char *const medians[] = {"p50_us", "p90_us",  "p99_us",	  "p999_us",
					      "min_us", "mean_us", "rtt_mean_us", "jitter_ms"};
	json_t *out = json_deep_copy(res[0]), *m = json_object(), *per = json_array(), *x;
	double v[LAB_MAX_TASKS];

	if (n == 1) {
		json_decref(m);
		json_decref(per);
		return out;
	}
	json_object_del(out, "iperf");
	json_object_del(out, "rr");
	for (size_t k = 0; k < sizeof(sums) / sizeof(sums[0]); k++) {
		double sum = 0;
		bool any = false;

		for (unsigned int i = 0; i < n; i++) {
			json_t *x = json_object_get(json_object_get(res[i], "metrics"), sums[k]);

			any |= json_is_number(x);
			sum += json_number_value(x);
		}
		if (any)
			json_object_set_new(m, sums[k], json_real(sum));
	}
	for (size_t k = 0; k < sizeof(medians) / sizeof(medians[0]); k++) {
		struct summary s;
		size_t cnt = 0;

		for (unsigned int i = 0; i < n; i++) {
			json_t *x = json_object_get(json_object_get(res[i], "metrics"), medians[k]);

			if (json_is_number(x))
				v[cnt++] = json_number_value(x);
		}
		if (cnt && !summary_of(v, cnt, &s)) {
			json_object_set_new(m, medians[k], json_real(s.median));
			if (!strcmp(medians[k], "p99_us"))
				json_object_set_new(m, "p99_worst_task_us", json_real(s.max));
		}
	}
	if ((x = json_object_get(m, "throughput_bps")))
		json_object_set_new(m, "throughput_per_task_bps",
				    json_real(json_number_value(x) / n));
	if ((x = json_object_get(m, "tps")))
		json_object_set_new(m, "tps_per_task", json_real(json_number_value(x) / n));
	for (unsigned int i = 0; i < n; i++)
		json_array_append(per, json_object_get(res[i], "metrics"));
	json_object_set_new(out, "metrics", m);
	json_object_set_new(out, "per_task", per);
	return out;
}

/*
 * Each repetition's value over host mode's in the same repetition, and the
 * difference to it for latency and CPU cost (same
 * test and family; host's first path for none mode's loopback): measured side by side,
 * these ratios cancel the drift of a shared machine that absolute numbers
 * carry from one run to the next.
 */
void aggregate_host_ratios(json_t *doc)
{
	static const char *const keys[][2] = {
		{"throughput_bps", "throughput_vs_host"},
		{"tps", "tps_vs_host"},
		{"p50_us", "p50_vs_host"},
		{"p99_us", "p99_vs_host"},
	};
	/* What a mode adds to host's: these transfer to a real VPC, a ratio does not. */
	static const char *const diffs[][2] = {
		{"p50_us", "p50_minus_host_us"},
		{"p99_us", "p99_minus_host_us"},
		{"cpu_s_per_gb", "cpu_s_per_gb_minus_host"},
		{"cpu_us_per_trans", "cpu_us_per_trans_minus_host"},
	};
	json_t *results = json_object_get(doc, "results"), *e;
	size_t i, k;

	json_array_foreach(results, i, e) {
		const char *mode = json_string_value(json_object_get(e, "mode"));
		json_t *host, *rep;

		if (!strcmp(mode, "host"))
			continue;
		/* The same host entry vs_host is set against: same test, family and tasks. */
		host = vshost_reference(doc, e);
		if (!host)
			continue;
		json_array_foreach(json_object_get(e, "reps"), k, rep) {
			json_t *m = json_object_get(rep, "metrics"), *hm = NULL, *hr;
			size_t j;

			json_array_foreach(json_object_get(host, "reps"), j, hr) {
				json_t *partner = json_object_get(hr, "partner");

				/* Under duet: host's repetition measured beside this mode. */
				if (json_equal(json_object_get(hr, "rep"),
					       json_object_get(rep, "rep")) &&
				    (!partner || !strcmp(json_string_value(partner) ?: "", mode)))
					hm = json_object_get(hr, "metrics");
			}
			if (!hm)
				continue;
			for (size_t q = 0; q < sizeof(keys) / sizeof(keys[0]); q++) {
				double x = json_number_value(json_object_get(m, keys[q][0]));
				double y = json_number_value(json_object_get(hm, keys[q][0]));

				if (json_object_get(m, keys[q][0]) && y > 0)
					json_object_set_new(m, keys[q][1], json_real(x / y));
			}
			for (size_t q = 0; q < sizeof(diffs) / sizeof(diffs[0]); q++) {
				json_t *x = json_object_get(m, diffs[q][0]);
				json_t *y = json_object_get(hm, diffs[q][0]);

				if (json_is_number(x) && json_is_number(y))
					json_object_set_new(m, diffs[q][1],
							    json_real(json_number_value(x) -
								      json_number_value(y)));
			}
		}
	}
}
