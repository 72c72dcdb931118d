// SPDX-License-Identifier: MIT
/*
 * measure's detail on request, for people: the figures per interval
 * (--interval), the latency histogram (--histogram), every latency written
 * to a file (--samples), and the progress of a measurement on a terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/cli/cli.h"
#include "harness/common/atomicfile.h"
#include "harness/common/notice.h"

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

void measure_print_intervals(FILE *f, json_t *res)
{
	json_t *ivs = json_object_get(res, "intervals"), *iv;
	bool rr = json_object_get(res, "rr") != NULL;
	bool udp = json_object_get(json_array_get(ivs, 0), "packets") != NULL;
	size_t i;

	if (rr)
		fprintf(f, "%-15s %9s %9s %9s %9s\n", "interval", "trans/s", "p50 us", "p99 us",
			"max us");
	else
		fprintf(f, "%-15s %9s%s\n", "interval", "Gbit/s", udp ? "  lost/packets" : "");
	json_array_foreach(ivs, i, iv) {
		char span[32];

		snprintf(span, sizeof(span), "%.1f-%.1f s", num(iv, "start_s"), num(iv, "end_s"));
		if (rr && json_is_number(json_object_get(iv, "p50_us")))
			fprintf(f, "%-15s %9.0f %9.1f %9.1f %9.1f\n", span, num(iv, "tps"),
				num(iv, "p50_us"), num(iv, "p99_us"), num(iv, "max_us"));
		else if (rr)
			fprintf(f, "%-15s %9.0f %9s %9s %9s\n", span, num(iv, "tps"), "-", "-",
				"-");
		else if (udp)
			fprintf(f, "%-15s %9.3f  %lld/%lld\n", span,
				num(iv, "throughput_bps") / 1e9,
				(long long)json_integer_value(json_object_get(iv, "lost_packets")),
				(long long)json_integer_value(json_object_get(iv, "packets")));
		else
			fprintf(f, "%-15s %9.3f\n", span, num(iv, "throughput_bps") / 1e9);
	}
}

#define BAR 40

void measure_print_histogram(FILE *f, json_t *res)
{
	json_t *h = json_object_get(res, "histogram"), *b;
	long long n = (long long)json_integer_value(json_object_get(h, "samples")), cum = 0,
		  most = 1;
	long first = -1, last = -1;
	size_t i;

	json_array_foreach(json_object_get(h, "buckets"), i, b)
		if (json_integer_value(json_object_get(b, "count")) > most)
			most = (long long)json_integer_value(json_object_get(b, "count"));
	json_array_foreach(json_object_get(h, "buckets"), i, b)
		if (json_integer_value(json_object_get(b, "count")) > 0) {
			first = first < 0 ? (long)i : first;
			last = (long)i;
		}
	fprintf(f, "%-21s %10s %7s %7s\n", "latency us", "count", "%", "cum %");
	json_array_foreach(json_object_get(h, "buckets"), i, b) {
		long long c = (long long)json_integer_value(json_object_get(b, "count"));
		int bar = (int)((c * BAR + most - 1) / most);

		/* The empty buckets below the fastest and above the slowest say nothing. */
		if ((long)i < first || (long)i > last)
			continue;
		cum += c;
		fprintf(f, "%9.1f - %9.1f %10lld %6.2f%% %6.2f%%  %.*s\n", num(b, "low_us"),
			num(b, "high_us"), c, n ? 100.0 * (double)c / (double)n : 0,
			n ? 100.0 * (double)cum / (double)n : 0, bar,
			"########################################");
	}
	fprintf(f,
		"%lld latencies in %zu buckets (10 a decade, low edge included; the empty ones "
		"outside the range measured left out)%s\n",
		n, json_array_size(json_object_get(h, "buckets")),
		json_is_true(json_object_get(h, "capped"))
			? "; the engine's cap was reached: later transactions are not in it"
			: "");
}

int measure_samples_check(const char *path, char *why, size_t len)
{
	char *copy = strdup(path), probe[4200];
	const char *dir = copy ? dirname(copy) : ".";
	struct stat st;
	int ret = 0, fd;

	/* A folder is not a file, and a folder that takes no new file is no place for one. */
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		snprintf(why, len, "--samples %s: a folder, not a file", path);
		free(copy);
		return -EISDIR;
	}
	snprintf(probe, sizeof(probe), "%s/.nsbench-probe-XXXXXX", dir);
	fd = mkstemp(probe);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, len, "--samples %s: cannot create a file in %s: %s", path, dir,
			 strerror(-ret));
	} else {
		close(fd);
		unlink(probe);
	}
	free(copy);
	return ret;
}

int measure_write_samples(const char *path, json_t *res, char *why, size_t len)
{
	json_t *a = json_object_get(res, "samples_ns"), *v;
	size_t i, n = json_array_size(a), cap = n * 16 + 1, off = 0;
	char *text = malloc(cap);
	int ret;

	if (!a) {
		snprintf(why, len, "the client sent no latencies");
		free(text);
		return -EIO;
	}
	if (!text) {
		snprintf(why, len, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	/* Microseconds to the nanosecond, one a line, in the order measured. */
	json_array_foreach(a, i, v) {
		json_int_t ns = json_integer_value(v);

		off += (size_t)snprintf(text + off, cap - off, "%lld.%03lld\n",
					(long long)(ns / 1000), (long long)(ns % 1000));
	}
	ret = atomic_write_file(path, text, off, true, "write:samples");
	free(text);
	if (ret) {
		snprintf(why, len, "writing %s: %s", path, strerror(-ret));
		return ret;
	}
	json_object_set_new(res, "samples_file",
			    json_pack("{s:s, s:I}", "path", path, "samples", (json_int_t)n));
	json_object_del(res, "samples_ns");
	return 0;
}

void measure_tick(void *arg, double elapsed_s, double total_s)
{
	char what[160];

	if (!isatty(2))
		return;
	snprintf(what, sizeof(what), "%s: %.0f s of %.0f", (const char *)arg, floor(elapsed_s),
		 ceil(total_s));
	notice_progress(0, 0, total_s > elapsed_s ? ceil(total_s - elapsed_s) : 0, what);
}
