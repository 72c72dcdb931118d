// SPDX-License-Identifier: MIT
/* A claim's row as its check fills it, and the fresh lab each check builds. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness/measure/claims_row.h"
#include "netns/testhooks.h"

void claim_say(struct claim_result *r, enum claim_verdict v, const char *fmt, ...)
{
	va_list ap;

	r->verdict = v;
	va_start(ap, fmt);
	vsnprintf(r->evidence, sizeof(r->evidence), fmt, ap);
	va_end(ap);
}

void claims_lab_config(const struct claims_opts *o, struct lab_config *cfg)
{
	lab_config_default(cfg);
	cfg->instance = o->instance;
	cfg->userland_proxy = o->userland_proxy;
	/* The claims' probes are udp_rr: bridge tasks map their port over udp too. */
	cfg->publish_udp = true;
}

struct lab *claim_lab_new(const struct claims_opts *o, struct claim_result *r, enum lab_mode m,
			  unsigned int n, const uint16_t *ports, unsigned int max_enis, bool sg)
{
	struct lab_config cfg;

	claims_lab_config(o, &cfg);
	cfg.max_enis = max_enis;
	cfg.security_group = sg;
	return claim_lab_new_cfg(r, &cfg, m, n, ports);
}

struct lab *claim_lab_new_cfg(struct claim_result *r, const struct lab_config *cfg, enum lab_mode m,
			      unsigned int n, const uint16_t *ports)
{
	struct lab *lab = calloc(1, sizeof(*lab));

	if (!lab) {
		claim_say(r, CLAIM_UNCHECKABLE, "out of memory");
		return NULL;
	}
	if (lab_init(lab, cfg, "claims")) {
		claim_say(r, CLAIM_UNCHECKABLE, "cannot plan a lab");
		free(lab);
		return NULL;
	}
	for (unsigned int i = 0; i < n; i++)
		if (lab_plan_task(lab, m, ports[i])) {
			claim_say(r, CLAIM_UNCHECKABLE, "planning: %s", lab->err);
			free(lab);
			return NULL;
		}
	if (lab_up(lab)) {
		claim_say(r, CLAIM_UNCHECKABLE, "mode %s unavailable here: %s", lab_mode_name(m),
			  lab->err);
		lab_free(lab);
		free(lab);
		return NULL;
	}
	testhook_phase("claims:lab");
	return lab;
}

void claim_lab_end(struct lab *lab)
{
	if (!lab)
		return;
	lab_down(lab, LAB_TEARDOWN_GROUP);
	lab_free(lab);
	free(lab);
}
