// SPDX-License-Identifier: MIT
/*
 * Every input of the fuzzers' corpora (tests/fuzz/corpus: the seeds, and each
 * crash `make fuzz` found, kept once fixed) through the same harnesses, built
 * with gcc: `make test` replays them under valgrind and ASan, no clang needed.
 */
#include "testlib.h"
#include <dirent.h>
#include <sys/stat.h>

#define LLVMFuzzerTestOneInput fuzz_results_one
#include "fuzz/fuzz_results.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_args_one
#include "fuzz/fuzz_args.c"
#undef LLVMFuzzerTestOneInput

static size_t replay(const char *dir, int (*one)(const uint8_t *, size_t))
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[512];
		struct stat st;
		uint8_t *buf;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		buf = malloc((size_t)st.st_size + 1);
		f = fopen(path, "rb");
		assert_non_null(buf);
		assert_non_null(f);
		assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
		fclose(f);
		assert_int_equal(one(buf, (size_t)st.st_size), 0);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void test_results_corpus(void **state)
{
	(void)state;
	/* The seeds at least: a real file, a crafted one, the malformed kinds. */
	assert_true(replay("tests/fuzz/corpus/results", fuzz_results_one) >= 5);
}

static void test_args_corpus(void **state)
{
	(void)state;
	assert_true(replay("tests/fuzz/corpus/args", fuzz_args_one) >= 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_results_corpus),
		cmocka_unit_test(test_args_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
