// SPDX-License-Identifier: MIT
/* Notices from the library to the sink the CLI installed; no sink, no words. */
#include <stdarg.h>
#include <stdio.h>

#include "harness/common/notice.h"

static const struct notice_sink *sink;

void notice_set_sink(const struct notice_sink *s)
{
	sink = s;
}

void notice(enum notice_kind kind, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!sink || !sink->say)
		return;
	/* STATUS is the sink's to judge (it knows whether stderr is a terminal). */
	if (kind != NOTICE_STATUS && kind > sink->verbosity)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sink->say(sink->arg, kind, msg);
}

void notice_progress(unsigned int done, unsigned int total, double left_s, const char *what)
{
	if (sink && sink->progress)
		sink->progress(sink->arg, done, total, left_s, what);
}

void notice_progress_end(void)
{
	notice_progress(0, 0, -1, NULL);
}
