// SPDX-License-Identifier: MIT
/*
 * The bench layer without root: what a failed endpoint's message says, the
 * CPUs a placement may name, and the metrics taken from libiperf's JSON.
 */
#include "testlib.h"
#include <errno.h>
#include <math.h>
#include <sched.h>

#include "bench/measurement.h"

/*
 * A server that dies before it writes anything (here: its namespace does not
 * exist) is named with the reason, and nothing after it: the message used to
 * print the endpoint's unwritten output buffer, whatever the heap held there.
 */
static void test_server_setup_failure_message(void **state)
{
	struct bench_target t = {
		.mode = "host", .path = "ingress", .server_port = 5201, .dst_port = 5201};
	struct bench_opts o;
	json_t *res = NULL;
	char why[512], *dirty, *guard;
	const char *tail = "(could not enter its namespace)";

	(void)state;
	snprintf(t.server_ns, sizeof(t.server_ns), "nsb-0none0-inst");
	snprintf(t.client_ns, sizeof(t.client_ns), "nsb-0none0-vpc");
	snprintf(t.server_bind, sizeof(t.server_bind), "0.0.0.0");
	snprintf(t.dst_addr, sizeof(t.dst_addr), "198.18.0.2");
	bench_opts_default(&o);
	/* Leave stray bytes where the endpoint's output buffer will be allocated. */
	dirty = malloc(20000);
	guard = malloc(64);
	assert_non_null(dirty);
	assert_non_null(guard);
	memset(dirty, 'X', 20000);
	free(dirty);
	assert_int_not_equal(bench_run(TEST_TCP_RR, &o, &t, &res, why, sizeof(why)), 0);
	assert_null(res);
	free(guard);
	if (strlen(why) < strlen(tail) || strcmp(why + strlen(why) - strlen(tail), tail))
		print_error("why: '%s'\n", why);
	assert_true(strlen(why) >= strlen(tail));
	assert_string_equal(why + strlen(why) - strlen(tail), tail);
}

/* --cpus: a CPU this process may not run on is refused, with the ones it may. */
static void test_cpus_check(void **state)
{
	struct bench_cpus c = {.policy = PLACE_SAME, .client = 4095, .server = 4095};
	char why[256];
	cpu_set_t set;
	int first = -1;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &set))
			first = i;
	assert_int_equal(bench_cpus_check(&c, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "CPU 4095 is not one this process may run on ("));
	c.client = c.server = first;
	assert_int_equal(bench_cpus_check(&c, why, sizeof(why)), 0);
	c.client = c.server = -1;
	assert_int_equal(bench_cpus_check(&c, why, sizeof(why)), 0);
	/* The CPUs must be what the policy says: the placement is recorded with the result. */
	c = (struct bench_cpus){.policy = PLACE_SAME, .client = first, .server = first + 1};
	assert_int_equal(bench_cpus_check(&c, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "that is split"));
	c = (struct bench_cpus){.policy = PLACE_SPLIT, .client = first, .server = first};
	assert_int_equal(bench_cpus_check(&c, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "that is same"));
	c = (struct bench_cpus){.policy = PLACE_FREE, .client = first, .server = first};
	assert_int_equal(bench_cpus_check(&c, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "scheduler"));
}

/*
 * UDP at 1.5 Gbit/s for 2 s after a 1 s warm-up (--omit 1; libiperf 3.12's
 * real JSON, host mode): the receiver got 64630 datagrams of 1448 bytes in
 * the measured 2 s (374 Mbit/s) and lost 58662 of the 123292 sent then. The
 * client's end.sum_received said "lost 88266 of 122872": the warm-up's
 * 29604 losses counted against the measured interval.
 */
static void test_udp_loss_after_omit(void **state)
{
	struct stream_opts o;
	json_error_t err;
	json_t *iperf = json_load_file("tests/fixtures/iperf-udp-omit1.json", 0, &err), *m = NULL;
	double bps, got;
	long long lost, sent;
	char why[256];

	(void)state;
	assert_non_null(iperf);
	stream_opts_default(&o);
	o.udp = true;
	assert_int_equal(stream_metrics(&o, iperf, &m, why, sizeof(why)), 0);
	lost = json_integer_value(json_object_get(m, "lost_packets"));
	sent = json_integer_value(json_object_get(m, "packets"));
	bps = json_number_value(json_object_get(m, "throughput_bps"));
	assert_int_equal(lost, 58662);
	assert_int_equal(sent, 123292);
	/* What arrived, by the loss count, is what the throughput says arrived. */
	got = (double)(sent - lost) * 1448 * 8 / 2.000131;
	assert_true(fabs(got / bps - 1) < 0.01);
	assert_true(fabs(json_number_value(json_object_get(m, "lost_percent")) -
			 100.0 * 58662 / 123292) < 1e-9);
	json_decref(m);
	json_decref(iperf);
}

/* TCP: a missing receiver's summary or nothing received is an error that says so, not 0. */
static void test_tcp_nothing_received(void **state)
{
	static const char *const docs[] = {
		"{\"start\": {}, \"end\": {\"sum_sent\": {\"bits_per_second\": 1e9}}}",
		"{\"start\": {}, \"end\": {\"sum_sent\": {\"bits_per_second\": 0}, "
		"\"sum_received\": {\"bits_per_second\": 0}}}",
		"{\"start\": {}, \"end\": {\"sum_received\": {\"bits_per_second\": 5e9}}}",
	};
	static const char *const says[] = {"no receiver's summary", "the receiver got nothing",
					   NULL};
	struct stream_opts o;
	char why[256];

	(void)state;
	stream_opts_default(&o);
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_t *iperf = json_loads(docs[i], 0, NULL), *m = NULL;
		int ret;

		assert_non_null(iperf);
		why[0] = 0;
		ret = stream_metrics(&o, iperf, &m, why, sizeof(why));
		if (says[i]) {
			assert_int_equal(ret, -EIO);
			assert_non_null(strstr(why, says[i]));
			assert_null(m);
		} else {
			assert_int_equal(ret, 0);
			assert_true(json_number_value(json_object_get(m, "throughput_bps")) == 5e9);
			json_decref(m);
		}
		json_decref(iperf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_setup_failure_message),
		cmocka_unit_test(test_cpus_check),
		cmocka_unit_test(test_udp_loss_after_omit),
		cmocka_unit_test(test_tcp_nothing_received),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
