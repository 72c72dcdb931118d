// SPDX-License-Identifier: MIT
/*
 * Counters that show where packets went and what they cost: interface stats
 * by RTM_GETSTATS (about 7 us for a namespace's links, against 50 us for a
 * RTM_GETLINK dump), and /proc/net/snmp (snmp6) read inside a namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "netns/counters.h"
#include "netns/netns.h"

struct counters_sock {
	struct mnl_socket *nl;
	unsigned int portid;
	char *buf;
};

int counters_open(struct counters_sock **out, const char *netns)
{
	struct counters_sock *cs;
	int saved = -1, ret = 0, leave;

	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	cs->buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	if (!cs->buf) {
		free(cs);
		return -ENOMEM;
	}
	ret = netns_enter(netns, &saved);
	if (ret)
		goto err;
	cs->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!cs->nl)
		ret = -errno;
	else if (mnl_socket_bind(cs->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		ret = -errno;
	leave = netns_leave(saved);
	ret = ret ? ret : leave;
	if (ret)
		goto err;
	cs->portid = mnl_socket_get_portid(cs->nl);
	*out = cs;
	return 0;
err:
	if (cs->nl)
		mnl_socket_close(cs->nl);
	free(cs->buf);
	free(cs);
	return ret;
}

void counters_close(struct counters_sock *cs)
{
	if (!cs)
		return;
	mnl_socket_close(cs->nl);
	free(cs->buf);
	free(cs);
}

struct read_arg {
	struct if_counters *out;
	size_t max, n;
};

/*
 * The kernel's struct rtnl_link_stats64 grows (5.10 sends 192 bytes, 5.19 and
 * later 200): take what the kernel sent, as long as it holds the counters read.
 */
int counters_from_stats64(const void *payload, size_t len, struct if_counters *c)
{
	struct rtnl_link_stats64 st;

	if (len < offsetof(struct rtnl_link_stats64, tx_dropped) + sizeof(st.tx_dropped))
		return -EPROTO;
	memset(&st, 0, sizeof(st));
	/* The payload is only 4-byte aligned. */
	memcpy(&st, payload, len < sizeof(st) ? len : sizeof(st));
	c->rx_packets = st.rx_packets;
	c->tx_packets = st.tx_packets;
	c->rx_bytes = st.rx_bytes;
	c->tx_bytes = st.tx_bytes;
	c->rx_dropped = st.rx_dropped;
	c->tx_dropped = st.tx_dropped;
	return 0;
}

static int stats_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == IFLA_STATS_LINK_64)
		counters_from_stats64(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr),
				      data);
	return MNL_CB_OK;
}

static int stats_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct if_stats_msg *ifsm = mnl_nlmsg_get_payload(nlh);
	struct read_arg *a = data;
	struct if_counters c = {.ifindex = (int)ifsm->ifindex};

	mnl_attr_parse(nlh, sizeof(*ifsm), stats_attr, &c);
	if (a->n < a->max)
		a->out[a->n] = c;
	a->n++;
	return MNL_CB_OK;
}

int counters_read(struct counters_sock *cs, struct if_counters *out, size_t max, size_t *n)
{
	struct read_arg a = {out, max, 0};
	struct if_stats_msg *ifsm;
	struct nlmsghdr *nlh;
	unsigned int seq = (unsigned int)time(NULL);
	int ret;

	nlh = mnl_nlmsg_put_header(cs->buf);
	nlh->nlmsg_type = RTM_GETSTATS;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifsm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifsm));
	ifsm->family = AF_UNSPEC;
	ifsm->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
	if (mnl_socket_sendto(cs->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(cs->nl, cs->buf, MNL_SOCKET_BUFFER_SIZE);

		if (len < 0)
			return -errno;
		ret = mnl_cb_run(cs->buf, (size_t)len, seq, cs->portid, stats_msg, &a);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			break;
	}
	*n = a.n;
	return 0;
}

