// SPDX-License-Identifier: MIT
/*
 * nsbench calibrate (calibrate.h): the emulated lab and a lab whose instance
 * runs a real dockerd, measured side by side. Each round measures every
 * (side, mode, path) slot once per test, the slots in an order that rotates
 * per round, so that the machine's drift hits both sides alike; each metric
 * is then emulated/real paired by round (verdict.c), and bridge/host of the
 * one against bridge/host of the other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/measurement.h"
#include "bench/stream.h"
#include "harness/common/notice.h"
#include "harness/lab/addrplan.h"
#include "harness/lab/build.h"
#include "harness/lab/engine.h"
#include "harness/lab/placement.h"
#include "harness/measure/calibrate.h"
#include "harness/measure/calibrate_evidence.h"
#include "harness/reports/verdict.h"
#include "netns/sysctl.h"
#include "netns/testhooks.h"

#define NMETRICS 4
#define NTESTS 3

enum { EMU, REAL, NSIDES };
enum { CB, CH, NMODES };

static const char *const side_names[NSIDES] = {"emulated", "real"};
static const char *const mode_names[NMODES] = {"bridge", "host"};
static const enum bench_test tests[NTESTS] = {TEST_TCP_RR, TEST_TCP_CRR, TEST_TCP_STREAM};

static const struct {
	const char *name;
	enum bench_test test;
	const char *key;
} metrics[NMETRICS] = {
	{"tcp_rr_p50_us", TEST_TCP_RR, "p50_us"},
	{"tcp_rr_p99_us", TEST_TCP_RR, "p99_us"},
	{"tcp_crr_tps", TEST_TCP_CRR, "tps"},
	{"tcp_stream_bps", TEST_TCP_STREAM, "throughput_bps"},
};

struct cal {
	const struct calibrate_opts *o;
	struct lab emu, real;
	bool emu_init, real_init;
	struct engine eng;
	bool eng_started;
	unsigned int nbridge; /* bridge tasks: 2 when intra-host is measured */
	char ctr_ns[2][40];
	char ctr_ip[2][BENCH_ADDR_LEN];
	struct bench_target t[NSIDES][NMODES][PATH_COUNT];
	bool have[NSIDES][NMODES][PATH_COUNT];
	double v[NSIDES][NMODES][PATH_COUNT][NMETRICS][CALIBRATE_MAX_ROUNDS];
	pid_t proxy[NSIDES];	    /* the bridge task's tcp docker-proxy, each side's */
	double proxy_cpu_s[NSIDES]; /* its CPU time over the local slots */
	unsigned int rounds;
	double seconds;
};

void calibrate_opts_default(struct calibrate_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->bridge = o->host = true;
	o->paths[PATH_INGRESS] = o->paths[PATH_LOCAL] = true;
	o->rounds = CALIBRATE_ROUNDS;
	o->rr_s = 0.5;
	o->stream_s = 1;
}

bool calibrate_path_ok(enum lab_path p)
{
	return p == PATH_INGRESS || p == PATH_LOCAL || p == PATH_INTRA_HOST;
}

static struct lab_task *task_of(struct lab *lab, enum lab_mode m)
{
	for (unsigned int i = 0; i < lab->ntasks; i++)
		if (lab->tasks[i].mode == m)
			return &lab->tasks[i];
	return NULL;
}

