// SPDX-License-Identifier: MIT
/* nsbench compare A.json B.json [...]: medians side by side; the CI gate. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/cli.h"
#include "harness/cli/log.h"
#include "harness/common/parse.h"
#include "harness/reports/compare.h"
#include "harness/reports/gate.h"
#include "harness/reports/pool.h"
#include "harness/reports/results.h"
#include "harness/reports/verdict.h"

static const char compare_usage[] =
	"Usage: nsbench compare A.json B.json [C.json ...] [--fail-above PCT]\n"
	"                       [--equivalence PCT] [--drop-noisy]\n"
	"                       [--format text|csv|markdown|json] [--by-kernel]\n"
	"                       [--by-instance] [--by-vpc]\n"
	"Every mode, path and test side by side: the change against A with its 95%\n"
	"interval and a verdict. faster/slower: a discovery of Benjamini-Hochberg (5%\n"
	"false discovery rate) over the headline metrics (throughput, tps, p50, p99\n"
	"and their ratios to host); unchanged: the interval lies within\n"
	"+/-PCT (--equivalence, default 5); inconclusive: neither, with the repetitions\n"
	"that would settle it. --drop-noisy leaves out repetitions measured under\n"
	"interference. --fail-above PCT exits 1 when a metric is \"slower\" by more\n"
	"than PCT percent (estimate); files from different machines gate on the\n"
	"*_vs_host ratios only. It exits 2 when a headline metric it must judge has\n"
	"fewer than 2 repetitions in a file (it could not fire), and says which. A\n"
	"file measured on an emulated CPU (host.virt \"tcg\") is shown but nothing is\n"
	"decided on it: its verdicts say \"emulated\", and --fail-above exits 2. Exit\n"
	"2 also: a file is missing, not JSON, truncated, of another schema version,\n"
	"missing fields or without results.\n"
	"--by-instance: the same for rounds under several instance profiles\n"
	"(scripts/bench-instance.sh): pooled by config.instance and userland proxy.\n"
	"--by-vpc: the same for the VPC's setups (scripts/bench-vpc.sh): pooled by\n"
	"config.mtu, wire and trunking (a file without them: an older nsbench's layout).\n"
	"--by-kernel: the files are rounds of one run under several kernels\n"
	"(scripts/kernel-compare.sh): those of one kernel are pooled, repetitions side\n"
	"by side, and the kernels are compared, the first file's kernel as A.\n"
	"--format json: the rows (each file's value, the change with its interval, the\n"
	"verdict), the files and the gate's outcome as one JSON object.\n";

/* --by-kernel, --by-instance, --by-vpc: what the files are pooled by, [0] none. */
static const struct {
	const char *name, *what;
	int (*pool)(json_t *const *, const char *const *, size_t, json_t **, size_t, size_t *,
		    char *, size_t);
} bys[] = {{"", "file(s)", NULL},
	   {"kernel", "kernel(s)", results_pool_by_kernel},
	   {"instance", "instance(s)", results_pool_by_instance},
	   {"vpc", "VPC setup(s)", results_pool_by_vpc}};

static int parse_format(const char *text, enum compare_format *fmt)
{
	static const char *const names[] = {[FMT_TEXT] = "text",
					    [FMT_CSV] = "csv",
					    [FMT_MARKDOWN] = "markdown",
					    [FMT_JSON] = "json"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && !strcmp(text, names[i])) {
			*fmt = (enum compare_format)i;
			return 0;
		}
	return -EINVAL;
}

