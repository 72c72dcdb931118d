/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLAIMS_DOC_H
#define NSB_CLAIMS_DOC_H

/*
 * The document claims_run returns. claims_doc_new at the start (the version,
 * nsbench, the host, the instance O names, the time), claims_doc_finish at
 * the end with ROWS (taken) and the performance rounds C measured.
 */
#include <jansson.h>

/* The version of claims' JSON document (results/schema.md), as schema_version is a run's. */
#define CLAIMS_VERSION 1

struct claims_ctx;
struct claims_opts;

json_t *claims_doc_new(const struct claims_opts *o, const char *only);
void claims_doc_finish(json_t *doc, const struct claims_ctx *c, json_t *rows);

#endif
