// SPDX-License-Identifier: MIT
/* What a stream's frames look like where they enter the instance: --wire nic against veth. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/cputime.h"
#include "harness/lab/lab.h"
#include "harness/lab/mode.h"
#include "harness/lab/path.h"
#include "harness/measure/wireframes.h"
#include "netns/counters.h"
#include "netns/rt.h"

#define WF_MAX_IF 64
/* IPv4 and TCP headers, and TCP's timestamp option, which Linux sends by default. */
#define TCP_IP_OVERHEAD (20 + 20 + 12)

struct wf {
	struct counters_sock *cs;
	int ifindex;
	struct if_counters at[2];
	struct cpu_times cpu[2];
	int err;
};

static void take(struct wf *w, int k)
{
	struct if_counters all[WF_MAX_IF];
	size_t n = 0;
	int ret = counters_read(w->cs, all, WF_MAX_IF, &n);

	cpu_times_read(&w->cpu[k]);
	if (ret && !w->err)
		w->err = ret;
	for (size_t i = 0; i < n; i++)
		if (all[i].ifindex == w->ifindex)
			w->at[k] = all[i];
}

static void before(void *arg)
{
	take(arg, 0);
}

static void after(void *arg)
{
	take(arg, 1);
}

/* The instance's first hop on the way in: where the VPC's frames arrive. */
static int entry_link(const struct lab *lab, const struct lab_task *task, char *name, size_t len)
{
	struct lab_route r;
	int ret = mode_route(lab, task, NULL, PATH_INGRESS, &r);

	if (ret)
		return ret;
	for (unsigned int i = 0; i < r.n; i++)
		if (r.hop[i].dir == HOP_INGRESS && !strcmp(r.hop[i].iface.ns, lab->ns_inst)) {
			snprintf(name, len, "%s", r.hop[i].iface.name);
			return 0;
		}
	return -ENOENT;
}

static double cpu_s(const struct cpu_times *c)
{
	return c->user + c->system + c->softirq + c->irq;
}

int wire_frames(struct lab *lab, struct lab_task *task, const struct bench_opts *bo, json_t **out,
		char *why, size_t len)
{
	bool bridged = mode_bridged(task->mode);
	unsigned int mtu = bridged ? lab_bridge_mtu(&lab->cfg) : lab_vpc_mtu(&lab->cfg);
	struct wf w = {.ifindex = -1};
	struct bench_opts o = *bo;
	struct bench_target tg;
	struct rt *rt = NULL;
	json_t *res = NULL;
	char link[16];
	double gb, mss_per_gb, per_gb, cpu;
	uint64_t packets, bytes;
	int ret;

	*out = NULL;
	ret = entry_link(lab, task, link, sizeof(link));
	if (ret) {
		snprintf(why, len, "mode %s has no way in from the VPC", lab_mode_name(task->mode));
		return ret;
	}
	ret = path_target(lab, task, NULL, PATH_INGRESS, &tg, why, len);
	if (ret)
		return ret;
	ret = rt_open(&rt, lab->ns_inst);
	if (!ret) {
		w.ifindex = rt_ifindex(rt, link);
		ret = w.ifindex < 0 ? w.ifindex : 0;
	}
	rt_close(rt);
	if (!ret)
		ret = counters_open(&w.cs, lab->ns_inst);
	if (ret) {
		snprintf(why, len, "the counters of %s in %s: %s", link, lab->ns_inst,
			 strerror(-ret));
		return ret;
	}
	o.before_client = before;
	o.after_client = after;
	o.hook_arg = &w;
	ret = bench_run(TEST_TCP_STREAM, &o, &tg, &res, why, len);
	counters_close(w.cs);
	if (ret)
		return ret;
	if (w.err) {
		json_decref(res);
		snprintf(why, len, "reading the counters of %s: %s", link, strerror(-w.err));
		return w.err;
	}
	packets = w.at[1].rx_packets - w.at[0].rx_packets;
	bytes = w.at[1].rx_bytes - w.at[0].rx_bytes;
	if (!packets || !bytes) {
		json_decref(res);
		snprintf(why, len, "no frames arrived on %s:%s (ifindex %d, %llu/%llu packets)",
			 lab->ns_inst, link, w.ifindex, (unsigned long long)w.at[0].rx_packets,
			 (unsigned long long)w.at[1].rx_packets);
		return -EPROTO;
	}
	gb = (double)bytes / 1e9;
	per_gb = (double)packets / gb;
	mss_per_gb = 1e9 / (double)(mtu - TCP_IP_OVERHEAD);
	cpu = cpu_s(&w.cpu[1]) - cpu_s(&w.cpu[0]);
	*out = json_pack("{s:s, s:i, s:i, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f}", "link", link,
			 "mtu", (int)mtu, "mss", (int)(mtu - TCP_IP_OVERHEAD), "packets",
			 (json_int_t)packets, "bytes", (json_int_t)bytes, "bytes_per_packet",
			 (double)bytes / (double)packets, "packets_per_gb", per_gb,
			 "mss_packets_per_gb", mss_per_gb, "ratio", per_gb / mss_per_gb, "gbps",
			 json_number_value(json_object_get(json_object_get(res, "metrics"),
							   "throughput_bps")) /
				 1e9,
			 "cpu_s_per_gb", cpu / gb);
	json_decref(res);
	return *out ? 0 : -ENOMEM;
}