/* The N files pooled by BY (a kernel, an instance, a VPC each), in their place; -1 said. */
static int pool_by(int by, json_t **docs, const char **names, size_t *n, char (*inst_names)[80])
{
	json_t *pooled[COMPARE_MAX_FILES];
	char why[512];
	size_t np;

	if (bys[by].pool(docs, names, *n, pooled, COMPARE_MAX_FILES, &np, why, sizeof(why))) {
		log_err("--by-%s: %s", bys[by].name, why);
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		json_decref(docs[i]);
	for (*n = 0; *n < np; (*n)++) {
		size_t k = *n;

		docs[k] = pooled[k];
		names[k] = by == 1   ? results_kernel(pooled[k])
			   : by == 2 ? results_instance(pooled[k], inst_names[k], 80)
				     : results_vpc(pooled[k], inst_names[k], 80);
	}
	return 0;
}

int compare_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"fail-above", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, 'F'},
		{"equivalence", required_argument, NULL, 'e'},
		{"drop-noisy", no_argument, NULL, 'n'},
		{"by-kernel", no_argument, NULL, 'k'},
		{"by-instance", no_argument, NULL, 'I'},
		{"by-vpc", no_argument, NULL, 'V'},
		CLI_HELP_OPTION,
		{0},
	};
	json_t *docs[POOL_MAX_REPS] = {0}, *rows;
	const char *names[POOL_MAX_REPS];
	enum compare_format fmt = FMT_TEXT;
	struct compare_opts o;
	bool ratios_only;
	int by = 0;
	static char inst_names[COMPARE_MAX_FILES][80];
	double fail_above = -1;
	struct gate gate;
	size_t n = 0, emulated;
	char why[512], emu_why[512] = "";
	int c, rc = 0;

	compare_opts_default(&o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_seconds(optarg, 0, 1e6, &fail_above))
				return cli_usage_error(compare_usage,
						       "--fail-above '%s': a percentage such as 5",
						       optarg);
			break;
		case 'e':
			if (parse_seconds(optarg, 0, 100, &o.margin_pct))
				return cli_usage_error(compare_usage,
						       "--equivalence '%s': a percentage, 0 to 100",
						       optarg);
			break;
		case 'n':
			o.drop_noisy = true;
			break;
		case 'k':
		case 'I':
		case 'V': {
			int b = c == 'k' ? 1 : c == 'I' ? 2 : 3;

			if (by && by != b)
				return cli_usage_error(compare_usage,
						       "--by-%s or --by-%s, not both", bys[by].name,
						       bys[b].name);
			by = b;
			break;
		}
		case 'F':
			if (parse_format(optarg, &fmt))
				return cli_usage_error(compare_usage,
						       "--format '%s': text, csv, markdown or json",
						       optarg);
			break;
		default:
			return cli_option_end(c, "compare", compare_usage, argv);
		}
	}
	if (argc - optind < 2)
		return cli_usage_error(compare_usage, "compare: at least two results files");
	if (argc - optind > (by ? POOL_MAX_REPS : COMPARE_MAX_FILES))
		return cli_usage_error(compare_usage, "compare: at most %d files",
				       by ? POOL_MAX_REPS : COMPARE_MAX_FILES);
	/* Every file is checked before anything is printed: never a partial table. */
	for (int i = optind; i < argc; i++) {
		int ret = results_load(argv[i], &docs[n], why, sizeof(why));

		if (ret) {
			log_err("%s: %s", argv[i], why);
			rc = EXIT_USAGE;
			goto out;
		}
		names[n++] = cli_base_name(argv[i]);
	}
	if (by && pool_by(by, docs, names, &n, inst_names)) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (n < 2) {
		log_err("compare: the files hold %zu %s: nothing to compare", n, bys[by].what);
		rc = EXIT_USAGE;
		goto out;
	}
	compare_config_diff(docs, names, n, stderr);
	/* The same measurement twice says nothing about a change: said, whatever the gate says. */
	for (size_t k = 1; k < n; k++)
		if (json_equal(docs[0], docs[k]))
			log_warn("%s and %s are the same measurement: comparing it with itself "
				 "shows "
				 "no change, and tells nothing about one",
				 names[0], names[k]);
	rows = compare_rows(docs, n, &o);
	if (fmt != FMT_JSON)
		compare_print(rows, docs, names, n, &o, fmt, stdout);
	ratios_only = compare_hosts_differ(docs, n);
	if (fail_above >= 0 && compare_emulated(docs, n, &emulated)) {
		snprintf(emu_why, sizeof(emu_why),
			 "%s was measured on an emulated CPU (host.virt \"tcg\"), so --fail-above "
			 "cannot gate on it: %s",
			 names[emulated], VERDICT_EMULATED);
		log_err("%s", emu_why);
		memset(&gate, 0, sizeof(gate));
		gate.fail_above = fail_above;
		gate.ratios_only = ratios_only;
		gate.result = GATE_UNDECIDED;
		rc = EXIT_USAGE;
	} else if (fail_above >= 0) {
		gate_judge(rows, fail_above, ratios_only, &gate);
		if (fmt == FMT_TEXT || fmt == FMT_MARKDOWN)
			gate_print(&gate, fmt == FMT_MARKDOWN, stdout);
		if (gate.result == GATE_FAIL) {
			log_err("a regression of %.1f%%%s, %s, exceeds --fail-above %g%%",
				gate.worst, ratios_only ? " in a ratio to host" : "",
				gate.worst_what, fail_above);
			rc = 1;
		} else if (gate.result == GATE_UNDECIDED) {
			/* A gate that could not fire must not read as a pass. */
			log_err("--fail-above cannot decide %zu headline metric(s) for lack of "
				"repetitions: %s",
				gate.undecided, gate.why);
			rc = EXIT_USAGE;
		}
	}
	if (fmt == FMT_JSON) {
		json_t *doc = compare_json(rows, docs, names, n, &o, fail_above >= 0 ? &gate : NULL,
					   *emu_why ? emu_why : NULL);

		json_dumpf(doc, stdout, JSON_INDENT(1));
		fputc('\n', stdout);
		json_decref(doc);
	}
	json_decref(rows);
out:
	for (size_t i = 0; i < n; i++)
		json_decref(docs[i]);
	return rc;
}
