// SPDX-License-Identifier: MIT
/*
 * nsbench report, for people: a page over three results files from two
 * machines (tests/fixtures, and one of them relabelled as a third kernel),
 * rendered by a real browser (headless Chromium from Debian): every chart
 * drawn with three series; the page valid HTML (tidy) and each chart valid
 * SVG (xmllint); claims saved with `claims --format json` shown (an older
 * bare array too); a claims file alone makes a page of its own, its figures
 * drawn as they are in the file; bad input refused with exit 2 and nothing
 * written. No root needed.
 */
#include "testlib.h"
#include <sys/stat.h>

#define FIX_VM "tests/fixtures/vm-6.18.44-fc-v669-20261127T224345Z.json"
#define FIX_BOX "tests/fixtures/vm-6.18.44-fc-v657-gpu-20261127T224727Z.json"
#define FIX_CLAIMS "tests/fixtures/claims-vm-6.18.44-fc-v782.json"
#define HAVE_TOOLS                                                                                 \
	"command -v chromium >/dev/null && command -v tidy >/dev/null && "                         \
	"command -v xmllint >/dev/null"

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* NAME (in tl_dir) as a real browser leaves its DOM after load; the caller frees it. */
static char *browser_dom(const char *name)
{
	char *out;

	out = tl_run(0,
		     "cd %s && HOME=%s timeout 120 chromium --headless --no-sandbox --disable-gpu "
		     "--dump-dom file://%s/%s 2>/dev/null",
		     tl_dir, tl_dir, tl_dir, name);
	return out;
}

/* NAME (in tl_dir) is HTML that tidy finds nothing wrong with. */
static void assert_tidy(const char *name)
{
	char cmd[512], *out;
	int st;

	snprintf(cmd, sizeof(cmd), "tidy -q -e %s/%s 2>&1", tl_dir, name);
	out = tl_capture(cmd, &st);
	if (st)
		print_error("tidy: %s\n", out);
	assert_int_equal(st, 0);
	free(out);
}

static void test_report_three_files(void **state)
{
	char cmd[2048], *out;
	int st;

	(void)state;
	if (system(HAVE_TOOLS)) {
		print_message("SKIP: needs chromium, tidy and xmllint (make test installs them)\n");
		skip();
	}
	/* A third file: the VM's, as if from another kernel and runner. */
	snprintf(
		cmd, sizeof(cmd),
		"jq '.host.kernel_release = \"6.19.0-test\" | .host.runner = \"ci-6.19\"' " FIX_VM
		" > %s/third.json && "
		"printf '[{\"id\":\"bridge-slower\",\"mode\":\"bridge\",\"claim\":\"throughput and "
		"latency are worse than host<s>\",\"verdict\":\"holds\",\"evidence\":\"x\"}]' "
		"> %s/claims.json",
		tl_dir, tl_dir);
	assert_int_equal(system(cmd), 0);
	out = tl_run(0,
		     NSB " report " FIX_VM " " FIX_BOX " %s/third.json %s/claims.json " FIX_CLAIMS
			 " -o %s/report.html 2>&1",
		     tl_dir, tl_dir, tl_dir);
	free(out);
	/* The DOM after load in a real browser: each chart says how many series it drew. */
	out = browser_dom("report.html");
	assert_non_null(strstr(out, "data-ready=\"yes\""));
	assert_int_equal(count(out, "<svg class=\"chart\""), 4);
	assert_int_equal(count(out, "data-drawn=\"3\""), 4);
	/* Escaped, never markup: the claim's text came from a file. */
	assert_non_null(strstr(out, "host&lt;s&gt;"));
	assert_non_null(strstr(out, "ci-6.19, kernel 6.19.0-test"));
	/* Both claims files: the older array's row, and the document with its ratios drawn. */
	assert_int_equal(count(out, "<table class=\"claims\">"), 2);
	assert_int_equal(count(out, "<svg class=\"chart claims\""), 1);
	free(out);
	assert_tidy("report.html");
	/* Each chart, alone, is a well-formed SVG document. */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && awk '/<svg class=\"chart\"/ { n++; f = \"chart\" n \".svg\" } "
		 "f { print > f } /<\\/svg>/ { f = \"\" }' report.html && "
		 "sed -i 's/<\\/svg>.*/<\\/svg>/' chart*.svg && "
		 "sed -i 's/.*<svg class/<svg class/' chart*.svg && "
		 "ls chart*.svg | wc -l && xmllint --noout chart*.svg",
		 tl_dir);
	out = tl_capture(cmd, &st);
	if (st)
		print_error("xmllint: %s\n", out);
	assert_int_equal(st, 0);
	assert_int_equal(atoi(out), 4);
	free(out);
}

/*
 * A claims file alone: a page of the claims, rendered: where and when they
 * were checked, the verdicts as the file counts them, each performance
 * ratio drawn with the interval the file gives, every row.
 */
