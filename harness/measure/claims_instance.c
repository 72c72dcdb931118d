// SPDX-License-Identifier: MIT
/* The instance every claim's lab is built on: claims --instance, --userland-proxy. */
#include "harness/measure/claims.h"
#include "harness/measure/claims_row.h"

static enum lab_instance claims_instance = INSTANCE_AL2023;
static bool claims_proxy = true;

void claims_set_instance(enum lab_instance inst, bool userland_proxy)
{
	claims_instance = inst;
	claims_proxy = userland_proxy;
}

void claims_lab_config(struct lab_config *cfg)
{
	lab_config_default(cfg);
	cfg->instance = claims_instance;
	cfg->userland_proxy = claims_proxy;
}
