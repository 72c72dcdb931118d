/* SPDX-License-Identifier: MIT */
#ifndef NSB_PARSE_H
#define NSB_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Decimal in [min, max], the whole string. */
int parse_uint(const char *text, unsigned long min, unsigned long max, unsigned long *out);
int parse_port(const char *text, uint16_t *port);
/* Bits per second with an optional k/M/G suffix (powers of 1000): "1G", "250M". */
int parse_rate(const char *text, uint64_t *bps);
/* Bytes with an optional K/M/G suffix (powers of 1024, as iperf's -w): "2M", "256K". */
int parse_bytes(const char *text, unsigned long min, unsigned long max, unsigned long *out);
/*
 * A stream's window, as --window takes it: "auto" (0: the kernel's
 * autotuning) or bytes as parse_bytes, within libiperf's bounds. -EINVAL
 * with WHY naming both forms.
 */
int parse_window(const char *text, int *window, char *why, size_t len);
/* A comma-separated list, no empty item: ITEM is called on each; its error stops. */
int parse_csv(const char *text, int (*item)(const char *tok, void *arg), void *arg);
/* Seconds, fractional allowed, in [min, max]. */
int parse_seconds(const char *text, double min, double max, double *out);

#endif
