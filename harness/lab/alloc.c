// SPDX-License-Identifier: MIT
/* Address and port allocation: pure logic, unit-tested without root. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lab/alloc.h"

int parse_uint(const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_port(const char *text, uint16_t *port)
{
	unsigned long v;
	int ret = parse_uint(text, 1, 65535, &v);

	if (ret)
		return ret;
	*port = (uint16_t)v;
	return 0;
}

/* Prefixes from /8 to /29: a /30 leaves no room for a gateway and tasks. */
int ip4_net_parse(const char *text, struct ip4_net *net)
{
	char buf[32], *slash;
	struct in_addr a;
	unsigned long plen;
	uint32_t mask;

	if (!text || strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	if (parse_uint(slash + 1, 8, 29, &plen))
		return -EINVAL;
	mask = plen ? ~0u << (32 - plen) : 0;
	net->base = ntohl(a.s_addr) & mask;
	net->plen = (unsigned int)plen;
	return 0;
}

unsigned int ip4_net_hosts(const struct ip4_net *net)
{
	return (1u << (32 - net->plen)) - 2;
}

int ip4_net_host(const struct ip4_net *net, unsigned int idx, char out[16])
{
	struct in_addr a;

	if (idx == 0 || idx > ip4_net_hosts(net))
		return -ERANGE;
	a.s_addr = htonl(net->base + idx);
	if (!inet_ntop(AF_INET, &a, out, 16))
		return -errno;
	return 0;
}

int ip4_net_format(const struct ip4_net *net, char out[20])
{
	struct in_addr a = {.s_addr = htonl(net->base)};
	char host[16];

	if (!inet_ntop(AF_INET, &a, host, sizeof(host)))
		return -errno;
	snprintf(out, 20, "%s/%u", host, net->plen);
	return 0;
}

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

int parse_rate(const char *text, uint64_t *bps)
{
	double v, mult = 1;
	char *end;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1e3;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1e6;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1e9;
		end++;
		break;
	default:
		break;
	}
	if (*end || v * mult < 1 || v * mult > 1e13)
		return -EINVAL;
	*bps = (uint64_t)(v * mult);
	return 0;
}

int parse_seconds(const char *text, double min, double max, double *out)
{
	char *end;
	double v;

	if (!text || !(isdigit((unsigned char)text[0]) || text[0] == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	if (errno || *end || end == text)
		return -EINVAL;
	if (!(v >= min && v <= max))
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_csv(const char *text, int (*item)(const char *tok, void *arg), void *arg)
{
	char buf[1024], *save = NULL, *tok;
	size_t len;
	int ret;

	if (!text || !*text || (len = strlen(text)) >= sizeof(buf) || text[0] == ',' ||
	    text[len - 1] == ',' || strstr(text, ",,"))
		return -EINVAL;
	memcpy(buf, text, len + 1);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if ((ret = item(tok, arg)))
			return ret;
	return 0;
}
