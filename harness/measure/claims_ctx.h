/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_CTX_H
#define NSB_CLAIMS_CTX_H

/*
 * Inside the claims module (claims.h is its face): the context of a claims
 * run, passed to every check: what the run was told (claims_opts.h), what the
 * performance rounds measured and what the sequential rule decided from them.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/lab/state.h"
#include "harness/measure/claims_opts.h"
#include "harness/measure/claims_row.h"
#include "harness/measure/schedule.h"

/*
 * The budget of the performance claims' rounds (doc/claims.md): as many
 * rounds as fit in PERF_MAX_SECONDS at this machine's pace, at most
 * PERF_MAX_ROUNDS (18 rounds of ~7.9 s fit on a 2-vCPU VM).
 */
#define PERF_MAX_ROUNDS 18
#define PERF_MAX_SECONDS 150
/*
 * The rounds go on, within the budget, until every ratio's 95% interval is
 * this narrow (half-width, percent), not only until every claim is decided.
 */
#define PERF_PRECISION_PCT 2.0
#define PERF_MAX_OTHERS 4

/* Performance, measured for the claims that need it, side by side, in rounds. */
enum perf_mode { PM_HOST, PM_BRIDGE, PM_AWSVPC, PM_AWSVPC_SG, PM_COUNT };

struct perf {
	bool done;
	bool emulated; /* this CPU is emulated: nothing measured, nothing decided */
	int err;
	char why[768];
	double thr[PM_COUNT][PERF_MAX_ROUNDS], p50[PM_COUNT][PERF_MAX_ROUNDS];
	/*
	 * Under duet, host's figures measured at the same time as mode m's (its
	 * partner in that slot); under interleave, the reference's from the turns
	 * it took with mode m (the reference: host, or where host is not
	 * measured the first mode). The reference's thr/p50 then hold their
	 * geometric mean; under interleave its own host_thr/host_p50 are those,
	 * so that a mode against it goes through the pair (claims_decide.c).
	 */
	double host_thr[PM_COUNT][PERF_MAX_ROUNDS], host_p50[PM_COUNT][PERF_MAX_ROUNDS];
	enum schedule schedule;
	int window;		       /* both ends' socket buffers in the throughput, bytes */
	int duet_cpus[2];	       /* duet: host's CPU in round r is duet_cpus[r % 2] */
	int host_cpu[PERF_MAX_ROUNDS]; /* duet: host's CPU as read back from its server */
	unsigned int seed;	       /* random: the order's seed */
	unsigned int order[PERF_MAX_ROUNDS][PM_COUNT]; /* the modes in the order measured */
	unsigned int norder;			       /* how many a round measures */
	int n;					       /* rounds measured in every needed mode */
	double alpha;				       /* the level of each look */
	double seconds, steal_max, outside_max, net_max;
	int max_seconds; /* the budget: PERF_MAX_SECONDS (the test build may set less) */
	int noisy;
	struct state_other others[PERF_MAX_OTHERS]; /* other nsbench labs live in a round */
	size_t nothers;
};

/* The performance claims decided by the sequential rule. */
enum decision { D_BRIDGE_SLOWER, D_HOST_FASTEST, D_AWSVPC_VS_BRIDGE, D_COUNT };

struct decided {
	bool set;
	enum claim_verdict verdict;
	char evidence[768];
	json_t *figures; /* the evidence's ratios as fields */
};

struct claims_ctx {
	struct claims_opts opts; /* the instance of the labs, the schedule of the rounds */
	struct perf perf;
	unsigned int needs;	/* NEED() of the perf modes the selected claims use */
	unsigned int thr_needs; /* those whose throughput a decision reads */
	bool wants[D_COUNT];
	struct decided decided[D_COUNT];
	int undecided;
	double widest95_pct; /* the widest 95% half-width among the decisions' ratios */
};

/* The performance modes a decision reads, as NEED() bits. */
#define NEED(m) (1u << (m))

#endif
