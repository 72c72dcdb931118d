// SPDX-License-Identifier: MIT
/* The lab's names and its default configuration. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/lab/model.h"

static const char *const mode_names[MODE_COUNT] = {
	[MODE_AWSVPC] = "awsvpc",
	[MODE_BRIDGE] = "bridge",
	[MODE_BRIDGE_DYNAMIC] = "bridge-dynamic",
	[MODE_HOST] = "host",
	[MODE_NONE] = "none",
};

const char *lab_mode_name(enum lab_mode m)
{
	return (unsigned int)m < MODE_COUNT ? mode_names[m] : "?";
}

const char *lab_variant_name(enum lab_variant v)
{
	static const char *const names[] = {"ecs", "veth", "bridge", "conntrack"};

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

const char *lab_mode_names(void)
{
	static char list[96];

	if (!list[0])
		for (int m = 0; m < MODE_COUNT; m++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 m ? ", " : "", mode_names[m]);
	return list;
}

int lab_mode_parse(const char *name, enum lab_mode *m)
{
	for (int i = 0; i < MODE_COUNT; i++)
		if (name && strcmp(name, mode_names[i]) == 0) {
			*m = (enum lab_mode)i;
			return 0;
		}
	return -EINVAL;
}

static const char *const instance_names[INSTANCE_COUNT] = {
	[INSTANCE_AL2023] = "al2023",
	[INSTANCE_AL2] = "al2",
	[INSTANCE_BARE] = "bare",
};

const char *lab_instance_name(enum lab_instance i)
{
	return (unsigned int)i < INSTANCE_COUNT ? instance_names[i] : "?";
}

int lab_instance_parse(const char *name, enum lab_instance *i)
{
	for (int k = 0; k < INSTANCE_COUNT; k++)
		if (name && strcmp(name, instance_names[k]) == 0) {
			*i = (enum lab_instance)k;
			return 0;
		}
	return -EINVAL;
}

static const char *const wire_names[LAB_WIRE_COUNT] = {
	[LAB_WIRE_NIC] = "nic",
	[LAB_WIRE_VETH] = "veth",
};

const char *lab_wire_name(enum lab_wire w)
{
	return (unsigned int)w < LAB_WIRE_COUNT ? wire_names[w] : "?";
}

int lab_wire_parse(const char *name, enum lab_wire *w)
{
	for (int k = 0; k < LAB_WIRE_COUNT; k++)
		if (name && strcmp(name, wire_names[k]) == 0) {
			*w = (enum lab_wire)k;
			return 0;
		}
	return -EINVAL;
}

void lab_config_default(struct lab_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	ip4_net_parse("198.18.0.0/24", &cfg->vpc_net);
	ip4_net_parse("198.19.0.0/24", &cfg->bridge_net);
	cfg->max_enis = 0; /* no limit unless asked */
	snprintf(cfg->macvlan_mode, sizeof(cfg->macvlan_mode), "bridge");
	cfg->awsvpc_offset = 10;
	ip6_net_parse("2001:2::/64", &cfg->vpc_net6);
	/* An ECS-optimized AL2023 instance: its rules, Docker's proxy on (amazon-ecs-ami). */
	cfg->instance = INSTANCE_AL2023;
	cfg->userland_proxy = true;
}

static const char *const path_names[PATH_COUNT] = {"ingress",  "egress", "intra-host",
						   "loopback", "local",	 "agent"};

const char *path_name(enum lab_path p)
{
	return (unsigned int)p < PATH_COUNT ? path_names[p] : "?";
}

int path_parse(const char *name, enum lab_path *p)
{
	for (int i = 0; i < PATH_COUNT; i++)
		if (name && !strcmp(name, path_names[i])) {
			*p = (enum lab_path)i;
			return 0;
		}
	return -EINVAL;
}
