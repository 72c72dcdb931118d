// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nftables/libnftables.h>

#include "netns/netns.h"
#include "netns/nftables.h"
#include "netns/testhooks.h"

struct portmap {
	struct nft_ctx *nft;
	char *queue; /* commands waiting for portmap_commit(), one batch */
	size_t qlen, qcap;
	char err[512];
};

/* Appends commands to the batch, formatted straight into the growing queue: never truncated. */
static int portmap_queuef(struct portmap *pm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int portmap_queuef(struct portmap *pm, const char *fmt, ...)
{
	va_list ap;
	size_t need;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	need = pm->qlen + (size_t)n + 1;
	if (need > pm->qcap) {
		size_t cap = pm->qcap ? pm->qcap : 2048;
		char *q;

		while (cap < need)
			cap *= 2;
		q = realloc(pm->queue, cap);
		if (!q)
			return -ENOMEM;
		pm->queue = q;
		pm->qcap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(pm->queue + pm->qlen, pm->qcap - pm->qlen, fmt, ap);
	va_end(ap);
	pm->qlen += (size_t)n;
	return 0;
}

static int portmap_list_counters(struct portmap *pm, const char *table, json_t **rules);

int portmap_open(struct portmap **out, const char *netns)
{
	struct portmap *pm;
	int saved = -1, ret;

	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	ret = netns_enter(netns, &saved);
	if (ret) {
		free(pm);
		return ret;
	}
	/* The context's netlink socket stays in the namespace it was made in. */
	pm->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	ret = netns_leave(saved);
	if (ret || !pm->nft) {
		if (pm->nft)
			nft_ctx_free(pm->nft);
		free(pm);
		return ret ? ret : -ENOMEM;
	}
	nft_ctx_buffer_output(pm->nft);
	nft_ctx_buffer_error(pm->nft);
	*out = pm;
	return 0;
}

void portmap_close(struct portmap *pm)
{
	if (!pm)
		return;
	nft_ctx_free(pm->nft);
	free(pm->queue);
	free(pm);
}

const char *portmap_error(const struct portmap *pm)
{
	return pm ? pm->err : "";
}

/*
 * A batch is all or nothing. libnftables says why in text only: that text,
 * first line, is the reason (portmap_error), and the code is -EPROTO
 * ("nftables refused it"), not an errno guessed from English words.
 */
static int portmap_run(struct portmap *pm, const char *cmds)
{
	const char *e;
	size_t n;

	pm->err[0] = '\0';
	if (nft_run_cmd_from_buffer(pm->nft, cmds) == 0)
		return 0;
	e = nft_ctx_get_error_buffer(pm->nft);
	if (e && *e) {
		n = strcspn(e, "\n");
		snprintf(pm->err, sizeof(pm->err), "nftables: %.*s", (int)n, e);
	} else {
		snprintf(pm->err, sizeof(pm->err), "nftables refused the batch without a message");
	}
	return -EPROTO;
}

/*
 * NAT chains see only the first packet of a connection, so the forward chain
 * counts per-packet work (ct status dnat) as well as accepting it.
 */
int portmap_queue_init(struct portmap *pm, const char *bridge, const char *bridge_cidr)
{
	return portmap_queuef(
		pm,
		"add table ip " PORTMAP_TABLE "\n"
		"add chain ip " PORTMAP_TABLE " prerouting "
		"{ type nat hook prerouting priority dstnat; policy accept; }\n"
		"add chain ip " PORTMAP_TABLE " output "
		"{ type nat hook output priority -100; policy accept; }\n"
		"add chain ip " PORTMAP_TABLE " postrouting "
		"{ type nat hook postrouting priority srcnat; policy accept; }\n"
		"add chain ip " PORTMAP_TABLE " forward "
		"{ type filter hook forward priority filter; policy accept; }\n"
		"add rule ip " PORTMAP_TABLE " postrouting ip saddr %s oifname != \"%s\" "
		"counter masquerade comment \"egress\"\n"
		"add rule ip " PORTMAP_TABLE " postrouting ip saddr %s oifname \"%s\" "
		"ct status dnat counter masquerade comment \"hairpin\"\n"
		"add rule ip " PORTMAP_TABLE " forward oifname \"%s\" ct status dnat "
		"counter accept comment \"ingress-dnat\"\n"
		"add rule ip " PORTMAP_TABLE " forward iifname \"%s\" "
		"counter accept comment \"from-bridge\"\n",
		bridge_cidr, bridge, bridge_cidr, bridge, bridge, bridge);
}

/*
 * Connection tracking without translation (explain's +conntrack step): the
 * same table name, a forward chain whose ct expression makes the kernel
 * track every flow of the namespace, and no NAT chain.
 */
int portmap_queue_conntrack(struct portmap *pm, const char *bridge)
{
	return portmap_queuef(pm,
			      "add table ip " PORTMAP_TABLE "\n"
			      "add chain ip " PORTMAP_TABLE " forward "
			      "{ type filter hook forward priority filter; policy accept; }\n"
			      "add rule ip " PORTMAP_TABLE " forward oifname \"%s\" ct state "
			      "established,related,new counter accept comment \"ingress-tracked\"\n"
			      "add rule ip " PORTMAP_TABLE " forward iifname \"%s\" ct state "
			      "established,related,new counter accept comment \"from-bridge\"\n",
			      bridge, bridge);
}

int portmap_queue_add(struct portmap *pm, const char *host_addr, uint16_t host_port,
		      const char *task_addr, uint16_t task_port, unsigned int protos,
		      const char *comment)
{
	const char *chain[] = {"prerouting", "output"};
	const char *proto[] = {"tcp", "udp"};
	int ret = 0;

	for (size_t c = 0; c < 2 && !ret; c++)
		for (size_t p = 0; p < 2 && !ret; p++)
			ret = !(protos & (1u << p)) ? 0 : portmap_queuef(pm,
					     "add rule ip " PORTMAP_TABLE " %s ip daddr %s %s "
					     "dport %u counter dnat to %s:%u comment \"%s %s\"\n",
					     chain[c], host_addr, proto[p], host_port, task_addr,
					     task_port, comment, proto[p]);
	return ret;
}

/* Everything queued, as one all-or-nothing batch; the queue is emptied either way. */
int portmap_commit(struct portmap *pm)
{
	int ret;

	if (!pm->qlen)
		return 0;
	/* Test build: a batch nftables refuses, to show its words reach the user. */
	if (testhook_fail("nft-batch") &&
	    (ret = portmap_queuef(pm, "add rule ip " PORTMAP_TABLE " nosuchchain counter\n")))
		return ret;
	ret = portmap_run(pm, pm->queue);
	pm->qlen = 0;
	pm->queue[0] = '\0';
	return ret;
}

int portmap_init(struct portmap *pm, const char *bridge, const char *bridge_cidr)
{
	int ret = portmap_queue_init(pm, bridge, bridge_cidr);

	return ret ? ret : portmap_commit(pm);
}

int portmap_destroy(struct portmap *pm)
{
	return portmap_run(pm, "delete table ip " PORTMAP_TABLE "\n");
}

int portmap_cmd(struct portmap *pm, const char *cmd, const char **output)
{
	int ret = portmap_run(pm, cmd);

	if (output)
		*output = nft_ctx_get_output_buffer(pm->nft);
	return ret;
}

int portmap_counters(struct portmap *pm, json_t **rules)
{
	return portmap_list_counters(pm, "ip " PORTMAP_TABLE, rules);
}

static int portmap_list_counters(struct portmap *pm, const char *table, json_t **rules)
{
	char cmd[128];
	unsigned int flags = nft_ctx_output_get_flags(pm->nft);
	json_t *doc, *list, *item, *out;
	json_error_t jerr;
	const char *text;
	size_t i;
	int ret;

	nft_ctx_output_set_flags(pm->nft, flags | NFT_CTX_OUTPUT_JSON);
	if ((size_t)snprintf(cmd, sizeof(cmd), "list table %s\n", table) >= sizeof(cmd))
		return -ENAMETOOLONG;
	ret = portmap_run(pm, cmd);
	nft_ctx_output_set_flags(pm->nft, flags);
	if (ret)
		return ret;
	text = nft_ctx_get_output_buffer(pm->nft);
	doc = json_loads(text ? text : "", 0, &jerr);
	if (!doc)
		return -EBADMSG;
	out = json_array();
	list = json_object_get(doc, "nftables");
	json_array_foreach(list, i, item) {
		json_t *rule = json_object_get(item, "rule"), *e;
		size_t k;

		if (!rule)
			continue;
		json_array_foreach(json_object_get(rule, "expr"), k, e) {
			json_t *c = json_object_get(e, "counter");

			if (!c)
				continue;
			json_array_append_new(
				out, json_pack("{s:O, s:s, s:O, s:O}", "chain",
					       json_object_get(rule, "chain"), "comment",
					       json_string_value(json_object_get(rule, "comment"))
						       ? json_string_value(
								 json_object_get(rule, "comment"))
						       : "",
					       "packets", json_object_get(c, "packets"), "bytes",
					       json_object_get(c, "bytes")));
		}
	}
	json_decref(doc);
	*rules = out;
	return 0;
}

/*
 * The security-group analogue for awsvpc tasks: the macvlan takes a task's
 * frames before the instance namespace's IP hooks, so the filter sits on the
 * netdev ingress hook of the task's ENI in the instance (the macvlan's parent,
 * or the trunk that carries its VLAN), which does see them, as EC2 applies a
 * security group to the ENI.
 * Stateless there: it refuses new inbound TCP connections (SYN without ACK) and
 * inbound UDP to any port but the task's, below the task's ephemeral range, so
 * that replies to the task's own connections still come in.
 */
int portmap_sg_init(struct portmap *pm)
{
	return portmap_queuef(pm, "add table netdev " PORTMAP_SG_TABLE "\n");
}

/* A chain per device ("add" again is no change): an ENI each, or the one trunk. */
int portmap_sg_allow(struct portmap *pm, const char *dev, const char *task_addr, uint16_t port,
		     uint16_t ephemeral_lo, const char *comment)
{
	return portmap_queuef(
		pm,
		"add chain netdev " PORTMAP_SG_TABLE " in-%s "
		"{ type filter hook ingress device \"%s\" priority 0; policy accept; }\n"
		"add rule netdev " PORTMAP_SG_TABLE " in-%s ip daddr %s tcp dport %u "
		"counter accept comment \"%s allow tcp\"\n"
		"add rule netdev " PORTMAP_SG_TABLE " in-%s ip daddr %s udp dport %u "
		"counter accept comment \"%s allow udp\"\n"
		"add rule netdev " PORTMAP_SG_TABLE " in-%s ip daddr %s tcp flags & (syn | ack) "
		"== syn counter drop comment \"%s deny tcp\"\n"
		"add rule netdev " PORTMAP_SG_TABLE " in-%s ip daddr %s udp dport < %u "
		"counter drop comment \"%s deny udp\"\n",
		dev, dev, dev, task_addr, port, comment, dev, task_addr, port, comment, dev,
		task_addr, comment, dev, task_addr, ephemeral_lo, comment);
}

int portmap_sg_counters(struct portmap *pm, json_t **rules)
{
	return portmap_list_counters(pm, "netdev " PORTMAP_SG_TABLE, rules);
}
