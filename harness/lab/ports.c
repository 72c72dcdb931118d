// SPDX-License-Identifier: MIT
/*
 * The instance's port table: host ports claimed by tasks (static hostPort,
 * host mode) and ECS's dynamic range; and the range the kernel gives to
 * ephemeral ports, read once for everyone.
 */
#include <errno.h>
#include <stdlib.h>

#include "harness/lab/ports.h"
#include "netns/sysctl.h"

void port_table_init(struct port_table *t)
{
	t->n = 0;
}

static int port_find(const struct port_table *t, uint16_t port)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (t->e[i].port == port)
			return (int)i;
	return -1;
}

int port_claim(struct port_table *t, uint16_t port, int owner, int *holder)
{
	int i;

	if (port == 0)
		return -EINVAL;
	i = port_find(t, port);
	if (i >= 0) {
		if (holder)
			*holder = t->e[i].owner;
		return -EADDRINUSE;
	}
	if (t->n >= PORT_TABLE_MAX)
		return -ENOSPC;
	t->e[t->n].port = port;
	t->e[t->n].owner = owner;
	t->n++;
	return 0;
}

int port_alloc(struct port_table *t, uint16_t lo, uint16_t hi, int owner, uint16_t *port)
{
	if (lo == 0 || lo > hi)
		return -EINVAL;
	for (unsigned int p = lo; p <= hi; p++) {
		if (port_find(t, (uint16_t)p) >= 0)
			continue;
		if (port_claim(t, (uint16_t)p, owner, NULL))
			return -ENOSPC;
		*port = (uint16_t)p;
		return 0;
	}
	return -ENOSPC;
}

void port_release_owner(struct port_table *t, int owner)
{
	unsigned int w = 0;

	for (unsigned int i = 0; i < t->n; i++)
		if (t->e[i].owner != owner)
			t->e[w++] = t->e[i];
	t->n = w;
}

int port_range_parse(const char *text, uint16_t *lo, uint16_t *hi)
{
	unsigned long a, b;
	char *end;

	if (!text)
		return -EINVAL;
	errno = 0;
	a = strtoul(text, &end, 10);
	if (errno || end == text || (*end != ' ' && *end != '\t'))
		return -EINVAL;
	text = end;
	b = strtoul(text, &end, 10);
	if (errno || end == text)
		return -EINVAL;
	while (*end == '\n' || *end == ' ' || *end == '\t')
		end++;
	if (*end || a == 0 || a > b || b > 65535)
		return -EINVAL;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

int ports_local_range(const char *ns, uint16_t *lo, uint16_t *hi)
{
	char buf[64];
	int ret = sysctl_read(ns, "net.ipv4.ip_local_port_range", buf, sizeof(buf));

	return ret ? ret : port_range_parse(buf, lo, hi);
}
