// SPDX-License-Identifier: MIT
/* Diagnostics go to stderr; results never do. */
#include <stdarg.h>
#include <stdio.h>

#include "harness/cli/log.h"

int log_verbosity = LOG_WARN;

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {"error: ", "warning: ", "", "debug: "};
	va_list ap;

	if ((int)level > log_verbosity)
		return;
	fputs("nsbench: ", stderr);
	fputs(prefix[level], stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
