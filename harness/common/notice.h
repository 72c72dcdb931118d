/* SPDX-License-Identifier: MIT */
#ifndef NSB_NOTICE_H
#define NSB_NOTICE_H

#include <stdarg.h>

/*
 * What the harness has to say while it works and cannot return: a warning
 * during a teardown that goes on, which step a long command is at, how far
 * a run is. The library hands it to the sink the CLI installed (libbpf's
 * libbpf_set_print is the model); without one, nothing is said. Errors that
 * end an operation are returned with their reason, not noticed.
 */
enum notice_kind {
	NOTICE_ERROR,	/* something failed and the work went on without it */
	NOTICE_WARNING, /* something is off, the result still stands */
	NOTICE_INFO,	/* what was done, for -v */
	NOTICE_DEBUG,	/* how long each step took, for -vv */
	NOTICE_STATUS,	/* what a long step is about to do: on a terminal, or when asked */
};

struct notice_sink {
	/* Kinds above this one (STATUS aside) are not even formatted. */
	enum notice_kind verbosity;
	void (*say)(void *arg, enum notice_kind kind, const char *msg);
	/*
	 * Progress: step DONE+1 of TOTAL (TOTAL 0: a phase without steps), about
	 * LEFT_S seconds left (< 0: unknown). WHAT NULL: the progress is over.
	 */
	void (*progress)(void *arg, unsigned int done, unsigned int total, double left_s,
			 const char *what);
	void *arg;
};

/* The sink of this process (NULL: silence). The CLI installs one; the tests need none. */
void notice_set_sink(const struct notice_sink *s);
void notice(enum notice_kind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void notice_progress(unsigned int done, unsigned int total, double left_s, const char *what);
void notice_progress_end(void);

#endif
