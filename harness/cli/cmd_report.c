// SPDX-License-Identifier: MIT
/* nsbench report FILE... -o report.html: the results (and saved claims) for people. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/cli.h"
#include "harness/cli/log.h"
#include "harness/common/atomicfile.h"
#include "harness/measure/claims.h"
#include "harness/reports/report.h"
#include "harness/reports/results.h"

static const char report_usage[] =
	"Usage: nsbench report FILE... -o|--output OUT.html\n"
	"One self-contained HTML page (inline SVG, no network): for each results file\n"
	"(a kernel, a runner), each mode's throughput, TCP_RR p50/p99 and connection\n"
	"rate as ratios to host mode with their 95% intervals, side by side; the\n"
	"absolute figures; each mode's hot path; and for each claims file (saved with\n"
	"`nsbench claims --format json`) where and when it was checked, the verdicts,\n"
	"the performance claims' ratios with their intervals drawn, and every row.\n"
	"Claims files alone make a page of the claims. Up to 8 files of each kind.\n"
	"OUT is written whole or not at all. Exit 2: a file is missing, not JSON,\n"
	"truncated, of another schema or without results or claims; nothing is\n"
	"written then.\n";

/*
 * A claims file: the document `claims --format json` writes (claims_version),
 * or the bare array of rows an older nsbench wrote. 1 when FILE is one (in
 * *OUT), 0 when it is something else (a results file, or nothing readable:
 * results_load says which), -EPROTO with WHY when it is a claims file that
 * cannot be read.
 */
static int load_claims(const char *file, json_t **out, char *why, size_t len)
{
	json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, NULL), *rows, *row, *v;
	size_t i;

	if (!json_is_array(doc) && !json_object_get(doc, "claims_version")) {
		json_decref(doc);
		return 0;
	}
	v = json_object_get(doc, "claims_version");
	if (json_is_object(doc) &&
	    (!json_is_integer(v) || json_integer_value(v) != CLAIMS_VERSION)) {
		if (json_integer_value(v) > CLAIMS_VERSION)
			snprintf(why, len,
				 "claims version %lld, written by a newer nsbench; this one reads "
				 "version %d: upgrade nsbench to read it",
				 (long long)json_integer_value(v), CLAIMS_VERSION);
		else
			snprintf(why, len, "claims version %s; this nsbench reads version %d",
				 json_is_integer(v) ? "older" : "not a number", CLAIMS_VERSION);
		goto bad;
	}
	rows = json_is_array(doc) ? doc : json_object_get(doc, "claims");
	if (!json_is_array(rows) || json_array_size(rows) == 0) {
		snprintf(why, len,
			 "a claims file without claims (claims --format json writes "
			 "them)");
		goto bad;
	}
	json_array_foreach(rows, i, row)
		if (!json_is_string(json_object_get(row, "verdict")) ||
		    !json_is_string(json_object_get(row, "claim"))) {
			snprintf(why, len, "claims[%zu]: no \"claim\" and \"verdict\"", i);
			goto bad;
		}
	*out = doc;
	return 1;
bad:
	json_decref(doc);
	return -EPROTO;
}

int report_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		CLI_HELP_OPTION,
		{0},
	};
	json_t *docs[REPORT_MAX_FILES] = {0}, *claims[REPORT_MAX_FILES] = {0};
	const char *names[REPORT_MAX_FILES], *cnames[REPORT_MAX_FILES], *out = NULL;
	size_t n = 0, nc = 0, len = 0;
	char why[512], *buf = NULL;
	int c, rc = 0, ret;
	FILE *mem;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		default:
			return cli_option_end(c, "report", report_usage, argv);
		}
	}
	if (!out)
		return cli_usage_error(report_usage, "report: -o OUT.html is required");
	if (optind >= argc)
		return cli_usage_error(report_usage, "report: at least one results or claims file");
	for (int i = optind; i < argc; i++) {
		json_t *doc = NULL;
		bool table;

		ret = load_claims(argv[i], &doc, why, sizeof(why));
		table = ret == 1;
		if (ret == 0)
			ret = results_load(argv[i], &doc, why, sizeof(why));
		if (ret < 0) {
			log_err("%s: %s", argv[i], why);
			rc = EXIT_USAGE;
			goto done;
		}
		if ((table ? nc : n) >= REPORT_MAX_FILES) {
			json_decref(doc);
			rc = cli_usage_error(report_usage, "report: at most %d files of each kind",
					     REPORT_MAX_FILES);
			goto done;
		}
		if (table) {
			claims[nc] = doc;
			cnames[nc++] = cli_base_name(argv[i]);
		} else {
			docs[n] = doc;
			names[n++] = cli_base_name(argv[i]);
		}
	}
	mem = open_memstream(&buf, &len);
	if (!mem) {
		log_err("report: %s", strerror(errno));
		rc = 1;
		goto done;
	}
	ret = report_write(mem, docs, names, n, claims, cnames, nc);
	if (fclose(mem) && !ret)
		ret = -EIO;
	if (!ret)
		ret = atomic_write_file(out, buf, len, true, "write:report");
	if (ret) {
		log_err("writing %s: %s", out, strerror(-ret));
		rc = 1;
		goto done;
	}
	fprintf(stderr, "nsbench: report of %zu file(s) in %s\n", n + nc, out);
done:
	free(buf);
	for (size_t i = 0; i < REPORT_MAX_FILES; i++) {
		json_decref(docs[i]);
		json_decref(claims[i]);
	}
	return rc;
}
