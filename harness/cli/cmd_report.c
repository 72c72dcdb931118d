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
#include "harness/reports/report.h"
#include "harness/reports/results.h"

static const char report_usage[] =
	"Usage: nsbench report FILE... -o OUT.html\n"
	"One self-contained HTML page (inline SVG, no network): for each results file\n"
	"(a kernel, a runner), each mode's throughput, TCP_RR p50/p99 and connection\n"
	"rate as ratios to host mode with their 95% intervals, side by side; the\n"
	"absolute figures; each mode's hot path; and the claims of any file saved\n"
	"with `nsbench claims --format json`. Up to 8 results files. OUT is written\n"
	"whole or not at all. Exit 2: a file is missing, not JSON, truncated, of\n"
	"another schema or without results; nothing is written then.\n";

/* A saved claims table: an array of {id, mode, claim, verdict, evidence}. */
static int load_claims(const char *file, json_t **out, char *why, size_t len)
{
	json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, NULL), *row;
	size_t i;

	if (!json_is_array(doc) || json_array_size(doc) == 0) {
		json_decref(doc);
		snprintf(why, len, "not a claims table (an array from claims --format json)");
		return -EPROTO;
	}
	json_array_foreach(doc, i, row)
		if (!json_is_string(json_object_get(row, "verdict")) ||
		    !json_is_string(json_object_get(row, "claim"))) {
			snprintf(why, len, "claims[%zu]: no \"claim\" and \"verdict\"", i);
			json_decref(doc);
			return -EPROTO;
		}
	*out = doc;
	return 0;
}

/* Whether FILE holds a JSON array (a claims table) rather than an object. */
static bool is_array_file(const char *file)
{
	FILE *f = fopen(file, "re");
	int c;

	if (!f)
		return false;
	while ((c = fgetc(f)) == ' ' || c == '\n' || c == '\t' || c == '\r')
		;
	fclose(f);
	return c == '[';
}

int report_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
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
		return cli_usage_error(report_usage, "report: at least one results file");
	for (int i = optind; i < argc; i++) {
		bool table = is_array_file(argv[i]);

		if ((table ? nc : n) >= REPORT_MAX_FILES) {
			rc = cli_usage_error(report_usage, "report: at most %d files of each kind",
					     REPORT_MAX_FILES);
			goto done;
		}
		ret = table ? load_claims(argv[i], &claims[nc], why, sizeof(why))
			    : results_load(argv[i], &docs[n], why, sizeof(why));
		if (ret) {
			log_err("%s: %s", argv[i], why);
			rc = EXIT_USAGE;
			goto done;
		}
		if (table)
			cnames[nc++] = cli_base_name(argv[i]);
		else
			names[n++] = cli_base_name(argv[i]);
	}
	if (n == 0) {
		rc = cli_usage_error(report_usage, "report: no results file among the files");
		goto done;
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
	fprintf(stderr, "nsbench: report of %zu file(s) in %s\n", n, out);
done:
	free(buf);
	for (size_t i = 0; i < REPORT_MAX_FILES; i++) {
		json_decref(docs[i]);
		json_decref(claims[i]);
	}
	return rc;
}