static int build_lab(struct cal *c, struct lab *lab, bool real, char *why, size_t len)
{
	struct lab_config cfg;
	int ret;

	lab_config_default(&cfg);
	lab_config_vpc(&cfg, &c->o->vpc);
	if (real) {
		/* The instance as dockerd finds it at boot: nothing but its ENI. */
		cfg.instance = INSTANCE_BARE;
		cfg.userland_proxy = false;
	}
	ret = lab_init(lab, &cfg, "calibrate");
	if (ret) {
		snprintf(why, len, "the %s lab: %s", real ? "real engine's" : "emulated", lab->err);
		return ret;
	}
	*(real ? &c->real_init : &c->emu_init) = true;
	for (unsigned int i = 0; !real && i < c->nbridge && !ret; i++)
		ret = lab_plan_task(lab, MODE_BRIDGE, (uint16_t)(LAB_DEFAULT_PORT + i));
	if (!ret)
		ret = lab_plan_task(lab, MODE_HOST, (uint16_t)(LAB_DEFAULT_PORT + 2));
	if (!ret)
		ret = lab_up(lab);
	if (ret)
		snprintf(why, len, "the %s lab: %s", real ? "real engine's" : "emulated", lab->err);
	return ret;
}

/* A namespace of the emulated lab as its counterpart in the real one. */
static void map_ns(const struct cal *c, const char *in, char *out, size_t len)
{
	size_t pl = strlen("nsb-") + strlen(c->emu.id) + 1;

	for (unsigned int k = 0; k < c->nbridge; k++)
		if (!strcmp(in, c->emu.tasks[k].ns)) {
			snprintf(out, len, "%s", c->ctr_ns[k]);
			return;
		}
	if (!strncmp(in, "nsb-", 4) && !strncmp(in + 4, c->emu.id, strlen(c->emu.id)) &&
	    strlen(in) > pl) {
		snprintf(out, len, "nsb-%s-%s", c->real.id, in + pl);
		return;
	}
	snprintf(out, len, "%s", in);
}

/* An address of the emulated lab as its counterpart in the real one. */
static void map_addr(const struct cal *c, char *a, size_t len)
{
	for (unsigned int k = 0; k < c->nbridge; k++)
		if (!strcmp(a, c->emu.tasks[k].addr)) {
			snprintf(a, len, "%s", c->ctr_ip[k]);
			return;
		}
	if (!strcmp(a, c->emu.inst_addr))
		snprintf(a, len, "%s", c->real.inst_addr);
}

static int targets(struct cal *c, char *why, size_t len)
{
	struct lab_task *eh = task_of(&c->emu, MODE_HOST), *rh = task_of(&c->real, MODE_HOST);
	int ret = 0;

	for (int p = 0; p < PATH_COUNT && !ret; p++) {
		struct bench_target *t;

		if (!c->o->paths[p])
			continue;
		if (c->o->bridge) {
			t = &c->t[EMU][CB][p];
			if (p == PATH_INTRA_HOST)
				ret = path_target(&c->emu, &c->emu.tasks[1], &c->emu.tasks[0],
						  PATH_INTRA_HOST, t, why, len);
			else
				ret = path_target(&c->emu, &c->emu.tasks[0], NULL, (enum lab_path)p,
						  t, why, len);
			if (ret)
				return ret;
			c->have[EMU][CB][p] = c->have[REAL][CB][p] = true;
			c->t[REAL][CB][p] = *t;
			map_ns(c, t->server_ns, c->t[REAL][CB][p].server_ns, sizeof(t->server_ns));
			map_ns(c, t->client_ns, c->t[REAL][CB][p].client_ns, sizeof(t->client_ns));
			map_addr(c, c->t[REAL][CB][p].dst_addr, sizeof(t->dst_addr));
		}
		/* Host mode has no intra-host path of its own: a task to itself. */
		if (c->o->host && p != PATH_INTRA_HOST) {
			ret = path_target(&c->emu, eh, NULL, (enum lab_path)p, &c->t[EMU][CH][p],
					  why, len);
			if (!ret)
				ret = path_target(&c->real, rh, NULL, (enum lab_path)p,
						  &c->t[REAL][CH][p], why, len);
			c->have[EMU][CH][p] = c->have[REAL][CH][p] = !ret;
		}
	}
	return ret;
}

