/* SPDX-License-Identifier: MIT */
#ifndef NSB_INSTANCE_H
#define NSB_INSTANCE_H

/*
 * The instance profile (--instance): what an ECS container instance carries
 * whatever its tasks' modes. al2023 and al2 load the rules of ecs-init and
 * Docker 25 (the templates in share/instance/, built into the binary) with the real
 * iptables, nft backend or legacy, inside the instance namespace; each bridge
 * task's hostPort gets Docker's per-binding rules and, with the userland proxy
 * on, a docker-proxy per protocol. bare loads nothing (the modes' own nftables
 * rules, mode.c). Each profile sets br_netfilter's sysctls as Docker leaves them.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/lab/model.h"

/* The rules text a profile loads, rendered for LAB (malloc'd); NULL for bare. */
char *instance_rules_text(const struct lab *lab);
/* Docker's rules for one binding of task T (PROTO "tcp" or "udp"), rendered (malloc'd). */
char *instance_port_text(const struct lab *lab, const struct lab_task *t, const char *proto);
/* The instance's base rules and sysctls, in every mode: called by mode_build_base. */
int instance_build(struct lab *lab);
/* Task T's hostPort as Docker publishes it: its rules, then its proxies when on. */
int instance_publish(struct lab *lab, struct lab_task *t);
/* Every docker-proxy the lab started still runs: 0, or -ESRCH with WHY naming the one gone. */
int instance_proxies_alive(const struct lab *lab, char *why, size_t len);
/* What the instance's iptables holds now, as iptables-save prints it (malloc'd). */
int instance_save(const struct lab *lab, bool counters, char **out, char *why, size_t len);
/*
 * The packet counters the hot path reads, shaped as portmap_counters' (chain,
 * comment, packets): "to-bridge" (FORWARD into the bridge), "from-bridge"
 * (FORWARD out of it), and "tN tcp"/"tN udp" (a task's DNAT rules).
 */
int instance_counters(const struct lab *lab, json_t **rules);
/*
 * The instance as built and read back: {profile, iptables ("nft", "legacy" or
 * null), userland_proxy, bridge_nf_call: {iptables, ip6tables, arptables}
 * (1, 0, or null when br_netfilter is absent)}: the state file's, and run's.
 */
json_t *instance_describe(const struct lab *lab);
/* net.bridge.bridge-nf-call-iptables in namespace NS: 1, 0, or -1 when absent (lab->br_nf). */
int instance_read_br_nf(const char *ns);
/* The iptables command of the profile ("iptables-nft-save" ...): NULL for bare. */
/* ip6tables' restore (or save) tool of profile I, as instance_tool() for IPv4. */
const char *instance_tool6(enum lab_instance i, bool save);
const char *instance_tool(enum lab_instance i, bool save);

#endif
