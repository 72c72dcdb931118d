// SPDX-License-Identifier: MIT
/* Address plan, port allocators and argument parsing: no root needed. */
#include "testlib.h"
#include <errno.h>

#include "harness/common/parse.h"
#include "harness/lab/addrplan.h"
#include "harness/lab/ports.h"

static void test_ip4_net_parse(void **state)
{
	struct ip4_net n;
	char out[20];

	(void)state;
	assert_int_equal(ip4_net_parse("198.18.0.0/24", &n), 0);
	assert_int_equal(n.plen, 24);
	assert_int_equal(ip4_net_format(&n, out), 0);
	assert_string_equal(out, "198.18.0.0/24");
	/* Host bits are masked off. */
	assert_int_equal(ip4_net_parse("198.19.0.77/16", &n), 0);
	ip4_net_format(&n, out);
	assert_string_equal(out, "198.19.0.0/16");
	assert_int_equal(ip4_net_parse("198.18.0.0", &n), -EINVAL);
	assert_int_equal(ip4_net_parse("198.18.0.0/", &n), -EINVAL);
	assert_int_equal(ip4_net_parse("198.18.0.0/33", &n), -EINVAL);
	assert_int_equal(ip4_net_parse("198.18.0.0/30", &n), -EINVAL);
	assert_int_equal(ip4_net_parse("198.18.0.0/7", &n), -EINVAL);
	assert_int_equal(ip4_net_parse("198.18.0/24", &n), -EINVAL);
	assert_int_equal(ip4_net_parse("198.18.0.256/24", &n), -EINVAL);
	assert_int_equal(ip4_net_parse("198.18.0.0/24x", &n), -EINVAL);
	assert_int_equal(ip4_net_parse("", &n), -EINVAL);
	assert_int_equal(ip4_net_parse(NULL, &n), -EINVAL);
}

static void test_ip4_net_host(void **state)
{
	struct ip4_net n;
	char out[16];

	(void)state;
	ip4_net_parse("198.18.0.0/24", &n);
	assert_int_equal(ip4_net_hosts(&n), 254);
	assert_int_equal(ip4_net_host(&n, 1, out), 0);
	assert_string_equal(out, "198.18.0.1");
	assert_int_equal(ip4_net_host(&n, 254, out), 0);
	assert_string_equal(out, "198.18.0.254");
	/* Network and broadcast addresses are not hosts. */
	assert_int_equal(ip4_net_host(&n, 0, out), -ERANGE);
	assert_int_equal(ip4_net_host(&n, 255, out), -ERANGE);
	ip4_net_parse("198.18.0.0/29", &n);
	assert_int_equal(ip4_net_hosts(&n), 6);
	assert_int_equal(ip4_net_host(&n, 7, out), -ERANGE);
	ip4_net_parse("198.18.0.0/23", &n);
	assert_int_equal(ip4_net_host(&n, 300, out), 0);
	assert_string_equal(out, "198.18.1.44");
}

static void test_ip6_net(void **state)
{
	struct ip6_net n;
	char out[IP6_ADDR_LEN], net[IP6_ADDR_LEN + 4], cidr[64];

	(void)state;
	assert_int_equal(ip6_net_parse("2001:2::/64", &n), 0);
	assert_int_equal(ip6_net_format(&n, net), 0);
	assert_string_equal(net, "2001:2::/64");
	/* The VPC router, the instance, awsvpc task 1 (offset 10 + 1): the IPv4 plan's numbers. */
	assert_int_equal(ip6_net_host(&n, 1, out), 0);
	assert_string_equal(out, "2001:2::1");
	assert_int_equal(ip6_net_host(&n, 2, out), 0);
	assert_string_equal(out, "2001:2::2");
	assert_int_equal(ip6_net_host(&n, 11, out), 0);
	assert_string_equal(out, "2001:2::b");
	assert_int_equal(ip6_net_host(&n, 65536, out), 0);
	assert_string_equal(out, "2001:2::1:0");
	assert_int_equal(ip6_net_host(&n, 0, out), -ERANGE);
	assert_int_equal(ip6_net_cidr(cidr, sizeof(cidr), out, &n), 0);
	assert_string_equal(cidr, "2001:2::1:0/64");
	assert_int_equal(ip6_net_cidr(cidr, 8, out, &n), -EINVAL);
	/* Host bits of the text are dropped; a long prefix has few hosts. */
	assert_int_equal(ip6_net_parse("2001:2:0:5:ffff::7/120", &n), 0);
	ip6_net_format(&n, net);
	assert_string_equal(net, "2001:2:0:5:ffff::/120");
	assert_int_equal(ip6_net_host(&n, 255, out), 0);
	assert_string_equal(out, "2001:2:0:5:ffff::ff");
	assert_int_equal(ip6_net_host(&n, 256, out), -ERANGE);
	assert_int_equal(ip6_net_parse("2001:2::/47", &n), -EINVAL);
	assert_int_equal(ip6_net_parse("2001:2::/121", &n), -EINVAL);
	assert_int_equal(ip6_net_parse("2001:2::", &n), -EINVAL);
	assert_int_equal(ip6_net_parse("198.18.0.0/24", &n), -EINVAL);
	assert_int_equal(ip6_net_parse("2001:2::g/64", &n), -EINVAL);
	assert_int_equal(ip6_net_parse(NULL, &n), -EINVAL);
}

