// SPDX-License-Identifier: MIT
/*
 * The counters' decoding of what the kernel sends, as each kernel sends it: no
 * root needed. 5.10 sends a 192-byte rtnl_link_stats64 (before
 * rx_otherhost_dropped), 5.19 and later 200 bytes; nsbench once ignored the
 * shorter one, and every hop on 5.10 read nothing.
 */
#include "testlib.h"
#include <errno.h>
#include <linux/if_link.h>

#include "netns/counters.h"

/* A payload as the kernel lays it out: consecutive u64 counters, 4-byte aligned. */
static void fill(uint32_t *words, size_t len)
{
	for (size_t i = 0; i < len / 8; i++) {
		uint64_t v = 1000 + i;

		memcpy(&words[2 * i], &v, sizeof(v));
	}
}

static void check_counters(size_t len)
{
	uint32_t buf[64] = {0};
	struct if_counters c;

	fill(buf, len);
	memset(&c, 0xff, sizeof(c));
	assert_int_equal(counters_from_stats64(buf, len, &c), 0);
	/* rx_packets, tx_packets, rx_bytes, tx_bytes, rx/tx_errors, rx_dropped, tx_dropped. */
	assert_int_equal(c.rx_packets, 1000);
	assert_int_equal(c.tx_packets, 1001);
	assert_int_equal(c.rx_bytes, 1002);
	assert_int_equal(c.tx_bytes, 1003);
	assert_int_equal(c.rx_dropped, 1006);
	assert_int_equal(c.tx_dropped, 1007);
}

static void test_stats64_5_10(void **state)
{
	(void)state;
	check_counters(192);
}

static void test_stats64_current(void **state)
{
	(void)state;
	check_counters(sizeof(struct rtnl_link_stats64));
	/* A later kernel's longer struct: the known part is read, the rest ignored. */
	check_counters(256);
}

static void test_stats64_too_short(void **state)
{
	uint32_t buf[64] = {0};
	struct if_counters c = {0};

	(void)state;
	assert_int_equal(counters_from_stats64(buf, 8 * 8 - 1, &c), -EPROTO);
	assert_int_equal(counters_from_stats64(buf, 0, &c), -EPROTO);
	assert_int_equal(counters_from_stats64(buf, 8 * 8, &c), 0);
}

/* /proc/net/snmp6 as the kernel writes it: a name and a value a line. */
static void test_snmp6(void **state)
{
	static const char text[] = "Ip6InReceives                   \t2005\n"
				   "Ip6InHdrErrors                  \t0\n"
				   "Ip6OutForwDatagrams             \t7\n"
				   "Ip6OutRequests                  \t2003\n"
				   "Icmp6InMsgs                     \t4\n"
				   "Udp6InDatagrams                 \t2000\n"
				   "Udp6OutDatagrams                \t1999\n"
				   "Udp6RcvbufErrors                \t3\n"
				   "UdpLite6InDatagrams             \t9\n";
	struct snmp_counters s;

	(void)state;
	assert_int_equal(snmp6_parse(text, &s), 0);
	assert_int_equal(s.ip_in_receives, 2005);
	assert_int_equal(s.ip_forw_datagrams, 7);
	assert_int_equal(s.ip_out_requests, 2003);
	assert_int_equal(s.udp_in_datagrams, 2000);
	assert_int_equal(s.udp_out_datagrams, 1999);
	assert_int_equal(s.udp_rcvbuf_errors, 3);
	assert_int_equal(s.tcp_retrans_segs, 0);
	/* IPv4's file is not IPv6's. */
	assert_int_equal(snmp6_parse("Ip: Forwarding\nIp: 1\n", &s), -EINVAL);
	assert_int_equal(snmp6_parse("", &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats64_5_10),
		cmocka_unit_test(test_stats64_current),
		cmocka_unit_test(test_stats64_too_short),
		cmocka_unit_test(test_snmp6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
