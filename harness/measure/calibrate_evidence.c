// SPDX-License-Identifier: MIT
/*
 * What calibrate records beside the figures (calibrate_evidence.h): the
 * devices a path crosses, a process's CPU time (the local path's
 * docker-proxy), and the two instances' rules with their differences named.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/lab/instance.h"
#include "harness/measure/calibrate_evidence.h"
#include "netns/counters.h"
#include "netns/netns.h"
#include "netns/nsexec.h"
#include "netns/rt.h"

#define MAX_LINKS 64

/* CPU seconds (user and system) PID has used; -1 when it is gone. */
double calibrate_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* After the name: state (3), then fields 4..13, utime (14), stime (15). */
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The docker-proxy of host port PORT over tcp on 0.0.0.0 in namespace NS (0: none). */
pid_t calibrate_proxy_of(const char *ns, uint16_t port)
{
	pid_t pids[256];
	size_t n = 0;
	char want[64];

	snprintf(want, sizeof(want), "-host-port %u ", port);
	if (netns_pids(ns, pids, 256, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char path[64], line[1024];
		FILE *f;
		size_t k;

		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		k = fread(line, 1, sizeof(line) - 2, f);
		fclose(f);
		for (size_t j = 0; j < k; j++)
			if (!line[j])
				line[j] = ' ';
		line[k] = '\0';
		if (strstr(line, "docker-proxy") && strstr(line, "-proto tcp ") &&
		    strstr(line, "-host-ip 0.0.0.0 ") && strstr(line, want))
			return pids[i];
	}
	return 0;
}

/* The hops: interfaces of NS[0..n) whose packet counters moved with the traffic. */
struct hops {
	const char *ns[3];
	const char *role[3];
	unsigned int n;
	struct counters_sock *cs[3];
	struct if_counters before[3][MAX_LINKS], after[3][MAX_LINKS];
	size_t nb[3], na[3];
};

static void hops_sample(void *arg, bool after)
{
	struct hops *h = arg;

	for (unsigned int i = 0; i < h->n; i++)
		if (h->cs[i])
			counters_read(h->cs[i], after ? h->after[i] : h->before[i], MAX_LINKS,
				      after ? &h->na[i] : &h->nb[i]);
}

static void hops_before(void *arg)
{
	hops_sample(arg, false);
}

static void hops_after(void *arg)
{
	hops_sample(arg, true);
}

/* "role:kind:name" of each crossed interface, in path order (namespaces, then ifindex). */
json_t *calibrate_hops(const struct bench_target *t, const char *inst, char *why, size_t len)
{
	struct hops h = {.ns = {t->client_ns, inst, t->server_ns},
			 .role = {"client", "instance", "task"},
			 .n = 3};
	struct bench_opts bo;
	json_t *res = NULL, *out;
	uint64_t moved[3][MAX_LINKS], trans = 0;
	int ret = 0;

	/* The local path's client is in the instance: two namespaces. */
	if (!strcmp(t->client_ns, inst)) {
		h.ns[0] = inst, h.role[0] = "instance";
		h.ns[1] = t->server_ns, h.role[1] = "task";
		h.n = 2;
	}
	for (unsigned int i = 0; i < h.n && !ret; i++)
		ret = counters_open(&h.cs[i], h.ns[i]);
	bench_opts_default(&bo);
	bench_cpus_resolve(&bo.cpus);
	bo.rr.duration_s = 0.3;
	bo.rr.warmup_s = 0;
	bo.before_client = hops_before;
	bo.after_client = hops_after;
	bo.hook_arg = &h;
	if (!ret)
		ret = bench_run(TEST_TCP_RR, &bo, t, &res, why, len);
	if (!ret)
		trans = (uint64_t)json_integer_value(
			json_object_get(json_object_get(res, "metrics"), "transactions"));
	json_decref(res);
	out = ret ? NULL : json_array();
	for (unsigned int i = 0; i < h.n && out; i++)
		for (size_t a = 0; a < h.na[i]; a++) {
			moved[i][a] = 0;
			for (size_t b = 0; b < h.nb[i]; b++)
				if (h.before[i][b].ifindex == h.after[i][a].ifindex)
					moved[i][a] = h.after[i][a].rx_packets +
						      h.after[i][a].tx_packets -
						      h.before[i][b].rx_packets -
						      h.before[i][b].tx_packets;
		}
	for (unsigned int i = 0; i < h.n && out; i++) {
		struct rt *rt = NULL;
		struct rt_link_info links[MAX_LINKS];
		size_t nl = 0;

		if (rt_open(&rt, h.ns[i]) || rt_links(rt, links, MAX_LINKS, &nl))
			nl = 0;
		rt_close(rt);
		/* Crossed: a packet per transaction at least, either way (lo aside). */
		for (size_t a = 0; a < h.na[i]; a++)
			for (size_t l = 0; l < nl; l++)
				if (links[l].ifindex == h.after[i][a].ifindex &&
				    strcmp(links[l].name, "lo") && trans && moved[i][a] >= trans) {
					char hop[64];

					snprintf(hop, sizeof(hop), "%s:%s:%s", h.role[i],
						 links[l].kind[0] ? links[l].kind : "device",
						 links[l].name);
					json_array_append_new(out, json_string(hop));
				}
	}
	for (unsigned int i = 0; i < h.n; i++)
		counters_close(h.cs[i]);
	if (ret && !why[0])
		snprintf(why, len, "counting the hops: %s", strerror(-ret));
	return out;
}

/* Whether two hop lists are the same devices (role and kind) in the same order. */
bool calibrate_same_hops(json_t *a, json_t *b)
{
	size_t i;
	json_t *x;

	if (!a || !b || json_array_size(a) != json_array_size(b))
		return false;
	json_array_foreach(a, i, x) {
		const char *p = json_string_value(x), *q = json_string_value(json_array_get(b, i));
		const char *pe = strrchr(p, ':'), *qe = strrchr(q, ':');

		if (pe - p != qe - q || strncmp(p, q, (size_t)(pe - p)))
			return false;
	}
	return true;
}

/* iptables-save's rules, without counters or comments, the bridge's name as BRIDGE. */
static json_t *rule_lines(const char *text, const char *bridge)
{
	json_t *out = json_array();
	char *copy = strdup(text ? text : ""), *save = NULL, table[32] = "";

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char line[1024], *o = line;

		if (l[0] == '#' || !strcmp(l, "COMMIT"))
			continue;
		if (l[0] == '*') {
			snprintf(table, sizeof(table), "%s", l + 1);
			continue;
		}
		/* ":CHAIN POLICY [p:b]" without its counters. */
		for (const char *s = l; *s && o < line + sizeof(line) - 8;) {
			if (!strncmp(s, bridge, strlen(bridge)) &&
			    !isalnum((unsigned char)s[strlen(bridge)])) {
				o += sprintf(o, "BRIDGE");
				s += strlen(bridge);
			} else if (*s == ' ' && s[1] == '[' && l[0] == ':') {
				break;
			} else {
				*o++ = *s++;
			}
		}
		*o = '\0';
		{
			char full[1100];

			snprintf(full, sizeof(full), "%s %s", table, line);
			json_array_append_new(out, json_string(full));
		}
	}
	free(copy);
	return out;
}

