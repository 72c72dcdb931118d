// SPDX-License-Identifier: MIT
/*
 * measure's answer as text: a measurement's line (its figures, the placement
 * and the family) and --hot-path's hops with their packets per transaction.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "harness/cli/cli.h"

static bool is_ipv6(json_t *res)
{
	const char *f = json_string_value(json_object_get(res, "family"));

	return f && !strcmp(f, "ipv6");
}

void measure_print_result(FILE *f, json_t *res)
{
	json_t *m = json_object_get(res, "metrics");
	const char *test = json_string_value(json_object_get(res, "test"));
	json_t *pl = json_object_get(res, "placement");

	fprintf(f,
		"%s %s%s %s (cpu %s %lld/%lld): ", json_string_value(json_object_get(res, "mode")),
		json_string_value(json_object_get(res, "path")), is_ipv6(res) ? " ipv6" : "", test,
		json_string_value(json_object_get(pl, "policy")),
		(long long)json_integer_value(json_object_get(pl, "client_cpu")),
		(long long)json_integer_value(json_object_get(pl, "server_cpu")));
	if (json_object_get(m, "throughput_bps")) {
		fprintf(f, "%.3f Gbit/s",
			json_number_value(json_object_get(m, "throughput_bps")) / 1e9);
		if (json_object_get(m, "retransmits"))
			fprintf(f, ", %lld retransmits",
				(long long)json_integer_value(json_object_get(m, "retransmits")));
		if (json_object_get(m, "rtt_mean_us"))
			fprintf(f, ", sender RTT mean %.0f us",
				json_number_value(json_object_get(m, "rtt_mean_us")));
		if (json_object_get(m, "lost_packets"))
			fprintf(f, ", lost %lld of %lld, jitter %.3f ms",
				(long long)json_integer_value(json_object_get(m, "lost_packets")),
				(long long)json_integer_value(json_object_get(m, "packets")),
				json_number_value(json_object_get(m, "jitter_ms")));
		fprintf(f, ", CPU client %.0f%% server %.0f%%\n",
			json_number_value(json_object_get(m, "cpu_client_pct")),
			json_number_value(json_object_get(m, "cpu_server_pct")));
	} else {
		fprintf(f,
			"%.0f trans/s, latency us: min %.1f p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f "
			"max %.1f mean %.1f sd %.1f",
			json_number_value(json_object_get(m, "tps")),
			json_number_value(json_object_get(m, "min_us")),
			json_number_value(json_object_get(m, "p50_us")),
			json_number_value(json_object_get(m, "p90_us")),
			json_number_value(json_object_get(m, "p99_us")),
			json_number_value(json_object_get(m, "p999_us")),
			json_number_value(json_object_get(m, "max_us")),
			json_number_value(json_object_get(m, "mean_us")),
			json_number_value(json_object_get(m, "stddev_us")));
		if (json_integer_value(json_object_get(m, "lost")))
			fprintf(f, ", %lld lost",
				(long long)json_integer_value(json_object_get(m, "lost")));
		if (json_integer_value(json_object_get(m, "errors")))
			fprintf(f, ", %lld errors",
				(long long)json_integer_value(json_object_get(m, "errors")));
		fprintf(f, "\n");
	}
}

/* --hot-path as text: the hops in order with packets per transaction, and the verdict. */
void measure_print_hot(FILE *f, json_t *hp)
{
	json_t *per = json_object_get(hp, "packets_per_transaction"), *h;
	size_t i;

	const char *probe = json_string_value(json_object_get(hp, "probe"));

	/* "udp_rr 64/64 B": the test is its first word. */
	fprintf(f, "%s %s%s hot path (%lld %.*s transactions):",
		json_string_value(json_object_get(hp, "mode")),
		json_string_value(json_object_get(hp, "path")), is_ipv6(hp) ? " ipv6" : "",
		(long long)json_integer_value(json_object_get(hp, "transactions")),
		probe ? (int)strcspn(probe, " ") : 6, probe ? probe : "udp_rr");
	json_array_foreach(json_object_get(hp, "hops"), i, h)
		fprintf(f, "%s %s (%.2f/trans)", i ? " ->" : "", json_string_value(h),
			json_number_value(json_object_get(per, json_string_value(h))));
	if (json_object_get(hp, "conntrack_entries"))
		fprintf(f, "; conntrack entries %lld",
			(long long)json_integer_value(json_object_get(hp, "conntrack_entries")));
	if (json_is_true(json_object_get(hp, "ok")))
		fprintf(f, "; the expected path\n");
	else
		fprintf(f, "; NOT the expected path: %s\n",
			json_string_value(json_object_get(hp, "problem")) ?: "?");
}
