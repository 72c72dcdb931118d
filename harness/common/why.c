// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "harness/common/why.h"

int why_err(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}
