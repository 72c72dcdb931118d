/* SPDX-License-Identifier: MIT */
#ifndef NSB_WHY_H
#define NSB_WHY_H

/*
 * The error rule below the CLI (HACKING.md): a function that can fail returns
 * 0 or a negative errno, and on failure writes one line of reason into the
 * buffer its caller gave it (char *why, size_t len); it never prints. This
 * writes the reason and returns ERR, for `return why_err(why, len, -EINVAL, ...)`.
 */
#include <stddef.h>

int why_err(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
