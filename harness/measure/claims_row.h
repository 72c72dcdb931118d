/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_ROW_H
#define NSB_CLAIMS_ROW_H

/* Inside the claims module: a claim's row as its check fills it, and a fresh lab per check. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/lab/lab.h"
#include "harness/measure/claims_opts.h"

enum claim_verdict { CLAIM_HOLDS, CLAIM_FAILS, CLAIM_UNCHECKABLE, CLAIM_INCONCLUSIVE };

struct claim_result {
	enum claim_verdict verdict;
	char evidence[768];
	json_t *figures; /* the evidence's numbers as fields, or NULL; the row takes it */
};

void claim_say(struct claim_result *r, enum claim_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * A fresh lab of N tasks of mode M on O's instance; NULL, R saying why (cannot
 * check), when the kernel refuses.
 */
struct lab *claim_lab_new(const struct claims_opts *o, struct claim_result *r, enum lab_mode m,
			  unsigned int n, const uint16_t *ports, unsigned int max_enis, bool sg);
/* The same on a configuration of the caller's (claims_lab_config() and more). */
struct lab *claim_lab_new_cfg(struct claim_result *r, const struct lab_config *cfg, enum lab_mode m,
			      unsigned int n, const uint16_t *ports);
void claim_lab_end(struct lab *lab);
/* CFG as lab_config_default() with O's instance. */
void claims_lab_config(const struct claims_opts *o, struct lab_config *cfg);

/* The claims about the instance itself (claims_instance.c). */
struct claims_ctx;
void claim_agent_endpoint(struct claims_ctx *c, struct claim_result *r);
void claim_no_proxy(struct claims_ctx *c, struct claim_result *r);
/* Jumbo frames from the VPC to each mode: MTUs, throughput, CPU and frames per GB (claims_jumbo.c).
 */
void claim_jumbo(struct claims_ctx *c, struct claim_result *r);
/* IPv6 on a dual-stack VPC, per mode (claims_ipv6.c). */
void claim_ipv6(struct claims_ctx *c, struct claim_result *r);

#endif
