// SPDX-License-Identifier: MIT
/*
 * The libiperf driver. libiperf keeps global state (i_errno, timers, CPU
 * accounting): each call here runs in its own forked endpoint process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <iperf_api.h>

#include "bench/stream.h"

void stream_opts_default(struct stream_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->streams = 1;
	o->duration_s = 5;
	o->omit_s = 1;
	o->rate_bps = 1000000000ull;
}

int stream_opts_check(const struct stream_opts *o, char *why, size_t len)
{
	if (o->streams < 1 || o->streams > 128) {
		snprintf(why, len, "streams must be 1 to 128");
		return -EINVAL;
	}
	if (o->duration_s < 1 || o->duration_s > 86400) {
		snprintf(why, len, "iperf duration must be 1 to 86400 whole seconds");
		return -EINVAL;
	}
	if (o->omit_s < 0 || o->omit_s > 600) {
		snprintf(why, len, "omit (warm-up) must be 0 to 600 seconds");
		return -EINVAL;
	}
	if (o->blksize && (o->blksize < 1 || o->blksize > (o->udp ? 65507 : 1 << 20))) {
		snprintf(why, len, "block size must be 1 to %d bytes", o->udp ? 65507 : 1 << 20);
		return -EINVAL;
	}
	if (o->window && (o->window < STREAM_WINDOW_MIN || o->window > STREAM_WINDOW_MAX)) {
		snprintf(why, len, "socket buffer (window) must be %d bytes to %d MiB",
			 STREAM_WINDOW_MIN, STREAM_WINDOW_MAX >> 20);
		return -EINVAL;
	}
	if (o->udp && (o->rate_bps < 1000 || o->rate_bps > 400000000000ull)) {
		snprintf(why, len, "UDP rate must be 1 kbit/s to 400 Gbit/s");
		return -EINVAL;
	}
	return 0;
}

static struct iperf_test *new_test(char role, uint16_t port)
{
	struct iperf_test *t = iperf_new_test();

	if (!t)
		return NULL;
	iperf_defaults(t);
	iperf_set_test_role(t, role);
	iperf_set_test_server_port(t, port);
	iperf_set_test_json_output(t, 1);
	/* Otherwise it prints to stdout; the JSON is read from the test object. */
	iperf_set_test_logfile(t, "/dev/null");
	return t;
}

static void emit(struct iperf_test *t, FILE *out, int ret)
{
	const char *js = iperf_get_test_json_output_string(t);

	if (js && *js) {
		fputs(js, out);
	} else {
		json_t *e = json_pack("{s:s}", "error",
				      ret < 0 || i_errno ? iperf_strerror(i_errno) : "no output");

		json_dumpf(e, out, 0);
		json_decref(e);
	}
}

int stream_server(const char *bind_addr, uint16_t port, FILE *out)
{
	struct iperf_test *t = new_test('s', port);
	int ret;

	if (!t)
		return -ENOMEM;
	signal(SIGPIPE, SIG_IGN);
	/* Its family is the listener's: readiness looks in tcp for IPv4, in tcp6 for IPv6. */
	iperf_set_test_bind_address(t, bind_addr);
	iperf_set_test_one_off(t, 1);
	ret = iperf_run_server(t);
	emit(t, out, ret);
	iperf_free_test(t);
	return ret < 0 ? 1 : 0;
}