static void test_port_claim(void **state)
{
	struct port_table t;
	int holder = -1;

	(void)state;
	port_table_init(&t);
	assert_int_equal(port_claim(&t, 80, 1, &holder), 0);
	assert_int_equal(port_claim(&t, 81, 2, &holder), 0);
	assert_int_equal(port_claim(&t, 80, 3, &holder), -EADDRINUSE);
	assert_int_equal(holder, 1);
	assert_int_equal(port_claim(&t, 0, 3, &holder), -EINVAL);
	port_release_owner(&t, 1);
	assert_int_equal(port_claim(&t, 80, 3, &holder), 0);
	assert_int_equal(port_claim(&t, 81, 4, &holder), -EADDRINUSE);
	assert_int_equal(holder, 2);
}

static void test_port_alloc(void **state)
{
	struct port_table t;
	uint16_t p = 0;
	int holder;

	(void)state;
	port_table_init(&t);
	assert_int_equal(port_claim(&t, 49154, 1, NULL), 0);
	assert_int_equal(port_alloc(&t, 49153, 49156, 2, &p), 0);
	assert_int_equal(p, 49153);
	/* The static claim is skipped, not handed out twice. */
	assert_int_equal(port_alloc(&t, 49153, 49156, 3, &p), 0);
	assert_int_equal(p, 49155);
	assert_int_equal(port_alloc(&t, 49153, 49156, 4, &p), 0);
	assert_int_equal(p, 49156);
	assert_int_equal(port_alloc(&t, 49153, 49156, 5, &p), -ENOSPC);
	assert_int_equal(port_claim(&t, 49155, 6, &holder), -EADDRINUSE);
	assert_int_equal(holder, 3);
	assert_int_equal(port_alloc(&t, 10, 9, 5, &p), -EINVAL);
	assert_int_equal(port_alloc(&t, 0, 9, 5, &p), -EINVAL);
	assert_int_equal(port_alloc(&t, 65535, 65535, 7, &p), 0);
	assert_int_equal(p, 65535);
}

static void test_port_table_full(void **state)
{
	struct port_table t;
	uint16_t p;

	(void)state;
	port_table_init(&t);
	for (unsigned int i = 0; i < PORT_TABLE_MAX; i++)
		assert_int_equal(port_alloc(&t, 1000, 65535, (int)i, &p), 0);
	assert_int_equal(p, 1000 + PORT_TABLE_MAX - 1);
	assert_int_equal(port_alloc(&t, 1000, 65535, 9999, &p), -ENOSPC);
}

static void test_port_range_parse(void **state)
{
	uint16_t lo, hi;

	(void)state;
	assert_int_equal(port_range_parse("32768\t60999\n", &lo, &hi), 0);
	assert_int_equal(lo, 32768);
	assert_int_equal(hi, 60999);
	assert_int_equal(port_range_parse("49153 65535", &lo, &hi), 0);
	assert_int_equal(lo, 49153);
	assert_int_equal(hi, 65535);
	assert_int_equal(port_range_parse("60999 32768", &lo, &hi), -EINVAL);
	assert_int_equal(port_range_parse("1 70000", &lo, &hi), -EINVAL);
	assert_int_equal(port_range_parse("0 10", &lo, &hi), -EINVAL);
	assert_int_equal(port_range_parse("32768", &lo, &hi), -EINVAL);
	assert_int_equal(port_range_parse("a b", &lo, &hi), -EINVAL);
	assert_int_equal(port_range_parse("1 2 3", &lo, &hi), -EINVAL);
	assert_int_equal(port_range_parse(NULL, &lo, &hi), -EINVAL);
}

static void test_parse_uint_port(void **state)
{
	unsigned long v;
	uint16_t p;

	(void)state;
	assert_int_equal(parse_uint("3", 1, 10, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(parse_uint("0", 1, 10, &v), -ERANGE);
	assert_int_equal(parse_uint("11", 1, 10, &v), -ERANGE);
	assert_int_equal(parse_uint("-1", 1, 10, &v), -EINVAL);
	assert_int_equal(parse_uint(" 1", 1, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("1x", 1, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("", 1, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("99999999999999999999999", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_port("65535", &p), 0);
	assert_int_equal(p, 65535);
	assert_int_equal(parse_port("65536", &p), -ERANGE);
	assert_int_equal(parse_port("0", &p), -ERANGE);
	assert_int_equal(parse_port("http", &p), -EINVAL);
}

static int count_item(const char *tok, void *arg)
{
	if (!strcmp(tok, "bad"))
		return -ERANGE;
	(*(int *)arg)++;
	return 0;
}

static void test_parse_csv(void **state)
{
	int n = 0;

	(void)state;
	assert_int_equal(parse_csv("a,b,c", count_item, &n), 0);
	assert_int_equal(n, 3);
	n = 0;
	assert_int_equal(parse_csv("a", count_item, &n), 0);
	assert_int_equal(n, 1);
	/* Empty items are refused before any item is looked at. */
	n = 0;
	assert_int_equal(parse_csv("a,,b", count_item, &n), -EINVAL);
	assert_int_equal(parse_csv(",a", count_item, &n), -EINVAL);
	assert_int_equal(parse_csv("a,", count_item, &n), -EINVAL);
	assert_int_equal(parse_csv("", count_item, &n), -EINVAL);
	assert_int_equal(parse_csv(NULL, count_item, &n), -EINVAL);
	assert_int_equal(n, 0);
	/* The item's error stops the walk. */
	assert_int_equal(parse_csv("a,bad,c", count_item, &n), -ERANGE);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4_net_parse),	 cmocka_unit_test(test_ip4_net_host),
		cmocka_unit_test(test_ip6_net),		 cmocka_unit_test(test_port_claim),
		cmocka_unit_test(test_port_alloc),	 cmocka_unit_test(test_port_table_full),
		cmocka_unit_test(test_port_range_parse), cmocka_unit_test(test_parse_uint_port),
		cmocka_unit_test(test_parse_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