static int measure_slot(struct cal *c, int side, int mode, int p, enum bench_test test,
			unsigned int round, char *why, size_t len)
{
	struct bench_opts bo;
	json_t *res = NULL;
	pid_t proxy = 0;
	double cpu0 = -1;
	int ret;

	bench_opts_default(&bo);
	bench_cpus_resolve(&bo.cpus);
	bo.stream.duration_s = (int)c->o->stream_s;
	bo.stream.omit_s = 0;
	/* Both ends' buffers fixed: autotuning ends a stream in one of two states ~10% apart. */
	bo.stream.window = stream_window_steady();
	bo.rr.duration_s = c->o->rr_s;
	bo.rr.warmup_s = 0.1;
	if (p == PATH_LOCAL && mode == CB) {
		proxy = c->proxy[side];
		cpu0 = calibrate_cpu_s(proxy);
	}
	ret = bench_run(test, &bo, &c->t[side][mode][p], &res, why, len);
	if (ret) {
		size_t used = strlen(why);

		snprintf(why + used, len > used ? len - used : 0, " (%s %s, %s, %s)",
			 side_names[side], mode_names[mode], path_name((enum lab_path)p),
			 bench_test_name(test));
		return ret;
	}
	for (int m = 0; m < NMETRICS; m++)
		if (metrics[m].test == test)
			c->v[side][mode][p][m][round] = json_number_value(
				json_object_get(json_object_get(res, "metrics"), metrics[m].key));
	json_decref(res);
	if (cpu0 >= 0) {
		double cpu1 = calibrate_cpu_s(proxy);

		if (cpu1 >= cpu0)
			c->proxy_cpu_s[side] += cpu1 - cpu0;
	}
	return 0;
}

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int measure(struct cal *c, char *why, size_t len)
{
	struct {
		int side, mode, path;
	} slot[NSIDES * NMODES * PATH_COUNT];
	unsigned int ns = 0;
	struct timespec t0;
	int ret = 0;

	for (int p = 0; p < PATH_COUNT; p++)
		for (int m = 0; m < NMODES; m++)
			for (int s = 0; s < NSIDES; s++)
				if (c->have[s][m][p])
					slot[ns++] = (typeof(slot[0])){s, m, p};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int r = 0; r < c->o->rounds && !ret; r++) {
		notice(NOTICE_INFO, "calibrate: round %u of %u", r + 1, c->o->rounds);
		testhook_phase("calibrate:round");
		for (int k = 0; k < NTESTS && !ret; k++)
			for (unsigned int j = 0; j < ns && !ret; j++) {
				unsigned int i = (r + j) % ns;

				ret = measure_slot(c, slot[i].side, slot[i].mode, slot[i].path,
						   tests[k], r, why, len);
				if (lab_stop)
					ret = -EINTR;
			}
		if (!ret)
			c->rounds = r + 1;
	}
	c->seconds = elapsed_s(&t0);
	return ret;
}

/* Where an interval lies against 1 +/- the margin. */
const char *calibrate_within(double lo, double hi)
{
	if (lo >= 1 - CALIBRATE_MARGIN && hi <= 1 + CALIBRATE_MARGIN)
		return "within 5%";
	if (hi < 1 - CALIBRATE_MARGIN || lo > 1 + CALIBRATE_MARGIN)
		return "outside 5%";
	return "undecided";
}

json_t *calibrate_pair(const double *real, const double *emu, unsigned int n, int *worst)
{
	struct effect e;
	double lo, hi, gr, ge, x, y;
	const char *v;

	/* No interval (one round, a missing figure): undecided, not within. */
	if (effect_paired(real, emu, n, &e)) {
		if (*worst == 0)
			*worst = 3;
		return json_pack("{s:s}", "verdict", "undecided");
	}
	effect_interval(&e, VERDICT_ALPHA, &lo, &hi);
	verdict_gmean_interval(real, n, &gr, &x, &y);
	verdict_gmean_interval(emu, n, &ge, &x, &y);
	v = calibrate_within(lo, hi);
	if (v[0] == 'o')
		*worst = 1;
	else if (v[0] == 'u' && *worst == 0)
		*worst = 3;
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:s}", "emulated", ge, "real", gr, "ratio",
			 effect_ratio(&e), "ci95_low", lo, "ci95_high", hi, "verdict", v);
}

