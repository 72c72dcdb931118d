// SPDX-License-Identifier: MIT
/*
 * Diagnostics and progress go to stderr; results never do. The library's
 * notices (harness/common/notice.h) arrive here: errors and warnings always,
 * -v and -vv say more, progress only on a terminal unless -v asks for it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness/cli/log.h"
#include "harness/common/notice.h"

int log_verbosity = LOG_WARN;

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {"error: ", "warning: ", "", "debug: "};

	if ((int)level > log_verbosity)
		return;
	fputs("nsbench: ", stderr);
	fputs(prefix[level], stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static bool stderr_tty;
static bool progress_shown; /* a transient line is on the terminal */

static void clear_progress(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = false;
}

/* A notice's kind is the log level of the same name: one scale, not two to map. */
_Static_assert(NOTICE_ERROR == (int)LOG_ERR && NOTICE_WARNING == (int)LOG_WARN &&
		       NOTICE_INFO == (int)LOG_INFO && NOTICE_DEBUG == (int)LOG_DEBUG,
	       "notice kinds and log levels must agree");

static void say(void *arg, enum notice_kind kind, const char *msg)
{
	(void)arg;
	if (kind == NOTICE_STATUS) {
		if (stderr_tty || log_verbosity >= LOG_INFO) {
			clear_progress();
			fprintf(stderr, "nsbench: %s\n", msg);
		}
		return;
	}
	if ((int)kind <= log_verbosity)
		clear_progress();
	log_msg((enum log_level)kind, "%s", msg);
}

static void progress(void *arg, unsigned int done, unsigned int total, double left_s,
		     const char *what)
{
	int left = left_s < 0 ? -1 : (int)left_s;

	(void)arg;
	if (!what) {
		clear_progress();
		return;
	}
	if (stderr_tty) {
		struct winsize ws;
		char head[32] = "", tail[32] = "";
		int room;

		/* One line, or \r\033[K would erase only its last row: WHAT gives way. */
		if (total)
			snprintf(head, sizeof(head), "[%u/%u] ", done + 1, total);
		if (left >= 0)
			snprintf(tail, sizeof(tail), "  %02d:%02d left", left / 60, left % 60);
		room = (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80) - 1 -
		       (int)strlen(head) - (int)strlen(tail);
		fprintf(stderr, "\r\033[K%s%.*s%s", head, room > 0 ? room : 0, what, tail);
		progress_shown = true;
	} else if (log_verbosity >= LOG_INFO) {
		if (total)
			fprintf(stderr, "nsbench: [%u/%u] %s", done + 1, total, what);
		else
			fprintf(stderr, "nsbench: %s", what);
		if (left >= 0)
			fprintf(stderr, " (about %d s left)", left);
		fputc('\n', stderr);
	}
	fflush(stderr);
}

void log_install(void)
{
	static struct notice_sink sink = {.say = say, .progress = progress};

	stderr_tty = isatty(2);
	sink.verbosity =
		log_verbosity >= LOG_DEBUG ? NOTICE_DEBUG : (enum notice_kind)log_verbosity;
	notice_set_sink(&sink);
}
