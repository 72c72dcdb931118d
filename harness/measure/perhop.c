// SPDX-License-Identifier: MIT
/*
 * Per-hop latency: the probes' stamps (bench/hopprobe.c) stitched to the
 * engine's own times of each traced transaction. All on CLOCK_MONOTONIC, so
 * consecutive points subtract; the segments of one transaction add up to its
 * round trip exactly, and their medians approximately (reported).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/hopprobe.h"
#include "bench/stats.h"
#include "harness/lab/mode.h"
#include "harness/measure/perhop.h"
#include "netns/testhooks.h"

#define PH_MAX_POINTS (2 * LAB_MAX_HOPS + 4)
_Static_assert(HOPSTAMP_HOPS >= LAB_MAX_HOPS, "every interface of a lab route can be probed");

void perhop_opts_default(struct perhop_opts *po)
{
	memset(po, 0, sizeof(*po));
	po->test = TEST_UDP_RR;
	po->transactions = PERHOP_TRANSACTIONS;
	po->sample_mask = 0;
}

struct point {
	char name[64];
	int iface; /* probe index, -1 for the engine's own times */
	unsigned int resp, dir;
};

struct plan {
	struct lab_route route;
	struct hopprobe_if ifs[HOPSTAMP_HOPS];
	unsigned int nifs;
	int hop_if[LAB_MAX_HOPS]; /* route hop -> probe index */
	struct point pt[PH_MAX_POINTS];
	unsigned int npt;
};

static void add_point(struct plan *pl, const char *name, int iface, unsigned int resp,
		      unsigned int dir)
{
	struct point *p = &pl->pt[pl->npt++];

	snprintf(p->name, sizeof(p->name), "%s", name);
	p->iface = iface;
	p->resp = resp;
	p->dir = dir;
}

static void hop_point(struct plan *pl, unsigned int k, bool resp)
{
	const struct lab_hop *h = &pl->route.hop[k];
	enum hop_dir d = resp ? (h->dir == HOP_EGRESS ? HOP_INGRESS : HOP_EGRESS) : h->dir;
	char label[48], name[64];

	hop_label(&h->iface, label, sizeof(label));
	snprintf(name, sizeof(name), "%s %s", label, hop_dir_name(d));
	add_point(pl, name, pl->hop_if[k], resp ? 1 : 0,
		  d == HOP_EGRESS ? HOPSTAMP_EGRESS : HOPSTAMP_INGRESS);
}

/* The route's distinct interfaces (probed once each) and the points of a round trip. */
static int plan_of(const struct lab *lab, const struct lab_task *task, enum lab_path p,
		   struct plan *pl, char *why, size_t len)
{
	int ret;

	memset(pl, 0, sizeof(*pl));
	ret = mode_route(lab, task, path_peer(lab, task, p), p, &pl->route);
	if (ret || pl->route.n == 0) {
		snprintf(why, len, "mode %s has no %s route to probe", lab_mode_name(task->mode),
			 path_name(p));
		return -EINVAL;
	}
	for (unsigned int k = 0; k < pl->route.n; k++) {
		const struct lab_iface *i = &pl->route.hop[k].iface;
		unsigned int j;

		for (j = 0; j < pl->nifs; j++)
			if (!strcmp(pl->ifs[j].ns, i->ns) && !strcmp(pl->ifs[j].ifname, i->name))
				break;
		if (j == pl->nifs) {
			if (pl->nifs == HOPSTAMP_HOPS) {
				snprintf(why, len, "more than %d interfaces on the path",
					 HOPSTAMP_HOPS);
				return -E2BIG;
			}
			snprintf(pl->ifs[j].ns, sizeof(pl->ifs[j].ns), "%s", i->ns);
			snprintf(pl->ifs[j].ifname, sizeof(pl->ifs[j].ifname), "%s", i->name);
			pl->nifs++;
		}
		pl->hop_if[k] = (int)j;
	}
	add_point(pl, PERHOP_CLIENT_SEND, -1, 0, 0);
	for (unsigned int k = 0; k < pl->route.n; k++)
		hop_point(pl, k, false);
	add_point(pl, PERHOP_SERVER_RECEIVE, -1, 0, 0);
	add_point(pl, PERHOP_SERVER_SEND, -1, 0, 0);
	for (unsigned int k = pl->route.n; k-- > 0;)
		hop_point(pl, k, true);
	add_point(pl, PERHOP_CLIENT_RECEIVE, -1, 0, 0);
	return 0;
}