int stream_client(const struct stream_opts *o, const char *dst, uint16_t port, FILE *out)
{
	struct iperf_test *t = new_test('c', port);
	int ret;

	if (!t)
		return -ENOMEM;
	signal(SIGPIPE, SIG_IGN);
	iperf_set_test_server_hostname(t, dst);
	iperf_set_test_duration(t, o->duration_s);
	iperf_set_test_omit(t, o->omit_s);
	iperf_set_test_num_streams(t, o->streams);
	iperf_set_test_reverse(t, o->reverse);
	iperf_set_test_get_server_output(t, 1);
	iperf_set_test_connect_timeout(t, 3000);
	/* Sent to the server with the test's parameters: both ends set it, as iperf3 -w. */
	if (o->window)
		iperf_set_test_socket_bufsize(t, o->window);
	if (o->udp) {
		set_protocol(t, Pudp);
		iperf_set_test_rate(t, o->rate_bps);
		/* A datagram that fits the path MTU as TCP's MSS does (iperf warns otherwise):
		 * 1448 over IPv4, 1428 over IPv6's 20 more bytes of header. */
		iperf_set_test_blksize(t, o->blksize ? o->blksize : strchr(dst, ':') ? 1428 : 1448);
	} else if (o->blksize) {
		iperf_set_test_blksize(t, o->blksize);
	}
	i_errno = 0;
	/* In JSON mode it may return 0 on failure: i_errno and the "error" key tell. */
	ret = iperf_run_client(t);
	emit(t, out, ret);
	iperf_free_test(t);
	return ret < 0 || i_errno ? 1 : 0;
}

static double num(json_t *o, const char *path)
{
	char buf[128], *save = NULL, *key;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key && o; key = strtok_r(NULL, ".", &save))
		o = json_object_get(o, key);
	return json_is_number(o) ? json_number_value(o) : 0;
}

/* min/mean/max sender RTT over the streams of one side's JSON (microseconds). */
static void rtt_of(json_t *side, json_t *m)
{
	double mn = 0, mx = 0, sum = 0;
	json_t *streams = json_object_get(json_object_get(side, "end"), "streams"), *s;
	size_t i, n = 0;

	json_array_foreach(streams, i, s) {
		json_t *snd = json_object_get(s, "sender");
		double lo = num(snd, "min_rtt"), hi = num(snd, "max_rtt"),
		       me = num(snd, "mean_rtt");

		if (hi <= 0)
			continue;
		mn = n == 0 || lo < mn ? lo : mn;
		mx = hi > mx ? hi : mx;
		sum += me;
		n++;
	}
	if (!n)
		return;
	json_object_set_new(m, "rtt_min_us", json_real(mn));
	json_object_set_new(m, "rtt_mean_us", json_real(sum / (double)n));
	json_object_set_new(m, "rtt_max_us", json_real(mx));
}

static long sysctl_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

long stream_window_max(void)
{
	long r = sysctl_long("/proc/sys/net/core/rmem_max");
	long w = sysctl_long("/proc/sys/net/core/wmem_max");

	return r < 0 ? w : w < 0 ? r : r < w ? r : w;
}

int stream_window_steady(void)
{
	long max = stream_window_max();

	return max >= STREAM_WINDOW_MIN && max < STREAM_WINDOW_STEADY ? (int)max
								      : STREAM_WINDOW_STEADY;
}

int stream_window_fits(int window, char *why, size_t len)
{
	long r = sysctl_long("/proc/sys/net/core/rmem_max");
	long w = sysctl_long("/proc/sys/net/core/wmem_max");

	if ((r >= 0 && window > r) || (w >= 0 && window > w)) {
		snprintf(why, len,
			 "--window %d bytes is above what the lab's namespaces grant a socket "
			 "(net.core.rmem_max %ld, wmem_max %ld): at most %ld",
			 window, r, w, r < w ? r : w);
		return -ERANGE;
	}
	return 0;
}

