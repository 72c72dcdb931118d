/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_OPTS_H
#define NSB_CLAIMS_OPTS_H

#include <stdbool.h>

#include "harness/lab/model.h"
#include "harness/measure/schedule.h"

/* What a claims run is told (claims --instance, --userland-proxy, --schedule). */
struct claims_opts {
	enum lab_instance instance; /* every claim's lab is built on it */
	bool userland_proxy;
	enum schedule schedule; /* of the performance claims' rounds (schedule.h) */
};

#endif