bool perhop_engine_point(const char *name)
{
	return !strcmp(name, PERHOP_CLIENT_SEND) || !strcmp(name, PERHOP_SERVER_RECEIVE) ||
	       !strcmp(name, PERHOP_SERVER_SEND) || !strcmp(name, PERHOP_CLIENT_RECEIVE);
}

/* What segment I is: the server's own time, between two probes, or what no hop accounts for. */
static const char *part_of(const struct plan *pl, unsigned int i)
{
	if (!strcmp(pl->pt[i].name, PERHOP_SERVER_RECEIVE))
		return "server";
	if (pl->pt[i].iface < 0 || pl->pt[i + 1].iface < 0)
		return "stack";
	return "hop";
}

static json_t *summary_of(uint32_t *v, size_t n)
{
	struct stats_summary s;

	stats_summarize(v, n, &s);
	return json_pack("{s:f, s:f, s:f}", "p50_us", s.p50 / 1e3, "p99_us", s.p99 / 1e3, "mean_us",
			 s.mean / 1e3);
}

/* Stitches every traced transaction; *DOC gets hops, segments and the sums. */
static int stitch(const struct plan *pl, const struct hopprobe *hp, json_t *trace, double e2e_p50,
		  json_t *doc)
{
	size_t ntr = json_array_size(trace), nseg = pl->npt - 1, stitched = 0, negative = 0;
	uint32_t *seg = calloc(ntr * nseg + 1, sizeof(*seg)), *rtt = calloc(ntr + 1, sizeof(*rtt));
	unsigned int covered[HOPSTAMP_HOPS * 2] = {0};
	json_t *hops = json_array(), *segs = json_array(), *v;
	double sum_p50 = 0, sum_mean = 0, stack_p50 = 0;
	size_t i;

	if (!seg || !rtt) {
		free(seg);
		free(rtt);
		json_decref(hops);
		json_decref(segs);
		return -ENOMEM;
	}
	json_array_foreach(trace, i, v) {
		uint64_t t[PH_MAX_POINTS], seq = (uint64_t)json_integer_value(json_array_get(v, 0));
		bool all = true;

		for (unsigned int k = 0; k < pl->npt; k++) {
			const struct point *p = &pl->pt[k];

			if (p->iface >= 0) {
				t[k] = hopprobe_stamp(hp, (unsigned int)p->iface, p->resp, p->dir,
						      seq);
				if (t[k])
					covered[k < pl->npt / 2 ? k - 1 : k - 3]++;
			} else {
				/* client send, server receive, server send, client receive */
				unsigned int col = k == 0	      ? 1
						   : k == pl->npt - 1 ? 4
						   : k < pl->npt / 2  ? 2
								      : 3;

				t[k] = (uint64_t)json_integer_value(json_array_get(v, col));
			}
			all = all && t[k];
		}
		if (!all)
			continue;
		for (unsigned int k = 0; k < nseg; k++) {
			int64_t d = (int64_t)(t[k + 1] - t[k]);

			if (d < 0)
				negative++;
			seg[k * ntr + stitched] = d < 0		   ? 0
						  : d > UINT32_MAX ? UINT32_MAX
								   : (uint32_t)d;
		}
		rtt[stitched] = (uint32_t)(t[pl->npt - 1] - t[0]);
		stitched++;
	}
	for (unsigned int k = 0; k < pl->route.n; k++) {
		const struct lab_hop *h = &pl->route.hop[k];
		char label[48];
		/* Request stamps sit at point 1 + k, response stamps at the mirrored point. */
		unsigned int req = covered[k], resp = covered[pl->route.n + (pl->route.n - 1 - k)];
		unsigned int both = req < resp ? req : resp;

		hop_label(&h->iface, label, sizeof(label));
		json_array_append_new(hops, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:f}", "hop",
						      label, "namespace", h->iface.ns, "kind",
						      hop_kind_name(h->iface.kind), "request",
						      hop_dir_name(h->dir), "requests_stamped",
						      (json_int_t)req, "responses_stamped",
						      (json_int_t)resp, "coverage",
						      ntr ? (double)both / (double)ntr : 0.0));
	}
	for (unsigned int k = 0; k < nseg && stitched; k++) {
		json_t *s = summary_of(&seg[k * ntr], stitched);
		const char *part = part_of(pl, k);

		sum_p50 += json_real_value(json_object_get(s, "p50_us"));
		sum_mean += json_real_value(json_object_get(s, "mean_us"));
		if (!strcmp(part, "stack"))
			stack_p50 += json_real_value(json_object_get(s, "p50_us"));
		json_object_set_new(s, "from", json_string(pl->pt[k].name));
		json_object_set_new(s, "to", json_string(pl->pt[k + 1].name));
		json_object_set_new(s, "part", json_string(part));
		json_array_append_new(segs, s);
	}
	json_object_set_new(doc, "sampled", json_integer((json_int_t)ntr));
	json_object_set_new(doc, "stitched", json_integer((json_int_t)stitched));
	json_object_set_new(doc, "negative_segments", json_integer((json_int_t)negative));
	json_object_set_new(doc, "hops", hops);
	json_object_set_new(doc, "segments", segs);
	if (stitched) {
		json_t *r = summary_of(rtt, stitched);

		json_object_set_new(doc, "round_trip_us", r);
		json_object_set_new(doc, "sums",
				    json_pack("{s:f, s:f, s:f, s:f}", "segments_p50_us", sum_p50,
					      "segments_mean_us", sum_mean, "engine_p50_us",
					      e2e_p50, "unaccounted_p50_us", stack_p50));
	}
	free(seg);
	free(rtt);
	return 0;
}

