/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_PERF_H
#define NSB_CLAIMS_PERF_H

/*
 * Inside the claims module (claims.h is its face): the performance claims,
 * the modes measured side by side in rounds and decided by the sequential
 * rule. claims.c asks for them.
 */
#include <stdbool.h>
#include <stdint.h>

#include "harness/lab/state.h"
#include "harness/measure/claims_row.h"
#include "harness/measure/schedule.h"

/*
 * The budget of the performance claims' rounds (doc/claims.md): as many
 * rounds as fit in PERF_MAX_SECONDS at this machine's pace, at most
 * PERF_MAX_ROUNDS (18 rounds of ~7.9 s fit on a 2-vCPU VM).
 */
#define PERF_MAX_ROUNDS 18
#define PERF_MAX_SECONDS 150
#define PERF_MAX_OTHERS 4
/* Both ends' socket buffers in the rounds' throughput (bytes), at most what is granted. */
#define PERF_STREAM_WINDOW (2 << 20)

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
	 * partner in that slot); thr/p50[PM_HOST] then hold their geometric mean.
	 */
	double host_thr[PM_COUNT][PERF_MAX_ROUNDS], host_p50[PM_COUNT][PERF_MAX_ROUNDS];
	enum schedule schedule;
	int window;			    /* both ends' socket buffers in the throughput, bytes */
	int duet_cpus[2];		    /* duet: host's CPU in round r is duet_cpus[r % 2] */
	int host_cpu[PERF_MAX_ROUNDS];	    /* duet: host's CPU as read back from its server */
	unsigned int seed;		    /* random: the order's seed */
	unsigned int order[PERF_MAX_ROUNDS][PM_COUNT]; /* the modes in the order measured */
	unsigned int norder;			       /* how many a round measures */
	int n;	      /* rounds measured in every needed mode */
	double alpha; /* the level of each look */
	double seconds, steal_max, outside_max, net_max;
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
	enum schedule schedule; /* of the performance rounds (claims --schedule) */
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
/* What the decisions hold (their figures); C stays usable as empty. */
void claims_perf_release(struct claims_ctx *c);

/*
 * The document claims_run returns (claims_doc.c): claims_doc_new at the start
 * (the version, nsbench, the host, the instance, the time), claims_doc_finish
 * at the end with ROWS (taken) and the performance rounds C measured.
 */
json_t *claims_doc_new(const char *only);
void claims_doc_finish(json_t *doc, const struct claims_ctx *c, json_t *rows);

#endif
