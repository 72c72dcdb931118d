// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/measurement.h"
#include "harness/common/parse.h"
#include "harness/lab/mode.h"
#include "harness/lab/options.h"
#include "harness/lab/path.h"

void lab_options_default(struct lab_options *o)
{
	memset(o, 0, sizeof(*o));
	o->instance = INSTANCE_AL2023;
	o->proxy = -1;
	o->families = 1u << FAMILY_IPV4;
}

bool lab_option_is(int c)
{
	return c >= LAB_OPT_VPC_MTU && c < LAB_OPT_END;
}

static int ip_item(const char *tok, void *arg)
{
	unsigned int *families = arg;
	enum bench_family f;

	if ((strcmp(tok, "4") && strcmp(tok, "6")) || bench_family_parse(tok, &f) ||
	    (*families & (1u << f)))
		return -EINVAL;
	*families |= 1u << f;
	return 0;
}

/* "--OPT 'ARG': WHAT IT TAKES", and -EINVAL. */
static int refuse(char *why, size_t len, const char *opt, const char *arg, const char *takes)
{
	snprintf(why, len, "%s '%s': %s", opt, arg, takes);
	return -EINVAL;
}

int lab_option_set(struct lab_options *o, int c, const char *arg, char *why, size_t len)
{
	unsigned long n;

	switch (c) {
	case LAB_OPT_WIRE:
		return lab_wire_parse(arg, &o->vpc.wire)
			       ? refuse(why, len, "--wire", arg, "nic or veth")
			       : 0;
	case LAB_OPT_TRUNKING:
		o->vpc.trunking = true;
		return 0;
	case LAB_OPT_SECURITY_GROUP:
		o->security_group = true;
		return 0;
	case LAB_OPT_VPC_MTU:
	case LAB_OPT_BRIDGE_MTU:
		if (parse_uint(arg, LAB_MIN_MTU, LAB_MAX_MTU, &n)) {
			snprintf(why, len, "--%s '%s': %d to %d bytes",
				 c == LAB_OPT_VPC_MTU ? "vpc-mtu" : "bridge-mtu", arg, LAB_MIN_MTU,
				 LAB_MAX_MTU);
			return -EINVAL;
		}
		*(c == LAB_OPT_VPC_MTU ? &o->vpc.mtu : &o->vpc.bridge_mtu) = (unsigned int)n;
		return 0;
	case LAB_OPT_INSTANCE:
		return lab_instance_parse(arg, &o->instance)
			       ? refuse(why, len, "--instance", arg, "al2023, al2 or bare")
			       : 0;
	case LAB_OPT_USERLAND_PROXY:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			return refuse(why, len, "--userland-proxy", arg, "on or off");
		o->proxy = !strcmp(arg, "on");
		return 0;
	case LAB_OPT_IP:
		o->families = 0;
		if (parse_csv(arg, ip_item, &o->families) || !o->families)
			return refuse(why, len, "--ip", arg, "4, 6 or 4,6");
		return 0;
	default:
		snprintf(why, len, "option %d is not one of the lab's", c);
		return -EINVAL;
	}
}

enum lab_instance lab_options_instance(const struct lab_options *o)
{
	return o->instance;
}

bool lab_options_proxy(const struct lab_options *o)
{
	return o->proxy < 0 ? o->instance != INSTANCE_BARE : o->proxy == 1;
}

static int check_vpc(const struct lab_options *o, char *why, size_t len)
{
	unsigned int vpc = o->vpc.mtu ? o->vpc.mtu : LAB_VPC_MTU;
	unsigned int bridge = o->vpc.bridge_mtu ? o->vpc.bridge_mtu : LAB_BRIDGE_MTU;

	/* Said before a lab is built: the kernel refuses IPv6 on a link below 1280. */
	if ((o->families & (1u << FAMILY_IPV6)) && vpc < 1280)
		snprintf(why, len,
			 "--ip 6: IPv6 needs an MTU of at least 1280 bytes (RFC 8200), and "
			 "--vpc-mtu is %u",
			 vpc);
	else if (bridge > vpc)
		snprintf(why, len,
			 "the bridge's MTU (%u) is above the VPC's (%u): Docker's bridge sits "
			 "behind "
			 "the instance's ENI; give --bridge-mtu %u or less",
			 bridge, vpc, vpc);
	else
		return 0;
	return -EINVAL;
}

/*
 * What --ip asks of mode M: its default path over IPv6, and, to measure it
 * (MEASURED), docker-proxy for a bridge mode.
 */
static int check_ip(const struct lab_options *o, enum lab_mode m, bool measured, char *why,
		    size_t len)
{
	const char *ip = o->families & (1u << FAMILY_IPV4) ? "4,6" : "6";
	char reason[320];

	if (!(o->families & (1u << FAMILY_IPV6)))
		return 0;
	if (path_family_available(m, path_default(m), FAMILY_IPV6, reason, sizeof(reason))) {
		snprintf(why, len, "--ip %s: %s", ip, reason);
		return -EOPNOTSUPP;
	}
	if (measured && mode_bridged(m) && !lab_options_proxy(o)) {
		snprintf(why, len,
			 "--ip %s: a %s task's hostPort answers IPv6 only through Docker's "
			 "docker-proxy on \"::\" (Docker 25 writes no ip6tables rule by default): "
			 "--userland-proxy on",
			 ip, lab_mode_name(m));
		return -EOPNOTSUPP;
	}
	return 0;
}

int lab_options_check(const struct lab_options *o, const enum lab_mode *modes, unsigned int n,
		      bool measured, char *why, size_t len)
{
	bool eni = false;
	int ret;

	for (unsigned int i = 0; i < n; i++) {
		eni |= mode_own_eni(modes[i]);
		if (o->security_group && !mode_own_eni(modes[i])) {
			snprintf(why, len,
				 "--security-group applies to awsvpc tasks (their own ENI's); %s "
				 "tasks have none",
				 lab_mode_name(modes[i]));
			return -EINVAL;
		}
	}
	if ((ret = check_vpc(o, why, len)))
		return ret;
	if (o->vpc.trunking && !eni) {
		snprintf(
			why, len,
			"--trunking applies to awsvpc tasks (branch ENIs of a trunk ENI); %s%s has "
			"none",
			n == 1 ? lab_mode_name(modes[0]) : "--modes", n == 1 ? " mode" : "");
		return -EINVAL;
	}
	if (o->instance == INSTANCE_BARE && o->proxy == 1) {
		snprintf(why, len,
			 "--userland-proxy on needs Docker's rules: --instance al2023 or al2 (bare "
			 "maps ports with the lab's own nftables NAT)");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n; i++)
		if ((ret = check_ip(o, modes[i], measured, why, len)))
			return ret;
	return 0;
}

void lab_options_config(const struct lab_options *o, struct lab_config *cfg)
{
	lab_config_vpc(cfg, &o->vpc);
	cfg->instance = o->instance;
	cfg->userland_proxy = lab_options_proxy(o);
	cfg->dual_stack = o->families & (1u << FAMILY_IPV6);
	cfg->security_group = o->security_group;
}
