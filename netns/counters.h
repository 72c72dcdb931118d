/* SPDX-License-Identifier: MIT */
#ifndef NSB_COUNTERS_H
#define NSB_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

/* Per-interface packet counters of one namespace, through RTM_GETSTATS (libmnl). */
struct if_counters {
	int ifindex;
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_dropped, tx_dropped;
};

struct counters_sock;

int counters_open(struct counters_sock **out, const char *netns);
void counters_close(struct counters_sock *cs);
int counters_read(struct counters_sock *cs, struct if_counters *out, size_t max, size_t *n);
/* One IFLA_STATS_LINK_64 payload of LEN bytes into C; -EPROTO when too short (exposed for tests). */
int counters_from_stats64(const void *payload, size_t len, struct if_counters *c);

/* /proc/net/snmp of a namespace: the counters nsbench reads. */
struct snmp_counters {
	uint64_t ip_in_receives, ip_forw_datagrams, ip_out_requests;
	uint64_t udp_in_datagrams, udp_out_datagrams, udp_rcvbuf_errors;
	uint64_t tcp_retrans_segs;
};

int snmp_read(const char *netns, struct snmp_counters *s);
/* Parses the text of /proc/net/snmp (exposed for the unit tests). */
int snmp_parse(const char *text, struct snmp_counters *s);
/*
 * The same counters of IPv6 from /proc/net/snmp6 (Ip6InReceives, ...,
 * Udp6RcvbufErrors); tcp_retrans_segs stays 0 (TCP's counters are one for both
 * families, in /proc/net/snmp).
 */
int snmp6_read(const char *netns, struct snmp_counters *s);
int snmp6_parse(const char *text, struct snmp_counters *s);

#endif