static json_t *analyse(struct cal *c, int *worst)
{
	json_t *paths = json_object();
	unsigned int n = c->rounds;

	*worst = 0;
	for (int p = 0; p < PATH_COUNT; p++) {
		json_t *po;

		if (!c->have[EMU][CB][p] && !c->have[EMU][CH][p])
			continue;
		po = json_object();
		for (int m = 0; m < NMODES; m++) {
			json_t *mo;

			if (!c->have[EMU][m][p])
				continue;
			mo = json_object();
			for (int k = 0; k < NMETRICS; k++)
				json_object_set_new(mo, metrics[k].name,
						    calibrate_pair(c->v[REAL][m][p][k],
								   c->v[EMU][m][p][k], n, worst));
			json_object_set_new(po, mode_names[m], mo);
		}
		if (c->have[EMU][CB][p] && c->have[EMU][CH][p]) {
			json_t *bh = json_object();

			for (int k = 0; k < NMETRICS; k++) {
				double re[CALIBRATE_MAX_ROUNDS], em[CALIBRATE_MAX_ROUNDS];

				for (unsigned int i = 0; i < n; i++) {
					re[i] = c->v[REAL][CB][p][k][i] / c->v[REAL][CH][p][k][i];
					em[i] = c->v[EMU][CB][p][k][i] / c->v[EMU][CH][p][k][i];
				}
				json_object_set_new(bh, metrics[k].name,
						    calibrate_pair(re, em, n, worst));
			}
			json_object_set_new(po, "bridge_over_host", bh);
		}
		json_object_set_new(paths, path_name((enum lab_path)p), po);
	}
	return paths;
}

static json_t *hops_json(struct cal *c, char *why, size_t len)
{
	json_t *doc = json_object();

	for (int p = 0; p < PATH_COUNT; p++) {
		json_t *e, *r;

		if (!c->have[EMU][CB][p])
			continue;
		e = calibrate_hops(&c->t[EMU][CB][p], c->emu.ns_inst, why, len);
		r = calibrate_hops(&c->t[REAL][CB][p], c->real.ns_inst, why, len);
		json_object_set_new(doc, path_name((enum lab_path)p),
				    json_pack("{s:o, s:o, s:b}", "emulated", e ? e : json_null(),
					      "real", r ? r : json_null(), "same",
					      calibrate_same_hops(e, r)));
	}
	return doc;
}

static json_t *engine_json(const struct cal *c)
{
	char path[PATH_MAX + 16], buf[512] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/VERSIONS", c->eng.root);
	f = fopen(path, "re");
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
	}
	while (strlen(buf) && buf[strlen(buf) - 1] == '\n')
		buf[strlen(buf) - 1] = '\0';
	return json_pack("{s:s, s:s, s:s}", "dockerd", c->eng.version, "packages", buf, "lab",
			 c->real.id);
}

static void teardown(struct cal *c)
{
	if (c->eng_started)
		engine_stop(&c->eng);
	c->eng_started = false;
	if (c->real_init) {
		lab_down(&c->real, LAB_TEARDOWN_GROUP);
		lab_free(&c->real);
	}
	if (c->emu_init) {
		lab_down(&c->emu, LAB_TEARDOWN_GROUP);
		lab_free(&c->emu);
	}
	c->real_init = c->emu_init = false;
}

