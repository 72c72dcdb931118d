// SPDX-License-Identifier: MIT
/*
 * libFuzzer: the command-line parsers on any text: the first byte picks the
 * parser, the rest is the argument (NUL-terminated copy). Each must accept
 * or refuse, never crash, and what it accepts must be in its range. The
 * commands' option rules too: a lab option's value and the lab options'
 * rules for every mode, and any of run's options through run_config_check.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/common/parse.h"
#include "harness/lab/addrplan.h"
#include "harness/lab/options.h"
#include "harness/lab/ports.h"
#include "harness/measure/measure.h"
#include "harness/measure/runargs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_item(const char *tok, void *arg)
{
	(*(size_t *)arg)++;
	return tok[0] == '\0' ? -1 : 0;
}

/* A lab option's value TEXT (option chosen by SEL), then the rules for every mode. */
static void lab_option(const char *text, unsigned int sel)
{
	static const enum lab_mode modes[] = {MODE_AWSVPC, MODE_BRIDGE, MODE_BRIDGE_DYNAMIC,
					      MODE_HOST, MODE_NONE};
	struct lab_options o;
	char why[512];
	int c = LAB_OPT_VPC_MTU + (int)(sel % (LAB_OPT_END - LAB_OPT_VPC_MTU));

	lab_options_default(&o);
	if (lab_option_set(&o, c, text, why, sizeof(why)))
		return;
	if (!o.families || (o.vpc.mtu && (o.vpc.mtu < LAB_MIN_MTU || o.vpc.mtu > LAB_MAX_MTU)))
		abort();
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		int ret = lab_options_check(&o, &modes[i], 1, i % 2, why, sizeof(why));

		if (ret && ret != -EINVAL && ret != -EOPNOTSUPP)
			abort();
	}
}

/* TEXT as one of run's options (chosen by SEL), through all of run's rules. */
static void run_option(const char *text, unsigned int sel)
{
	static struct run_config cfg;
	struct run_args a;
	const char **field[] = {&a.modes, &a.paths,   &a.tests,	   &a.reps,    &a.dur,	 &a.rrdur,
				&a.rate,  &a.streams, &a.window,   &a.cpu,     &a.shape, &a.tasks,
				&a.enis,  &a.target,  &a.max_time, &a.max_reps};
	char why[512];
	int ret;

	run_args_default(&a);
	*field[sel % (sizeof(field) / sizeof(field[0]))] = text;
	/* With a target, so that --max-reps and --max-time have their budget to be. */
	if (sel & 16)
		a.target = "5";
	a.schedule = (enum schedule)((sel / 32) % 3);
	a.schedule_set = sel & 64;
	ret = run_config_check(&a, 1, &cfg, why, sizeof(why));
	if (ret && ret != -EINVAL && ret != -EOPNOTSUPP)
		abort();
	if (!ret && (cfg.nmodes < 1 || cfg.npaths < 1 || cfg.ntests < 1 || cfg.reps < 1))
		abort();
}

/* measure's rules: a mode and test chosen by SEL, TEXT as a path and as an option's name. */
static void measure_option(const char *text, unsigned int sel)
{
	struct measure_req r;
	char why[512];
	int ret;

	measure_req_default(&r);
	r.mode = (enum lab_mode)(sel % MODE_COUNT);
	r.test = (enum bench_test)((sel / MODE_COUNT) % TEST_COUNT);
	r.hot = sel & 1;
	r.path_set = !path_parse(text, &r.path);
	r.given[r.ngiven++] = text;
	ret = measure_check(&r, why, sizeof(why));
	if (ret && ret != -EINVAL && ret != -EOPNOTSUPP)
		abort();
	if (!ret && (unsigned int)r.path >= PATH_COUNT)
		abort();
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
	switch (data[0] % 10) {
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
	case 6:
		if (!port_range_parse(text, &lo, &hi) && lo > hi)
			abort();
		break;
	case 7:
		lab_option(text, data[0] / 10u);
		break;
	case 8:
		run_option(text, data[0] / 10u);
		break;
	default:
		measure_option(text, data[0] / 10u);
		break;
	}
	free(text);
	return 0;
}