static void test_report_claims_alone(void **state)
{
	json_t *doc = json_load_file(FIX_CLAIMS, 0, NULL), *row, *q;
	char cmd[2048], want[300], *out;
	size_t i, k, nratios = 0;
	int st;

	(void)state;
	assert_non_null(doc);
	out = tl_run(0, NSB " report " FIX_CLAIMS " -o %s/claims.html 2>&1", tl_dir);
	assert_non_null(strstr(out, "report of 1 file(s)"));
	free(out);
	snprintf(cmd, sizeof(cmd), "cat %s/claims.html", tl_dir);
	out = tl_capture(cmd, &st);
	assert_non_null(strstr(out, "<h1>nsbench: the mode comparison, checked on a kernel</h1>"));
	/* No run's sections without a run. */
	assert_null(strstr(out, "<svg class=\"chart\""));
	assert_null(strstr(out, "Hot path"));
	snprintf(want, sizeof(want), "%lld hold, %lld do not hold, %lld inconclusive, %lld cannot",
		 (long long)json_integer_value(
			 json_object_get(json_object_get(doc, "verdicts"), "holds")),
		 (long long)json_integer_value(
			 json_object_get(json_object_get(doc, "verdicts"), "does not hold")),
		 (long long)json_integer_value(
			 json_object_get(json_object_get(doc, "verdicts"), "inconclusive")),
		 (long long)json_integer_value(
			 json_object_get(json_object_get(doc, "verdicts"), "cannot check")));
	assert_non_null(strstr(out, want));
	snprintf(
		want, sizeof(want), "kernel %s",
		json_string_value(json_object_get(json_object_get(doc, "host"), "kernel_release")));
	assert_non_null(strstr(out, want));
	/* Every row, and every ratio drawn with the file's figures. */
	assert_int_equal(count(out, "</td></tr>") - 1,
			 (int)json_array_size(json_object_get(doc, "claims")));
	json_array_foreach(json_object_get(doc, "claims"), i, row)
		json_array_foreach(json_object_get(json_object_get(row, "figures"), "ratios"), k,
				   q) {
			snprintf(want, sizeof(want),
				 "<title>%s/%s %s: %.3fx [%.3f, %.3f], %s</title>",
				 json_string_value(json_object_get(q, "of")),
				 json_string_value(json_object_get(q, "to")),
				 json_string_value(json_object_get(q, "metric")),
				 json_number_value(json_object_get(q, "ratio")),
				 json_number_value(json_object_get(q, "ci_low")),
				 json_number_value(json_object_get(q, "ci_high")),
				 json_string_value(json_object_get(q, "side")));
			assert_non_null(strstr(out, want));
			nratios++;
		}
	assert_int_equal(count(out, "<circle class=\"ratio\""), (int)nratios);
	assert_true(nratios >= 8);
	free(out);
	json_decref(doc);
	if (system(HAVE_TOOLS)) {
		print_message("SKIP the browser: needs chromium, tidy and xmllint\n");
		return;
	}
	assert_tidy("claims.html");
	out = browser_dom("claims.html");
	assert_non_null(strstr(out, "data-ready=\"yes\""));
	assert_non_null(strstr(out, "data-metric=\"claims\" data-series=\"1\""));
	assert_int_equal(count(out, "data-drawn=\"1\""), 1);
	free(out);
	/* The chart alone is a well-formed SVG document. */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && sed -n '/<svg class=\"chart claims\"/,/<\\/svg>/p' claims.html | "
		 "sed 's/<\\/svg>.*/<\\/svg>/; s/.*<svg class/<svg class/' > claims.svg && "
		 "xmllint --noout claims.svg",
		 tl_dir);
	out = tl_capture(cmd, &st);
	if (st)
		print_error("xmllint: %s\n", out);
	assert_int_equal(st, 0);
	free(out);
}

static void test_report_bad_input(void **state)
{
	static const char *const bad[] = {"/nonexistent.json", "truncated", "noresults",
					  "newer-claims", "no-claims"};
	char cmd[1024], path[600], *out;
	struct stat sb;
	int st;

	(void)state;
	snprintf(cmd, sizeof(cmd),
		 "head -c 1000 " FIX_VM " > %s/truncated && "
		 "printf '{\"schema_version\": 1, \"nsbench\": {}, \"host\": {\"kernel_release\": "
		 "\"x\"}, \"config\": {}, \"results\": []}' > %s/noresults && "
		 "jq '.claims_version = 2' " FIX_CLAIMS " > %s/newer-claims && "
		 "jq 'del(.claims)' " FIX_CLAIMS " > %s/no-claims",
		 tl_dir, tl_dir, tl_dir, tl_dir);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i][0] == '/')
			snprintf(path, sizeof(path), "%s", bad[i]);
		else
			snprintf(path, sizeof(path), "%s/%s", tl_dir, bad[i]);
		snprintf(cmd, sizeof(cmd), NSB " report " FIX_VM " %s -o %s/bad.html 2>&1", path,
			 tl_dir);
		out = tl_capture(cmd, &st);
		if (st != 2 || !strstr(out, path))
			print_error("%s: exit %d: %s\n", bad[i], st, out);
		assert_int_equal(st, 2);
		assert_non_null(strstr(out, path));
		/* Alone or beside a good file: refused the same. */
		if (i >= 3) {
			free(out);
			out = tl_run(2, NSB " report %s -o %s/bad.html 2>&1", path, tl_dir);
			assert_non_null(strstr(out, i == 3 ? "upgrade nsbench" : "without claims"));
		}
		free(out);
		snprintf(path, sizeof(path), "%s/bad.html", tl_dir);
		assert_int_not_equal(stat(path, &sb), 0);
	}
	out = tl_run(2, NSB " report " FIX_VM " 2>&1");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_three_files),
		cmocka_unit_test(test_report_claims_alone),
		cmocka_unit_test(test_report_bad_input),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_tmpdir_setup, tl_tmpdir_teardown);
}