static bool listed(json_t *a, const char *s)
{
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
		if (!strcmp(json_string_value(x), s))
			return true;
	return false;
}

/*
 * What a difference between the lab's rules and dockerd 20.10's is: ecs-init's
 * (the lab's instance carries them, a bare dockerd does not), or Docker's own
 * between 20.10 and 25.0 (the lab follows 25.0.16, the AMI's).
 */
static const char *difference_source(const char *rule, bool in_lab)
{
	if (in_lab && (strstr(rule, "169.254.170.2") || strstr(rule, "51678") ||
		       strstr(rule, "51679") || strstr(rule, "127.0.0.0/8")))
		return "ecs-init (the AMI's, not Docker's)";
	return in_lab ? "Docker 25 (not in 20.10)" : "Docker 20.10 (not in 25)";
}

json_t *calibrate_rules(struct lab *emu, const char *real_ns)
{
	static char *const save[] = {"iptables-save", NULL};
	char *lab_text = NULL, *real_text = NULL, why[256];
	json_t *lab, *real, *diff = json_array(), *doc;
	size_t i;
	json_t *x;

	if (instance_save(emu, false, &lab_text, why, sizeof(why)))
		lab_text = NULL;
	if (nsexec_run(real_ns, save, NULL, &real_text, why, sizeof(why)))
		real_text = NULL;
	lab = rule_lines(lab_text, "ecs0");
	real = rule_lines(real_text, "docker0");
	json_array_foreach(lab, i, x)
		if (!listed(real, json_string_value(x)))
			json_array_append_new(
				diff, json_pack("{s:s, s:s, s:s}", "rule", json_string_value(x),
						"in", "emulated", "source",
						difference_source(json_string_value(x), true)));
	json_array_foreach(real, i, x)
		if (!listed(lab, json_string_value(x)))
			json_array_append_new(
				diff, json_pack("{s:s, s:s, s:s}", "rule", json_string_value(x),
						"in", "real", "source",
						difference_source(json_string_value(x), false)));
	doc = json_pack("{s:s?, s:s?, s:o}", "emulated", lab_text, "real", real_text, "differences",
			diff);
	json_decref(lab);
	json_decref(real);
	free(lab_text);
	free(real_text);
	return doc;
}
