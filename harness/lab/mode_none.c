// SPDX-License-Identifier: MIT
/*
 * none: a namespace with lo only. Its task has the loopback path and no
 * other; nothing outside it reaches it.
 */
#include <errno.h>
#include <stdio.h>

#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"
#include "harness/lab/path.h"

static int place(struct lab *lab, struct lab_task *t)
{
	(void)lab;
	snprintf(t->addr, sizeof(t->addr), "127.0.0.1");
	snprintf(t->ep_addr, sizeof(t->ep_addr), "127.0.0.1");
	t->ep_port = t->container_port;
	mode_scopy(t->client_ns, sizeof(t->client_ns), t->ns);
	return 0;
}

static void interfaces(const struct lab *lab, const struct lab_task *t, struct iface_list *l)
{
	struct lab_iface i;

	iface_lo(lab, t, &i);
	hops_list(l, &i);
}

static int has_path(enum lab_mode m, enum lab_path p, enum bench_family f, char *why, size_t len)
{
	(void)m;
	if (f == FAMILY_IPV6)
		snprintf(why, len,
			 "mode none has no IPv6: its task has only loopback, no address to reach "
			 "over either family");
	else if (p != PATH_LOOPBACK)
		snprintf(why, len, "mode none has no %s path: its task has only loopback",
			 path_name(p));
	else
		return 0;
	return -EINVAL;
}

const struct mode_ops mode_none_ops = {
	.own_ns = true,
	.default_path = PATH_LOOPBACK,
	.place = place,
	.interfaces = interfaces,
	.task_if = iface_lo,
	.has_path = has_path,
};