/* "Ip: Forwarding ... \nIp: 1 64 ...": the header line names the values on the next. */
static void snmp_section(const char *text, const char *sect, const char *const *keys,
			 uint64_t *const *vals, size_t nkeys)
{
	char prefix[16];
	const char *hdr, *val;

	snprintf(prefix, sizeof(prefix), "%s:", sect);
	hdr = strstr(text, prefix);
	if (!hdr || !(val = strstr(hdr + 1, prefix)))
		return;
	for (;;) {
		char name[64];
		int hn = 0;
		unsigned long long v;
		int vn = 0;

		hdr += strcspn(hdr, " \n");
		val += strcspn(val, " \n");
		if (*hdr != ' ' || *val != ' ')
			return;
		if (sscanf(hdr, " %63s%n", name, &hn) != 1 || sscanf(val, " %llu%n", &v, &vn) != 1)
			return;
		hdr += hn;
		val += vn;
		for (size_t i = 0; i < nkeys; i++)
			if (!strcmp(name, keys[i]))
				*vals[i] = v;
	}
}

int snmp_parse(const char *text, struct snmp_counters *s)
{
	static const char *const ip_keys[] = {"InReceives", "ForwDatagrams", "OutRequests"};
	static const char *const udp_keys[] = {"InDatagrams", "OutDatagrams", "RcvbufErrors"};
	static const char *const tcp_keys[] = {"RetransSegs"};
	uint64_t *const ip_vals[] = {&s->ip_in_receives, &s->ip_forw_datagrams,
				     &s->ip_out_requests};
	uint64_t *const udp_vals[] = {&s->udp_in_datagrams, &s->udp_out_datagrams,
				      &s->udp_rcvbuf_errors};
	uint64_t *const tcp_vals[] = {&s->tcp_retrans_segs};

	memset(s, 0, sizeof(*s));
	if (!strstr(text, "Ip:"))
		return -EINVAL;
	snmp_section(text, "Ip", ip_keys, ip_vals, 3);
	snmp_section(text, "Udp", udp_keys, udp_vals, 3);
	snmp_section(text, "Tcp", tcp_keys, tcp_vals, 1);
	return 0;
}

static int read_text(const char *path, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1 && (n = read(fd, buf + total, len - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return 0;
}

/* "Name value" lines, one counter each (/proc/net/snmp6). */
int snmp6_parse(const char *text, struct snmp_counters *s)
{
	static const char *const keys[] = {"Ip6InReceives",    "Ip6OutForwDatagrams",
					   "Ip6OutRequests",   "Udp6InDatagrams",
					   "Udp6OutDatagrams", "Udp6RcvbufErrors"};
	uint64_t *const vals[] = {&s->ip_in_receives,	 &s->ip_forw_datagrams,
				  &s->ip_out_requests,	 &s->udp_in_datagrams,
				  &s->udp_out_datagrams, &s->udp_rcvbuf_errors};
	const char *line = text;

	memset(s, 0, sizeof(*s));
	if (!strstr(text, "Ip6InReceives"))
		return -EINVAL;
	while (line && *line) {
		char name[64];
		unsigned long long v;

		if (sscanf(line, "%63s %llu", name, &v) == 2)
			for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if (!strcmp(name, keys[i]))
					*vals[i] = v;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

static int snmp_file(const char *netns, const char *file, struct snmp_counters *s)
{
	char buf[8192], path[64];
	int saved = -1, ret, leave;

	ret = netns_enter(netns, &saved);
	if (ret)
		return ret;
	/* thread-self: /proc/self/net would be the thread group leader's namespace. */
	snprintf(path, sizeof(path), "/proc/thread-self/net/%s", file);
	ret = read_text(path, buf, sizeof(buf));
	leave = netns_leave(saved);
	ret = ret ? ret : leave;
	if (ret)
		return ret;
	return strcmp(file, "snmp") ? snmp6_parse(buf, s) : snmp_parse(buf, s);
}

int snmp_read(const char *netns, struct snmp_counters *s)
{
	return snmp_file(netns, "snmp", s);
}

int snmp6_read(const char *netns, struct snmp_counters *s)
{
	return snmp_file(netns, "snmp6", s);
}