int stream_metrics(const struct stream_opts *o, json_t *iperf, json_t **metrics, char *why,
		   size_t len)
{
	json_t *m, *err = json_object_get(iperf, "error"), *server;

	if (json_is_string(err)) {
		const char *e = json_string_value(err);

		/* SO_RCVBUF/SO_SNDBUF stop at the endpoints' namespaces' rmem_max/wmem_max. */
		snprintf(why, len, "iperf: %s%s", e,
			 o->window && strstr(e, "socket buffer")
				 ? " (--window above net.core.rmem_max or wmem_max there?)"
				 : "");
		return -EIO;
	}
	if (!json_object_get(iperf, "end")) {
		snprintf(why, len, "iperf: no results in its output");
		return -EIO;
	}
	/*
	 * TCP: the receiver's count is the figure. None, or nothing received in
	 * the seconds measured, is no measurement: an error, never a throughput
	 * of 0 that a ratio or a geometric mean would then meet.
	 */
	if (!o->udp) {
		json_t *bps = json_object_get(
			json_object_get(json_object_get(iperf, "end"), "sum_received"),
			"bits_per_second");

		if (!json_is_number(bps)) {
			snprintf(why, len, "iperf: no receiver's summary (end.sum_received) in its "
					   "output");
			return -EIO;
		}
		if (json_number_value(bps) <= 0) {
			snprintf(why, len, "iperf: the receiver got nothing in the %d s measured "
					   "(the machine too busy, or the path stalled)",
				 o->duration_s);
			return -EIO;
		}
	}
	m = json_object();
	server = json_object_get(iperf, "server_output_json");
	if (o->udp) {
		/*
		 * The receiver's view: what arrived, what its socket buffer lost. The
		 * loss comes from the receiver's own JSON: libiperf 3.12's client
		 * counts the warm-up's (--omit) losses against the measured interval
		 * in end.sum_received, and the sender's packet count beside them.
		 */
		json_t *rx = json_object_get(server, "end") ? server : iperf;
		const char *sum = rx == server ? "end.sum" : "end.sum_received";
		char key[64];
		double lost, packets;

		snprintf(key, sizeof(key), "%s.lost_packets", sum);
		lost = num(rx, key);
		snprintf(key, sizeof(key), "%s.packets", sum);
		packets = num(rx, key);
		json_object_set_new(m, "throughput_bps",
				    json_real(num(iperf, "end.sum_received.bits_per_second")));
		json_object_set_new(m, "sent_bps",
				    json_real(num(iperf, "end.sum_sent.bits_per_second")));
		json_object_set_new(m, "jitter_ms",
				    json_real(num(iperf, "end.sum_received.jitter_ms")));
		json_object_set_new(m, "lost_packets", json_integer((json_int_t)lost));
		json_object_set_new(m, "packets", json_integer((json_int_t)packets));
		json_object_set_new(m, "lost_percent",
				    json_real(packets > 0 ? lost / packets * 100 : 0));
	} else {
		json_object_set_new(m, "throughput_bps",
				    json_real(num(iperf, "end.sum_received.bits_per_second")));
		json_object_set_new(m, "sent_bps",
				    json_real(num(iperf, "end.sum_sent.bits_per_second")));
		/* Over veth these are mostly reordering (DSACK), not loss: reported as counted. */
		json_object_set_new(
			m, "retransmits",
			json_integer((json_int_t)num(iperf, "end.sum_sent.retransmits")));
		/* The sender's RTT: the server's JSON when the server sends (-R). */
		rtt_of(o->reverse ? server : iperf, m);
		/*
		 * The buffers as the kernel granted them: twice a window asked for,
		 * else autotuning's starting sizes. The evidence that --window
		 * reached both ends.
		 */
		json_object_set_new(m, "sndbuf_bytes",
				    json_integer((json_int_t)num(o->reverse ? server : iperf,
								 "start.sndbuf_actual")));
		json_object_set_new(m, "rcvbuf_bytes",
				    json_integer((json_int_t)num(o->reverse ? iperf : server,
								 "start.rcvbuf_actual")));
	}
	json_object_set_new(m, "cpu_client_pct",
			    json_real(num(iperf, "end.cpu_utilization_percent.host_total")));
	json_object_set_new(m, "cpu_server_pct",
			    json_real(num(iperf, "end.cpu_utilization_percent.remote_total")));
	*metrics = m;
	return 0;
}
