/* SPDX-License-Identifier: MIT */
#ifndef NSB_BUILD_H
#define NSB_BUILD_H

#include <signal.h>
#include <stddef.h>

#include "harness/lab/model.h"

/* Set by the CLI's SIGINT/SIGTERM handler; the build stops at the next step. */
extern volatile sig_atomic_t lab_stop;

/* Milliseconds since lab_init(). */
double lab_elapsed_ms(const struct lab *lab);
/* Names the next step; -EINTR when a stop was asked for (the test build may fail it). */
int lab_step(struct lab *lab, const char *what, ...) __attribute__((format(printf, 2, 3)));
/* Why ERR happened, as text: strerror and EXT (a library's own words), or EXT alone for -EPROTO. */
void lab_reason(char *buf, size_t len, int err, const char *ext);
/* ERR, with lab->err saying which step failed and why (EXT: a library's own words). */
int lab_fail(struct lab *lab, int err, const char *ext);
/* ERR, with lab->err set to the reason: a refusal before anything is built. */
int lab_refuse(struct lab *lab, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int lab_ns_new(struct lab *lab, const char *name);

#endif
