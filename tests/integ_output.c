// SPDX-License-Identifier: MIT
/*
 * Who prints (root): the library says nothing on its own -- its notices go
 * to the sink the CLI installs, or nowhere -- and the CLI shows a run's
 * progress on a terminal, as lines when asked with -v, and not at all on a
 * pipe or file. The rules of the tree behind it are scripts/check-layout.sh.
 */
#include "labtest.h"

#include "harness/common/notice.h"
#include "harness/lab/clean.h"
#include "harness/lab/lab.h"

/* Two short measurements: two progress steps, about a second in all. */
#define SHORT_RUN                                                                                  \
	"run --modes host,none --tests tcp_rr --reps 1 --rr-duration 0.2 --no-hot-path --out "

static char *file_text(const char *path)
{
	char cmd[320];

	snprintf(cmd, sizeof(cmd), "cat %s", path);
	return tl_capture(cmd, NULL);
}

/* A short run, stdout to /dev/null, stderr to a file: what stderr got. */
static char *run_stderr(const char *global_opts)
{
	char err[300];
	char *out;

	snprintf(err, sizeof(err), "%s/stderr", tl_dir);
	out = tl_run(0, NSB " %s " SHORT_RUN "%s >/dev/null 2>%s; echo $?", global_opts, tl_dir,
		     err);
	assert_string_equal(out, "0\n");
	free(out);
	return file_text(err);
}

static void test_no_progress_on_a_file(void **state)
{
	size_t before = clean_count_leftovers();
	char *err;

	(void)state;
	SKIP_UNLESS_ROOT();
	err = run_stderr("");
	/* What the run says once (the plan, the results file) stays; the steps do not. */
	assert_non_null(strstr(err, "nsbench: results in "));
	assert_null(strstr(err, "[1/2]"));
	assert_null(strstr(err, "\033[K"));
	free(err);
	/* Against what was there before: another worker's labs are not this run's. */
	assert_int_equal(clean_count_leftovers(), before);
}

static void test_progress_lines_when_asked(void **state)
{
	char *err;

	(void)state;
	SKIP_UNLESS_ROOT();
	err = run_stderr("-v");
	assert_non_null(strstr(err, "nsbench: [1/2] rep 1/1 host ingress tcp_rr (about "));
	assert_non_null(strstr(err, "nsbench: [2/2] rep 1/1 none loopback tcp_rr (about "));
	assert_null(strstr(err, "\033[K"));
	free(err);
}

static void test_progress_on_a_terminal(void **state)
{
	char cmd[700], ts[300], *out, *text, *step1, *step2, *results;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	if (system("command -v script >/dev/null 2>&1")) {
		print_message("SKIP: script(1) (bsdutils) is needed for a terminal\n");
		skip();
	}
	/* script(1) gives the run a pseudo-terminal for stderr; its typescript keeps what showed.
	 */
	snprintf(ts, sizeof(ts), "%s/typescript", tl_dir);
	snprintf(cmd, sizeof(cmd), "script -qec '" NSB " " SHORT_RUN "%s >/dev/null' %s", tl_dir,
		 ts);
	out = tl_capture(cmd, &st);
	free(out);
	assert_int_equal(st, 0);
	text = file_text(ts);
	step1 = strstr(text, "\r\033[K[1/2] rep 1/1 host ingress tcp_rr  00:0");
	step2 = strstr(text, "\r\033[K[2/2] rep 1/1 none loopback tcp_rr  00:0");
	results = strstr(text, "nsbench: results in ");
	assert_non_null(step1);
	assert_non_null(step2);
	assert_non_null(results);
	/* One line, rewritten in place, and erased before the run's last words. */
	assert_true(step1 < step2 && step2 < results);
	assert_memory_equal(results - 4, "\r\033[K", 4);
	assert_null(strstr(text, "nsbench: [1/2]"));
	free(text);
}

