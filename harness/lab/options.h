/* SPDX-License-Identifier: MIT */
#ifndef NSB_LAB_OPTIONS_H
#define NSB_LAB_OPTIONS_H

/*
 * The lab's options, the same on every command that builds a lab: --vpc-mtu,
 * --bridge-mtu, --wire, --trunking (the VPC), --instance, --userland-proxy
 * (the instance), --ip (the families) and --security-group; one parser and
 * one set of rules for all of them. The CLI names them in its getopt tables
 * by these codes and prints what the rules say.
 */
#include <stdbool.h>
#include <stddef.h>

#include "harness/lab/model.h"

enum lab_option {
	LAB_OPT_VPC_MTU = 0x100,
	LAB_OPT_BRIDGE_MTU,
	LAB_OPT_WIRE,
	LAB_OPT_TRUNKING,
	LAB_OPT_INSTANCE,
	LAB_OPT_USERLAND_PROXY,
	LAB_OPT_IP,
	LAB_OPT_SECURITY_GROUP,
	LAB_OPT_END
};

struct lab_options {
	struct lab_vpc_opts vpc;
	enum lab_instance instance;
	int proxy;	       /* -1: the profile's default (on, off under bare) */
	unsigned int families; /* a bit per enum bench_family; IPv4 alone by default */
	bool security_group;
};

void lab_options_default(struct lab_options *o);
/* Whether C is one of the lab's option codes. */
bool lab_option_is(int c);
/* Option C's value ARG (NULL for the flags): 0, or -EINVAL with WHY naming the option. */
int lab_option_set(struct lab_options *o, int c, const char *arg, char *why, size_t len);
/*
 * The options together, for a lab of MODES (N of them), in this order: 0,
 * -EINVAL with WHY when they contradict each other or name what the modes do
 * not have (--security-group, --trunking without awsvpc; a bridge MTU above
 * the VPC's; docker-proxy on a bare instance), -EOPNOTSUPP with WHY when a
 * mode lacks what --ip asks (none; and, when the lab is MEASURED over IPv6,
 * a bridge mode without docker-proxy) -- there the options are right and the
 * mode is not, so a pointer to --help would not help.
 */
int lab_options_check(const struct lab_options *o, const enum lab_mode *modes, unsigned int n,
		      bool measured, char *why, size_t len);
/* The instance profile and whether docker-proxy runs, once checked. */
enum lab_instance lab_options_instance(const struct lab_options *o);
bool lab_options_proxy(const struct lab_options *o);
/* The options into CFG (VPC, instance, proxy, dual stack, security group). */
void lab_options_config(const struct lab_options *o, struct lab_config *cfg);

#endif
