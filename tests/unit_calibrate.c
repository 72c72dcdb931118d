// SPDX-License-Identifier: MIT
/*
 * calibrate's verdicts on data with a known answer: emulated against real,
 * paired by round, within 5% (an interval inside 0.95-1.05), outside (wholly
 * beyond it) or undecided (neither), and what the worst of them makes of the
 * exit status.
 */
#include "testlib.h"
#include <math.h>

#include "harness/measure/calibrate.h"

static void test_within(void **state)
{
	(void)state;
	assert_string_equal(calibrate_within(0.96, 1.04), "within 5%");
	assert_string_equal(calibrate_within(0.95, 1.05), "within 5%");
	assert_string_equal(calibrate_within(1.06, 1.20), "outside 5%");
	assert_string_equal(calibrate_within(0.80, 0.94), "outside 5%");
	/* Straddling a limit, or both: the evidence decides neither way. */
	assert_string_equal(calibrate_within(0.90, 1.02), "undecided");
	assert_string_equal(calibrate_within(1.01, 1.09), "undecided");
	assert_string_equal(calibrate_within(0.90, 1.10), "undecided");
}

/* Real figures drifting round to round; emulated = real x RATIO x a small wobble. */
static void series(double ratio, double wobble, double *real, double *emu, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		real[i] = 20.0 * (1 + 0.2 * sin(i));
		emu[i] = real[i] * ratio * (1 + wobble * ((i % 2) ? 1 : -1));
	}
}

static void test_pair(void **state)
{
	double real[10], emu[10];
	json_t *o;
	int worst = 0;

	(void)state;
	/* 2% slower, 0.5% wobble: a tight interval around 1.02, within 5%. */
	series(1.02, 0.005, real, emu, 10);
	o = calibrate_pair(real, emu, 10, &worst);
	assert_float_equal(json_number_value(json_object_get(o, "ratio")), 1.02, 0.001);
	assert_true(json_number_value(json_object_get(o, "ci95_low")) > 1.0);
	assert_true(json_number_value(json_object_get(o, "ci95_high")) < 1.05);
	assert_string_equal(json_string_value(json_object_get(o, "verdict")), "within 5%");
	assert_int_equal(worst, 0);
	json_decref(o);
	/* 8% wobble: the same ratio, not settled; the worst so far is undecided. */
	series(1.02, 0.08, real, emu, 10);
	o = calibrate_pair(real, emu, 10, &worst);
	assert_string_equal(json_string_value(json_object_get(o, "verdict")), "undecided");
	assert_int_equal(worst, 3);
	json_decref(o);
	/* 20% slower: outside, and that is the exit status whatever came before. */
	series(1.20, 0.005, real, emu, 10);
	o = calibrate_pair(real, emu, 10, &worst);
	assert_string_equal(json_string_value(json_object_get(o, "verdict")), "outside 5%");
	assert_int_equal(worst, 1);
	json_decref(o);
	/* An undecided metric after an outside one leaves it outside. */
	series(1.02, 0.08, real, emu, 10);
	o = calibrate_pair(real, emu, 10, &worst);
	assert_int_equal(worst, 1);
	json_decref(o);
	/* One round: no interval at all, undecided. */
	worst = 0;
	o = calibrate_pair(real, emu, 1, &worst);
	assert_string_equal(json_string_value(json_object_get(o, "verdict")), "undecided");
	assert_int_equal(worst, 3);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_within),
		cmocka_unit_test(test_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
