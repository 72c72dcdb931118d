// SPDX-License-Identifier: MIT
/*
 * A build in progress: each step named (for messages and the fault
 * injection of the test build), a failure turned into the lab's reason,
 * and the stop a signal asks for.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness/common/notice.h"
#include "harness/lab/build.h"
#include "netns/netns.h"

volatile sig_atomic_t lab_stop;

int lab_refuse(struct lab *lab, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lab->err, sizeof(lab->err), fmt, ap);
	va_end(ap);
	return err;
}

double lab_elapsed_ms(const struct lab *lab)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - lab->t0.tv_sec) * 1e3 +
	       (double)(now.tv_nsec - lab->t0.tv_nsec) / 1e6;
}

int lab_step(struct lab *lab, const char *what, ...)
{
	va_list ap;

	va_start(ap, what);
	vsnprintf(lab->step, sizeof(lab->step), what, ap);
	va_end(ap);
	notice(NOTICE_DEBUG, "lab %s: +%.3f ms %s", lab->id, lab_elapsed_ms(lab), lab->step);
	if (lab_stop)
		return lab_fail(lab, -EINTR, NULL);
	lab->steps++;
	if (lab->fail_after >= 0 && lab->steps > (unsigned int)lab->fail_after) {
		if (!lab->fail_signal)
			return lab_fail(lab, -EIO, "fault injected by NSBENCH_FAIL_AFTER");
		raise(lab->fail_signal);
		if (lab_stop)
			return lab_fail(lab, -EINTR, NULL);
	}
	return 0;
}

void lab_reason(char *buf, size_t len, int err, const char *ext)
{
	if (err == -EPROTO && ext && *ext)
		/* A foreign library's own words (nftables): they say it all. */
		snprintf(buf, len, "%s", ext);
	else
		snprintf(buf, len, "%s%s%s", strerror(-err), ext && *ext ? ": " : "",
			 ext ? ext : "");
}

int lab_fail(struct lab *lab, int err, const char *ext)
{
	int n;

	if (err == -EINTR) {
		snprintf(lab->err, sizeof(lab->err), "interrupted while %s", lab->step);
		return err;
	}
	/* The step (at most 159 characters) leaves room for the reason. */
	n = snprintf(lab->err, sizeof(lab->err), "%s: ", lab->step);
	lab_reason(lab->err + n, sizeof(lab->err) - (size_t)n, err, ext);
	return err;
}

int lab_ns_new(struct lab *lab, const char *name)
{
	int ret;

	ret = lab_step(lab, "creating namespace %s", name);
	if (ret)
		return ret;
	ret = netns_create(name);
	return ret ? lab_fail(lab, ret, NULL) : 0;
}
