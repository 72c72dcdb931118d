// SPDX-License-Identifier: MIT
/*
 * The claims about the instance itself (claims --instance, --userland-proxy):
 * the agent's endpoint from every mode, and host mode's local path without
 * NAT or proxy.
 */
#include <stdio.h>
#include <string.h>

#include "harness/lab/path.h"
#include "harness/measure/claims_ctx.h"
#include "harness/measure/claims_row.h"
#include "harness/measure/hotpath.h"

/* The hot path of LAB's first task on path P; NULL with R saying why. */
static json_t *probe(struct lab *lab, enum lab_path p, struct claim_result *r)
{
	struct bench_opts bo;
	json_t *hp = NULL;
	char why[400];

	bench_opts_default(&bo);
	if (bench_cpus_resolve(&bo.cpus) ||
	    hotpath_probe(lab, &lab->tasks[0], p, &bo, &hp, why, sizeof(why))) {
		claim_say(r, CLAIM_FAILS, "%s %s path: %s", lab_mode_name(lab->tasks[0].mode),
			  path_name(p), hp ? "" : why);
		json_decref(hp);
		return NULL;
	}
	return hp;
}

/* "a -> b -> c" of a hot path's hops. */
static void hops_text(json_t *hp, char *buf, size_t len)
{
	json_t *h;
	size_t i, off = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(hp, "hops"), i, h)
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " -> " : "",
						json_string_value(h));
}

void claim_agent_endpoint(struct claims_ctx *c, struct claim_result *r)
{
	static const enum lab_mode modes[] = {MODE_AWSVPC, MODE_BRIDGE, MODE_HOST};
	static const uint16_t ports[] = {5201};
	char ev[sizeof(r->evidence)] = "", hops[160];
	size_t off = 0;

	if (c->opts.instance == INSTANCE_BARE) {
		claim_say(r, CLAIM_UNCHECKABLE,
			  "a bare instance has no agent endpoint (ecs-init's rules): --instance "
			  "al2023 or al2");
		return;
	}
	for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
		struct lab *lab = claim_lab_new(&c->opts, r, modes[k], 1, ports, 0, false);
		json_t *hp;

		if (!lab)
			return;
		hp = probe(lab, PATH_AGENT, r);
		if (hp && !json_is_true(json_object_get(hp, "ok")))
			claim_say(r, CLAIM_FAILS, "%s to %s:%d: %s", lab_mode_name(modes[k]),
				  PATH_AGENT_ADDR, PATH_AGENT_PORT,
				  json_string_value(json_object_get(hp, "problem")));
		claim_lab_end(lab);
		if (!hp || !json_is_true(json_object_get(hp, "ok"))) {
			json_decref(hp);
			return;
		}
		hops_text(hp, hops, sizeof(hops));
		off += (size_t)snprintf(ev + off, off < sizeof(ev) ? sizeof(ev) - off : 0,
					"%s%s %s", k ? "; " : "", lab_mode_name(modes[k]), hops);
		json_decref(hp);
	}
	claim_say(r, CLAIM_HOLDS,
		  "tcp_rr to %s:%d served by the agent's stand-in at 127.0.0.1:%d: %s",
		  PATH_AGENT_ADDR, PATH_AGENT_PORT, 51679, ev);
}

/* The packets a hot path's DNAT rules of task t1 counted (Docker's, or the lab's own). */
static long long dnat_packets(json_t *hp)
{
	json_t *rule;
	size_t i;
	long long n = 0;

	json_array_foreach(json_object_get(hp, "nft"), i, rule)
		if (!strncmp(json_string_value(json_object_get(rule, "comment")), "t1 ", 3))
			n += json_integer_value(json_object_get(rule, "packets"));
	return n;
}

void claim_no_proxy(struct claims_ctx *c, struct claim_result *r)
{
	static const uint16_t ports[] = {5201};
	struct lab *lab;
	json_t *bh, *hh;
	char bhops[160], hhops[160];
	bool proxied, direct;
	int pid;

	if (c->opts.instance == INSTANCE_BARE || !c->opts.userland_proxy) {
		claim_say(r, CLAIM_UNCHECKABLE,
			  "without Docker's userland proxy there is none to do without: "
			  "--instance al2023 or al2 with --userland-proxy on");
		return;
	}
	lab = claim_lab_new(&c->opts, r, MODE_BRIDGE, 1, ports, 0, false);
	if (!lab)
		return;
	bh = probe(lab, PATH_LOCAL, r);
	pid = lab->tasks[0].proxy_pid[1];
	claim_lab_end(lab);
	if (!bh)
		return;
	lab = claim_lab_new(&c->opts, r, MODE_HOST, 1, ports, 0, false);
	if (!lab) {
		json_decref(bh);
		return;
	}
	hh = probe(lab, PATH_LOCAL, r);
	claim_lab_end(lab);
	if (!hh) {
		json_decref(bh);
		return;
	}
	hops_text(bh, bhops, sizeof(bhops));
	hops_text(hh, hhops, sizeof(hhops));
	/* The proxy's two legs: lo to it, then its own connection out of the bridge. */
	proxied = json_is_true(json_object_get(bh, "ok")) && pid > 0 && strstr(bhops, "inst:lo") &&
		  strstr(bhops, "t1:eth0") && dnat_packets(bh) == 0;
	direct = json_is_true(json_object_get(hh, "ok")) && !strcmp(hhops, "inst:lo") &&
		 dnat_packets(hh) == 0;
	if (proxied && direct)
		claim_say(r, CLAIM_HOLDS,
			  "from the instance to 127.0.0.1:port: host %s, no NAT rule, no proxy; "
			  "bridge %s: its udp docker-proxy (pid %d) carried both legs, lo in and "
			  "its own flow out of the bridge; Docker's DNAT rule counted %lld",
			  hhops, bhops, pid, dnat_packets(bh));
	else
		claim_say(r, CLAIM_FAILS,
			  "host %s (NAT %lld packets, %s); bridge %s (proxy pid %d, NAT %lld)",
			  hhops, dnat_packets(hh),
			  json_string_value(json_object_get(hh, "problem"))
				  ? json_string_value(json_object_get(hh, "problem"))
				  : "ok",
			  bhops, pid, dnat_packets(bh));
	json_decref(bh);
	json_decref(hh);
}
