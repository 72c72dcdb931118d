// SPDX-License-Identifier: MIT
/*
 * The IPv6 row of the comparison, checked on one dual-stack lab holding a
 * task of each mode that has a network: awsvpc and host tasks answer over
 * IPv6 from the VPC; a bridge task has no IPv6 address of its own (Docker's
 * default bridge is IPv4-only) and no IPv6 way out, but its hostPort answers
 * IPv6 on the instance's address through Docker's second docker-proxy, on
 * "::" (with the userland proxy on; off, nothing does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lab/lab.h"
#include "harness/measure/claims_ctx.h"
#include "harness/measure/claims_row.h"
#include "netns/probe.h"

#define PROBE_MS 1000

enum { T_AWSVPC, T_HOST, T_BRIDGE, T_COUNT };

/* The dual-stack lab on O's instance: t1 awsvpc, t2 host, t3 bridge; NULL with R saying why. */
static struct lab *ipv6_lab(const struct claims_opts *o, struct claim_result *r)
{
	static const enum lab_mode modes[T_COUNT] = {MODE_AWSVPC, MODE_HOST, MODE_BRIDGE};
	static const uint16_t ports[T_COUNT] = {5201, 5202, 5203};
	struct lab *lab = calloc(1, sizeof(*lab));
	struct lab_config cfg;
	int ret = lab ? 0 : -ENOMEM;

	claims_lab_config(o, &cfg);
	cfg.dual_stack = true;
	if (!ret)
		ret = lab_init(lab, &cfg, "claims");
	for (unsigned int i = 0; !ret && i < T_COUNT; i++)
		ret = lab_plan_task(lab, modes[i], ports[i]);
	if (!ret)
		ret = lab_up(lab);
	if (!ret)
		return lab;
	claim_say(r, CLAIM_UNCHECKABLE, "a dual-stack lab: %s",
		  lab && lab->err[0] ? lab->err : strerror(-ret));
	lab_free(lab);
	free(lab);
	return NULL;
}

static const char *said(int ret)
{
	return ret ? strerror(-ret) : "answered";
}

void claim_ipv6(struct claims_ctx *c, struct claim_result *r)
{
	struct lab *lab = ipv6_lab(&c->opts, r);
	const struct lab_task *aw, *ho, *br;
	int a, h, b4, b6, bp;
	bool proxy;

	if (!lab)
		return;
	aw = &lab->tasks[T_AWSVPC];
	ho = &lab->tasks[T_HOST];
	br = &lab->tasks[T_BRIDGE];
	/* From the VPC: the awsvpc task's own IPv6 address, the instance's for host mode. */
	a = probe_tcp(aw->ns, "::", aw->container_port, lab->ns_vpc, aw->addr6, aw->ep_port,
		      PROBE_MS);
	h = probe_tcp(ho->ns, lab->inst_addr6, ho->container_port, lab->ns_vpc, ho->addr6,
		      ho->ep_port, PROBE_MS);
	/* The bridge task: served over IPv4 at its hostPort, no IPv6 out of its namespace. */
	b4 = probe_tcp(br->ns, "0.0.0.0", br->container_port, lab->ns_vpc, br->ep_addr, br->ep_port,
		       PROBE_MS);
	b6 = probe_tcp(lab->ns_vpc, lab->vpc_addr6, 5204, br->ns, lab->vpc_addr6, 5204, PROBE_MS);
	/* Its hostPort on the instance's IPv6 address: docker-proxy on "::" to its IPv4. */
	bp = probe_tcp(br->ns, "0.0.0.0", br->container_port, lab->ns_vpc, lab->inst_addr6,
		       br->host_port, PROBE_MS);
	proxy = lab->cfg.userland_proxy;
	if (!a && !h && !b4 && b6 && !br->addr6[0] && (proxy ? !bp : bp != 0))
		claim_say(r, CLAIM_HOLDS,
			  "from the VPC over IPv6: awsvpc t1 [%s]:%u %s, host t2 [%s]:%u %s; "
			  "bridge t3 has no IPv6 address (IPv4 %s:%u %s), IPv6 from it to the "
			  "VPC router [%s]: %s; its hostPort [%s]:%u over IPv6: %s (%s)",
			  aw->addr6, aw->ep_port, said(a), ho->addr6, ho->ep_port, said(h),
			  br->ep_addr, br->ep_port, said(b4), lab->vpc_addr6, strerror(-b6),
			  lab->inst_addr6, br->host_port, said(bp),
			  proxy ? "through docker-proxy on \"::\", as Docker starts one per binding"
				: "no docker-proxy, and Docker writes no ip6tables rule");
	else
		claim_say(r, CLAIM_FAILS,
			  "awsvpc [%s]:%u %s; host [%s]:%u %s; bridge IPv4 %s, IPv6 address "
			  "\"%s\", IPv6 to the VPC %s, hostPort [%s]:%u over IPv6 %s (proxy %s)",
			  aw->addr6, aw->ep_port, said(a), ho->addr6, ho->ep_port, said(h),
			  said(b4), br->addr6, said(b6), lab->inst_addr6, br->host_port, said(bp),
			  proxy ? "on" : "off");
	claim_lab_end(lab);
}
