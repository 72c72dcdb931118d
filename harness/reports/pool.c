// SPDX-License-Identifier: MIT
/* Interleaved rounds of one kernel pooled into one results document (pool.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness/reports/pool.h"
#include "harness/reports/results.h"

static const char *host_str(json_t *doc, const char *key)
{
	const char *v = json_string_value(json_object_get(json_object_get(doc, "host"), key));

	return v ? v : "";
}

const char *results_kernel(json_t *doc)
{
	return host_str(doc, "kernel_release");
}

/* One kernel: the same release and the same build (uname -v). */
static bool same_kernel(json_t *a, json_t *b)
{
	return !strcmp(host_str(a, "kernel_release"), host_str(b, "kernel_release")) &&
	       !strcmp(host_str(a, "kernel_version"), host_str(b, "kernel_version"));
}

static const char *name_of(const char *const *names, size_t k, char *buf, size_t len)
{
	if (names && names[k])
		return names[k];
	snprintf(buf, len, "file %zu", k + 1);
	return buf;
}

int results_pool(json_t *const *docs, const char *const *names, size_t n, json_t **out, char *why,
		 size_t len)
{
	char a[32], b[32];
	json_t *doc, *e;
	size_t i;

	*out = NULL;
	if (!n) {
		snprintf(why, len, "no file to pool");
		return -EINVAL;
	}
	for (size_t k = 1; k < n; k++) {
		if (!same_kernel(docs[k], docs[0])) {
			snprintf(why, len, "%s was measured on kernel %s (%s), %s on %s (%s)",
				 name_of(names, k, a, sizeof(a)), results_kernel(docs[k]),
				 host_str(docs[k], "kernel_version"),
				 name_of(names, 0, b, sizeof(b)), results_kernel(docs[0]),
				 host_str(docs[0], "kernel_version"));
			return -EINVAL;
		}
		if (!json_equal(json_object_get(docs[k], "config"),
				json_object_get(docs[0], "config"))) {
			snprintf(why, len,
				 "%s was run with another configuration than %s: only rounds of "
				 "one run pool",
				 name_of(names, k, a, sizeof(a)), name_of(names, 0, b, sizeof(b)));
			return -EINVAL;
		}
	}
	doc = json_deep_copy(docs[0]);
	if (!doc) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	for (size_t k = 1; k < n; k++)
		json_array_foreach(json_object_get(docs[k], "results"), i, e) {
			json_t *mine = results_entry_like(doc, e);

			if (mine)
				json_array_extend(json_object_get(mine, "reps"),
						  json_object_get(e, "reps"));
			else
				json_array_append_new(json_object_get(doc, "results"),
						      json_deep_copy(e));
		}
	json_array_foreach(json_object_get(doc, "results"), i, e)
		if (json_array_size(json_object_get(e, "reps")) > POOL_MAX_REPS) {
			snprintf(why, len, "more than %d repetitions of %s %s %s in all",
				 POOL_MAX_REPS, json_string_value(json_object_get(e, "mode")),
				 json_string_value(json_object_get(e, "path")),
				 json_string_value(json_object_get(e, "test")));
			json_decref(doc);
			return -E2BIG;
		}
	results_summarize(doc);
	json_object_set_new(doc, "pooled_from", json_integer((json_int_t)n));
	*out = doc;
	return 0;
}

const char *results_instance(json_t *doc, char *buf, size_t len)
{
	json_t *cfg = json_object_get(doc, "config");
	const char *inst = json_string_value(json_object_get(cfg, "instance"));
	json_t *proxy = json_object_get(cfg, "userland_proxy");

	/* A file of an nsbench before the profiles ran a bare instance. */
	snprintf(buf, len, "%s%s", inst ? inst : "bare",
		 json_is_boolean(proxy) && inst && strcmp(inst, "bare") && !json_is_true(proxy)
			 ? ", proxy off"
			 : "");
	return buf;
}

static bool same_instance(json_t *a, json_t *b)
{
	char x[48], y[48];

	return !strcmp(results_instance(a, x, sizeof(x)), results_instance(b, y, sizeof(y)));
}

/* DOCS grouped by SAME, in the order the groups first appear, each group pooled. */
static int pool_groups(json_t *const *docs, const char *const *names, size_t n, json_t **out,
		       size_t max, size_t *nout, bool (*same)(json_t *, json_t *), const char *what,
		       char *why, size_t len)
{
	json_t *group[POOL_MAX_REPS];
	const char *gnames[POOL_MAX_REPS];
	bool taken[POOL_MAX_REPS] = {false};
	int ret = 0;

	*nout = 0;
	if (n > POOL_MAX_REPS) {
		snprintf(why, len, "at most %d files", POOL_MAX_REPS);
		return -E2BIG;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		size_t ng = 0;

		if (taken[i])
			continue;
		if (*nout == max) {
			snprintf(why, len, "more than %zu %s", max, what);
			ret = -E2BIG;
			break;
		}
		for (size_t k = i; k < n; k++)
			if (!taken[k] && same(docs[k], docs[i])) {
				gnames[ng] = names ? names[k] : NULL;
				group[ng++] = docs[k];
				taken[k] = true;
			}
		ret = results_pool(group, names ? gnames : NULL, ng, &out[*nout], why, len);
		if (!ret)
			(*nout)++;
	}
	if (ret) {
		for (size_t i = 0; i < *nout; i++)
			json_decref(out[i]);
		*nout = 0;
	}
	return ret;
}

const char *results_vpc(json_t *doc, char *buf, size_t len)
{
	json_t *cfg = json_object_get(doc, "config"), *mtu = json_object_get(cfg, "mtu");
	const char *wire = json_string_value(json_object_get(cfg, "wire"));

	/* No "wire": an nsbench before the VPC switch, its ENIs macvlans of the wire. */
	snprintf(buf, len, "vpc %lld, bridge %lld, %s%s",
		 (long long)json_integer_value(json_object_get(mtu, "vpc")),
		 (long long)json_integer_value(json_object_get(mtu, "bridge")),
		 wire ? "wire " : "no switch (older nsbench)", wire ? wire : "");
	if (json_is_true(json_object_get(cfg, "trunking")) && strlen(buf) + 10 < len)
		strcat(buf, ", trunking");
	return buf;
}

static bool same_vpc(json_t *a, json_t *b)
{
	char x[80], y[80];

	return !strcmp(results_vpc(a, x, sizeof(x)), results_vpc(b, y, sizeof(y)));
}

int results_pool_by_vpc(json_t *const *docs, const char *const *names, size_t n, json_t **out,
			size_t max, size_t *nout, char *why, size_t len)
{
	return pool_groups(docs, names, n, out, max, nout, same_vpc, "VPC setups", why, len);
}

int results_pool_by_kernel(json_t *const *docs, const char *const *names, size_t n, json_t **out,
			   size_t max, size_t *nout, char *why, size_t len)
{
	return pool_groups(docs, names, n, out, max, nout, same_kernel, "kernels", why, len);
}

int results_pool_by_instance(json_t *const *docs, const char *const *names, size_t n, json_t **out,
			     size_t max, size_t *nout, char *why, size_t len)
{
	return pool_groups(docs, names, n, out, max, nout, same_instance, "instances", why, len);
}