static int start_engine(struct cal *c, char *why, size_t len)
{
	char bip[40];
	int ret;

	ip4_net_cidr(bip, sizeof(bip), c->real.bridge_addr, &c->real.cfg.bridge_net);
	/*
	 * As an instance boots: ip_forward off until dockerd turns it on, which is
	 * when it sets FORWARD's policy to DROP (the lab's instance had it on).
	 */
	ret = sysctl_write(c->real.ns_inst, "net.ipv4.ip_forward", "0");
	if (ret) {
		snprintf(why, len, "ip_forward in %s: %s", c->real.ns_inst, strerror(-ret));
		return ret;
	}
	notice(NOTICE_INFO, "calibrate: starting dockerd in %s", c->real.ns_inst);
	/* engine_start leaves nothing when it fails; from here on, teardown stops it. */
	ret = engine_start(&c->eng, c->real.id, c->real.ns_inst, bip, lab_bridge_mtu(&c->real.cfg),
			   why, len);
	if (ret)
		return ret;
	c->eng_started = true;
	testhook_phase("calibrate:engine");
	ret = engine_image(&c->eng, why, len);
	for (unsigned int k = 0; k < c->nbridge && !ret; k++) {
		char name[48];

		snprintf(name, sizeof(name), "nsb-%s-t%u", c->real.id, k + 1);
		engine_task_netns(c->real.id, k + 1, c->ctr_ns[k], sizeof(c->ctr_ns[k]));
		ret = engine_task(&c->eng, name, "tcp", c->emu.tasks[k].host_port,
				  c->emu.tasks[k].container_port, c->ctr_ns[k], c->ctr_ip[k],
				  sizeof(c->ctr_ip[k]), why, len);
	}
	return ret;
}

int calibrate_run(const struct calibrate_opts *o, json_t **out, int *verdict, char *why, size_t len)
{
	struct cal *c = calloc(1, sizeof(*c));
	char root[PATH_MAX];
	int ret, worst = 3;

	*out = NULL;
	*verdict = 3;
	if (!c)
		return -ENOMEM;
	c->o = o;
	c->nbridge = o->bridge ? (o->paths[PATH_INTRA_HOST] ? 2 : 1) : 1;
	ret = engine_find(root, sizeof(root), why, len);
	if (!ret) {
		notice(NOTICE_INFO, "calibrate: building the emulated lab");
		ret = build_lab(c, &c->emu, false, why, len);
	}
	if (!ret) {
		notice(NOTICE_INFO, "calibrate: building the real engine's lab");
		ret = build_lab(c, &c->real, true, why, len);
	}
	if (!ret)
		ret = start_engine(c, why, len);
	if (!ret)
		ret = targets(c, why, len);
	/* The proxies the local path goes through: found once, not per slot. */
	if (!ret && c->have[EMU][CB][PATH_LOCAL]) {
		c->proxy[EMU] = c->emu.tasks[0].proxy_pid[0];
		c->proxy[REAL] =
			calibrate_proxy_of(c->real.ns_inst, c->t[REAL][CB][PATH_LOCAL].dst_port);
	}
	if (!ret)
		ret = measure(c, why, len);
	if (!ret) {
		json_t *doc =
			json_pack("{s:i, s:f, s:f, s:f, s:s, s:f}", "rounds", (int)c->rounds,
				  "seconds", c->seconds, "rr_s", o->rr_s, "stream_s", o->stream_s,
				  "schedule", "alternate", "margin", CALIBRATE_MARGIN);

		json_object_set_new(doc, "engine", engine_json(c));
		json_object_set_new(doc, "paths", analyse(c, &worst));
		json_object_set_new(doc, "hops", hops_json(c, why, len));
		if (c->have[EMU][CB][PATH_LOCAL])
			json_object_set_new(doc, "local_proxy_cpu_s",
					    json_pack("{s:f, s:f}", "emulated", c->proxy_cpu_s[EMU],
						      "real", c->proxy_cpu_s[REAL]));
		json_object_set_new(doc, "rules", calibrate_rules(&c->emu, c->real.ns_inst));
		json_object_set_new(doc, "verdict",
				    json_string(worst == 0   ? "within 5%"
						: worst == 1 ? "outside 5%"
							     : "undecided"));
		*out = doc;
		*verdict = worst;
	}
	if (ret == -EINTR)
		snprintf(why, len, "interrupted");
	teardown(c);
	free(c);
	return ret;
}
