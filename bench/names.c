// SPDX-License-Identifier: MIT
/* The names of a measurement's tests, address families and placements, both ways. */
#include <errno.h>
#include <string.h>

#include "bench/measurement.h"

static const char *const test_names[TEST_COUNT] = {
	[TEST_TCP_STREAM] = "tcp_stream",
	[TEST_TCP_REVERSE] = "tcp_reverse",
	[TEST_UDP] = "udp",
	[TEST_TCP_RR] = "tcp_rr",
	[TEST_UDP_RR] = "udp_rr",
	[TEST_TCP_CRR] = "tcp_crr",
	[TEST_TCP_STREAM_PAR] = "tcp_stream_par",
};

static const char *const placement_names[] = {"same", "split", "free"};
static const char *const family_names[FAMILY_COUNT] = {"ipv4", "ipv6"};

const char *bench_test_name(enum bench_test t)
{
	return (unsigned int)t < TEST_COUNT ? test_names[t] : "?";
}

int bench_test_parse(const char *name, enum bench_test *t)
{
	for (int i = 0; i < TEST_COUNT; i++)
		if (name && !strcmp(name, test_names[i])) {
			*t = (enum bench_test)i;
			return 0;
		}
	return -EINVAL;
}

const char *bench_family_name(enum bench_family f)
{
	return (unsigned int)f < FAMILY_COUNT ? family_names[f] : "?";
}

int bench_family_parse(const char *name, enum bench_family *f)
{
	for (int i = 0; i < FAMILY_COUNT; i++)
		if (name &&
		    (!strcmp(name, family_names[i]) || !strcmp(name, family_names[i] + 3))) {
			*f = (enum bench_family)i;
			return 0;
		}
	return -EINVAL;
}

const char *bench_placement_name(enum bench_placement p)
{
	return (unsigned int)p <= PLACE_FREE ? placement_names[p] : "?";
}

int bench_placement_parse(const char *name, enum bench_placement *p)
{
	for (int i = 0; i <= PLACE_FREE; i++)
		if (name && !strcmp(name, placement_names[i])) {
			*p = (enum bench_placement)i;
			return 0;
		}
	return -EINVAL;
}