int perhop_measure(struct lab *lab, struct lab_task *task, enum lab_path p,
		   const struct bench_opts *bo, const struct perhop_opts *po, json_t **out,
		   char *why, size_t len)
{
	struct hopprobe *hp = NULL;
	struct bench_opts o = *bo;
	struct bench_target t;
	struct plan *pl;
	json_t *res = NULL, *trace, *doc;
	double e2e;
	int ret;

	*out = NULL;
	if (po->test != TEST_UDP_RR && po->test != TEST_TCP_RR) {
		snprintf(why, len, "per-hop latency is measured with udp_rr or tcp_rr");
		return -EINVAL;
	}
	ret = po->no_probes ? 0 : hopprobe_supported(why, len);
	if (ret)
		return ret;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return -ENOMEM;
	ret = plan_of(lab, task, p, pl, why, len);
	if (!ret)
		ret = path_target(lab, task, path_peer(lab, task, p), p, &t, why, len);
	if (!ret && !po->no_probes)
		ret = hopprobe_open(&hp, pl->ifs, pl->nifs, po->sample_mask, why, len);
	if (ret)
		goto out;
	hopprobe_reset(hp);
	if (hp)
		testhook_phase("per-hop:attached");
	o.rr.kind = po->test == TEST_UDP_RR ? RR_UDP : RR_TCP;
	o.rr.count = po->transactions;
	o.rr.req_size = o.rr.resp_size = 64;
	o.rr.timeout_ms = po->test == TEST_UDP_RR ? 100 : 2000;
	o.rr.duration_s = 60;
	o.rr.trace = true;
	o.rr.trace_mask = po->sample_mask;
	o.rr.trace_max = HOPSTAMP_SLOTS;
	o.before_client = o.after_client = NULL;
	ret = bench_run(po->test, &o, &t, &res, why, len);
	if (ret)
		goto out;
	trace = json_object_get(json_object_get(res, "rr"), "trace");
	e2e = json_number_value(json_object_get(json_object_get(res, "metrics"), "p50_us"));
	doc = json_pack("{s:s, s:s, s:s, s:I, s:i}", "test", bench_test_name(po->test), "mode",
			lab_mode_name(task->mode), "path", path_name(p), "transactions",
			json_integer_value(
				json_object_get(json_object_get(res, "metrics"), "transactions")),
			"sample_every", (int)(po->sample_mask + 1));
	if (doc)
		json_object_set_new(doc, "engine_p50_us", json_real(e2e));
	if (doc && po->no_probes)
		json_object_set_new(doc, "probes", json_false());
	else if (doc)
		json_object_set_new(doc, "probe_hook", json_string(hopprobe_hook(hp)));
	ret = !doc ? -ENOMEM : po->no_probes ? 0 : stitch(pl, hp, trace, e2e, doc);
	if (ret) {
		json_decref(doc);
		snprintf(why, len, "stitching the stamps: %s", strerror(-ret));
		goto out;
	}
	*out = doc;
out:
	hopprobe_close(hp);
	json_decref(res);
	free(pl);
	return ret;
}
