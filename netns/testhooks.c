// SPDX-License-Identifier: MIT
/* The test hooks (testhooks.h), in the lowest layer: netns/, bench/ and harness/ all consult them.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "netns/testhooks.h"

#ifdef NSBENCH_TEST_HOOKS
bool testhook_enabled(void)
{
	return true;
}

const char *testhook(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}
#else
bool testhook_enabled(void)
{
	return false;
}

const char *testhook(const char *name)
{
	(void)name;
	return NULL;
}
#endif

bool testhook_break(const char *rule)
{
	const char *b = testhook("NSBENCH_BREAK");

	return b && !strcmp(b, rule);
}

bool testhook_fail(const char *what)
{
	const char *f = testhook("NSBENCH_FAIL");

	return f && !strcmp(f, what);
}

void testhook_phase(const char *phase)
{
	const char *k = testhook("NSBENCH_KILL_AT");
	size_t n = strlen(phase);

	if (k && !strncmp(k, phase, n) && k[n] == ':')
		raise(atoi(k + n + 1));
}
