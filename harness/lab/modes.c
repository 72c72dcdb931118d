// SPDX-License-Identifier: MIT
/*
 * The modes' tables (mode_ops.h), one per mode, and what the layers above the
 * lab ask of them (mode.h). Above the modes' files: nothing they call is here.
 */
#include <stdio.h>

#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"

const struct mode_ops *mode_ops(enum lab_mode m)
{
	static const struct mode_ops *const ops[MODE_COUNT] = {
		[MODE_AWSVPC] = &mode_awsvpc_ops,
		[MODE_BRIDGE] = &mode_bridge_ops,
		[MODE_BRIDGE_DYNAMIC] = &mode_bridge_dynamic_ops,
		[MODE_HOST] = &mode_host_ops,
		[MODE_NONE] = &mode_none_ops,
	};

	return ops[(unsigned int)m < MODE_COUNT ? m : MODE_NONE];
}

bool mode_bridged(enum lab_mode m)
{
	return mode_ops(m)->bridged;
}

bool mode_own_eni(enum lab_mode m)
{
	return mode_ops(m)->own_eni;
}

bool mode_reachable(enum lab_mode m)
{
	return mode_ops(m)->reachable;
}

bool mode_static_port(enum lab_mode m)
{
	return mode_ops(m)->static_port;
}

const char *mode_server_bind(const struct lab *lab, const struct lab_task *t)
{
	return mode_ops(t->mode)->own_ns ? "0.0.0.0" : lab->inst_addr;
}

int mode_has_path(enum lab_mode m, enum lab_path p, enum bench_family f, char *why, size_t len)
{
	char scratch[8];

	if (!mode_ops(m)->has_path)
		return 0;
	if (!why) {
		why = scratch;
		len = sizeof(scratch);
	}
	return mode_ops(m)->has_path(m, p, f, why, len);
}

unsigned int mode_steps(enum lab_mode m, const struct mode_step **steps)
{
	*steps = mode_ops(m)->steps;
	return mode_ops(m)->nsteps;
}