/* A narrow terminal: each progress line is cut to fit it, the time left kept; never wrapped. */
static void test_progress_fits_the_terminal(void **state)
{
	char cmd[700], ts[300], *text, *p;
	int lines = 0;

	(void)state;
	SKIP_UNLESS_ROOT();
	if (system("command -v script >/dev/null 2>&1")) {
		print_message("SKIP: script(1) (bsdutils) is needed for a terminal\n");
		skip();
	}
	snprintf(ts, sizeof(ts), "%s/narrow", tl_dir);
	snprintf(cmd, sizeof(cmd),
		 "script -qec 'stty cols 30; " NSB " " SHORT_RUN "%s >/dev/null' %s >/dev/null",
		 tl_dir, ts);
	assert_int_equal(system(cmd), 0);
	text = file_text(ts);
	for (p = strstr(text, "\r\033[K["); p; p = strstr(p + 1, "\r\033[K[")) {
		size_t len = strcspn(p + 4, "\r\n");

		/* 29 columns at most: the 30th would wrap on some terminals. */
		if (len > 29)
			print_error("%zu columns: %.*s\n", len, (int)len, p + 4);
		assert_true(len <= 29);
		assert_memory_equal(p + 4 + len - 5, " left", 5);
		lines++;
	}
	assert_int_equal(lines, 2);
	free(text);
}

struct heard {
	char text[8192];
	unsigned int n[NOTICE_STATUS + 1];
};

static void hear(void *arg, enum notice_kind kind, const char *msg)
{
	struct heard *h = arg;
	size_t len = strlen(h->text);

	h->n[kind]++;
	snprintf(h->text + len, sizeof(h->text) - len, "%d %s\n", (int)kind, msg);
}

/* A lab that its (running) owner left up: clean leaves it, and says so at INFO. */
static void lab_and_clean(struct lab **out)
{
	struct clean_report r;
	struct lab *lab = tl_lab_with(MODE_HOST);

	assert_int_equal(clean_all("test", &r), 0);
	assert_int_equal(r.labs_skipped, 1);
	*out = lab;
}

static void test_library_speaks_only_through_the_sink(void **state)
{
	struct heard h = {.text = ""};
	struct notice_sink sink = {.verbosity = NOTICE_DEBUG, .say = hear, .arg = &h};
	char path[300], want[128], *err;
	struct lab *lab;
	size_t before = clean_count_leftovers();
	int saved, fd;

	(void)state;
	SKIP_UNLESS_ROOT();
	snprintf(path, sizeof(path), "%s/lib-stderr", tl_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	close(fd);

	/* No sink: the lab's steps and clean's words go nowhere. */
	notice_set_sink(NULL);
	lab_and_clean(&lab);
	tl_lab_done(lab);

	/* A sink: they come to it, and still not to stderr. */
	notice_set_sink(&sink);
	lab_and_clean(&lab);
	notice_set_sink(NULL);
	snprintf(want, sizeof(want), "%d lab %s: +", NOTICE_DEBUG, lab->id);
	assert_non_null(strstr(h.text, want));
	assert_non_null(strstr(h.text, "creating namespace"));
	snprintf(want, sizeof(want), "%d lab %s: owned by a running nsbench, left alone",
		 NOTICE_INFO, lab->id);
	assert_non_null(strstr(h.text, want));
	assert_int_equal(h.n[NOTICE_ERROR] + h.n[NOTICE_WARNING], 0);
	tl_lab_done(lab);

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	err = file_text(path);
	assert_string_equal(err, "");
	free(err);
	assert_int_equal(clean_count_leftovers(), before);
	assert_root_unchanged();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_progress_on_a_file),
		cmocka_unit_test(test_progress_lines_when_asked),
		cmocka_unit_test(test_progress_on_a_terminal),
		cmocka_unit_test(test_progress_fits_the_terminal),
		cmocka_unit_test(test_library_speaks_only_through_the_sink),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group_tmpdir, tl_teardown_group_tmpdir);
}
