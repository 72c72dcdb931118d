/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_PERF_H
#define NSB_CLAIMS_PERF_H

/*
 * Inside the claims module (claims.h is its face): the performance claims
 * (claims_perf.c) -- the modes measured side by side in rounds, decided by
 * the sequential rule -- and what they share with the other checks
 * (claims.c): a row's result and a fresh lab.
 */
#include <stdbool.h>
#include <stdint.h>

#include "harness/lab/lab.h"
#include "harness/measure/claims.h"

struct claim_result {
	enum claim_verdict verdict;
	char evidence[512];
};

void claim_say(struct claim_result *r, enum claim_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A fresh lab of N tasks of mode M; NULL with the reason in R (cannot check) when the kernel refuses. */
struct lab *claim_lab_new(struct claim_result *r, enum lab_mode m, unsigned int n,
			  const uint16_t *ports, unsigned int max_enis, bool sg);
void claim_lab_end(struct lab *lab);

/* The budget of the performance claims' rounds (README: claims). */
#define PERF_MAX_ROUNDS 12
#define PERF_MAX_SECONDS 150

/* Performance, measured for the claims that need it, side by side, in rounds. */
enum perf_mode { PM_HOST, PM_BRIDGE, PM_AWSVPC, PM_AWSVPC_SG, PM_COUNT };

struct perf {
	bool done;
	int err;
	char why[600];
	double thr[PM_COUNT][PERF_MAX_ROUNDS], p50[PM_COUNT][PERF_MAX_ROUNDS];
	int n;	      /* rounds measured in every needed mode */
	double alpha; /* the level of each look */
	double seconds, steal_max, outside_max;
	int noisy;
};

/* The performance claims decided by the sequential rule. */
enum decision { D_BRIDGE_SLOWER, D_HOST_FASTEST, D_AWSVPC_VS_BRIDGE, D_COUNT };

struct decided {
	bool set;
	enum claim_verdict verdict;
	char evidence[512];
};

struct claims_ctx {
	struct perf perf;
	unsigned int needs;	/* NEED() of the perf modes the selected claims use */
	unsigned int thr_needs; /* those whose throughput a decision reads */
	bool wants[D_COUNT];
	struct decided decided[D_COUNT];
	int undecided;
};

/* The performance modes a decision reads, as NEED() bits. */
#define NEED(m) (1u << (m))

unsigned int claims_perf_needs(enum decision d);
/*
 * The modes C->needs, side by side, round after round, until every wanted
 * decision is made at a look of the sequential rule or the budget ends; once.
 */
void claims_perf_measure(struct claims_ctx *c);
/* Decision D as a claim's row: its verdict and evidence (cannot check when unmeasured). */
void claims_perf_verdict(struct claims_ctx *c, struct claim_result *r, enum decision d);

#endif
