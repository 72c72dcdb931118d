// SPDX-License-Identifier: MIT
/* Text to numbers: the parsers of every option and of the address plan. Pure logic. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stream.h"
#include "harness/common/parse.h"
#include "harness/common/why.h"

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

int parse_bytes(const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v, unit = 1;
	char *end;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		unit = 1ul << 10;
		end++;
		break;
	case 'm':
	case 'M':
		unit = 1ul << 20;
		end++;
		break;
	case 'g':
	case 'G':
		unit = 1ul << 30;
		end++;
		break;
	default:
		break;
	}
	if (*end)
		return -EINVAL;
	if (v > max / unit || v * unit < min)
		return -ERANGE;
	*out = v * unit;
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

int parse_window(const char *text, int *window, char *why, size_t len)
{
	unsigned long n;

	if (!strcmp(text, "auto")) {
		*window = 0;
		return 0;
	}
	if (parse_bytes(text, STREAM_WINDOW_MIN, STREAM_WINDOW_MAX, &n))
		return why_err(why, len, -EINVAL,
			       "--window '%s': auto, or %d bytes to %dM (K/M suffixes)", text,
			       STREAM_WINDOW_MIN, STREAM_WINDOW_MAX >> 20);
	*window = (int)n;
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
