// SPDX-License-Identifier: MIT
/*
 * libFuzzer: the command-line parsers on any text: the first byte picks the
 * parser, the rest is the argument (NUL-terminated copy). Each must accept
 * or refuse, never crash, and what it accepts must be in its range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/common/parse.h"
#include "harness/lab/addrplan.h"
#include "harness/lab/ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_item(const char *tok, void *arg)
{
	(*(size_t *)arg)++;
	return tok[0] == '\0' ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	unsigned long u;
	uint64_t bps;
	uint16_t port, lo, hi;
	double sec;
	struct ip4_net net;
	char host[16], fmt[20];
	size_t items = 0;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 7) {
	case 0:
		if (!parse_uint(text, 1, 100, &u) && (u < 1 || u > 100))
			abort();
		break;
	case 1:
		if (!parse_port(text, &port) && port == 0)
			abort();
		break;
	case 2:
		parse_rate(text, &bps);
		break;
	case 3:
		if (!parse_seconds(text, 0.05, 3600, &sec) && !(sec >= 0.05 && sec <= 3600))
			abort();
		break;
	case 4:
		parse_csv(text, count_item, &items);
		break;
	case 5:
		if (!ip4_net_parse(text, &net)) {
			if (net.plen > 32)
				abort();
			ip4_net_format(&net, fmt);
			ip4_net_host(&net, 1, host);
			ip4_net_host(&net, ip4_net_hosts(&net), host);
		}
		break;
	default:
		if (!port_range_parse(text, &lo, &hi) && lo > hi)
			abort();
		break;
	}
	free(text);
	return 0;
}
