/* SPDX-License-Identifier: MIT */
#ifndef NSB_ANSWER_H
#define NSB_ANSWER_H

#include <jansson.h>
#include <stdio.h>

/*
 * run's answer, from the "vs_host" and "alike" that vshost_annotate wrote:
 * per path, each mode against host (ratio and difference with their
 * intervals, and the verdict); at the end, what each mode costs against
 * host, which show no difference, and which pairs of modes do not differ.
 * A file without them (older than 0.1.0's answers) gets them computed on a
 * copy.
 */
void answer_vs_host(json_t *doc, const char *path, const char *family, unsigned int tasks,
		    FILE *f);
void answer_closing(json_t *doc, unsigned int tasks, FILE *f);

#endif
