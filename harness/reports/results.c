// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <stdint.h>
#include <gsl/gsl_version.h>
#include <iperf_api.h>
#include <netlink/version.h>

#include "harness/common/atomicfile.h"
#include "harness/common/version.h"
#include "harness/common/virt.h"
#include "harness/lab/model.h"
#include "harness/lab/path.h"
#include "harness/reports/results.h"
#include "harness/reports/summary.h"
#include "harness/reports/verdict.h"

/* ISO 8601 for the document, compact for file names. */
void results_utc_now(char *buf, size_t len, bool compact)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	if (compact)
		strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon += 2;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

/* The CI runner's name, where the environment says it (NSBENCH_RUNNER first). */
static const char *runner_name(void)
{
	static const char *const vars[] = {"NSBENCH_RUNNER", "RUNNER_NAME", "CI_RUNNER_DESCRIPTION",
					   "BUILDKITE_AGENT_NAME"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return v;
	}
	return NULL;
}

json_t *results_host(void)
{
	struct utsname u;
	char model[128], libnl[32], sig[VIRT_SIG_LEN + 1];
	const char *runner = runner_name();
	enum virt v = virt_detect(sig, sizeof(sig));
	json_t *h;

	uname(&u);
	cpu_model(model, sizeof(model));
	snprintf(libnl, sizeof(libnl), "%d.%d.%d", nl_ver_maj, nl_ver_min, nl_ver_mic);
	h = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:{s:s, s:s, s:s, s:s}}", "hostname",
		      u.nodename, "kernel_release", u.release, "kernel_version", u.version,
		      "machine", u.machine, "cpu_model", model, "cpu_count",
		      (int)sysconf(_SC_NPROCESSORS_ONLN), "libraries", "libnl", libnl, "libiperf",
		      iperf_get_iperf_version(), "jansson", jansson_version_str(), "gsl",
		      gsl_version);
	if (h && runner)
		json_object_set_new(h, "runner", json_string(runner));
	/* How it was measured, from this machine's own view: a guest says it is one. */
	if (h)
		json_object_set_new(h, "virt", json_string(virt_name(v)));
	if (h && v != VIRT_NONE && v != VIRT_UNKNOWN)
		json_object_set_new(h, "hypervisor", json_string(sig));
	return h;
}

enum virt results_virt(json_t *doc)
{
	return virt_from_name(
		json_string_value(json_object_get(json_object_get(doc, "host"), "virt")));
}

json_t *results_new(json_t *config)
{
	char now[32];

	results_utc_now(now, sizeof(now), false);
	return json_pack("{s:i, s:{s:s, s:s}, s:o, s:o, s:s, s:s, s:[], s:[]}", "schema_version",
			 RESULTS_SCHEMA_VERSION, "nsbench", "version", NSBENCH_VERSION, "commit",
			 NSBENCH_COMMIT, "host", results_host(), "config", config, "started_utc",
			 now, "status", "running", "errors", "results");
}

void results_label(json_t *doc, char *buf, size_t len)
{
	json_t *h = json_object_get(doc, "host");
	const char *who = json_string_value(json_object_get(h, "runner"));

	if (!who)
		who = json_string_value(json_object_get(h, "hostname"));
	snprintf(buf, len, "%s, kernel %s", who ? who : "?",
		 json_string_value(json_object_get(h, "kernel_release")) ?: "?");
}

void results_finish(json_t *doc)
{
	char now[32];

	results_utc_now(now, sizeof(now), false);
	json_object_set_new(doc, "finished_utc", json_string(now));
}

json_t *results_find(json_t *doc, const char *mode, const char *path, const char *test,
		     unsigned int tasks, const char *family)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		if (!strcmp(json_string_value(json_object_get(e, "mode")) ?: "", mode) &&
		    !strcmp(json_string_value(json_object_get(e, "path")) ?: "", path) &&
		    !strcmp(json_string_value(json_object_get(e, "test")) ?: "", test) &&
		    results_entry_ntasks(e) == tasks && !strcmp(results_entry_family(e), family))
			return e;
	}
	return NULL;
}

json_t *results_entry_key(json_t *doc, const char *mode, const char *path, const char *test,
			  unsigned int tasks, const char *family)
{
	json_t *list = json_object_get(doc, "results"), *e;

	e = results_find(doc, mode, path, test, tasks, family);
	if (e)
		return e;
	e = json_pack("{s:s, s:s, s:s, s:i, s:s, s:[], s:{}}", "mode", mode, "path", path, "test",
		      test, "tasks", (int)tasks, "family", family, "reps", "summary");
	json_array_append_new(list, e);
	return e;
}

json_t *results_entry_tasks(json_t *doc, const char *mode, const char *path, const char *test,
			    unsigned int tasks)
{
	return results_entry_key(doc, mode, path, test, tasks, "ipv4");
}

const char *results_entry_family(json_t *entry)
{
	const char *f = json_string_value(json_object_get(entry, "family"));

	return f ? f : "ipv4";
}

json_t *results_entry(json_t *doc, const char *mode, const char *path, const char *test)
{
	return results_entry_tasks(doc, mode, path, test, 1);
}

unsigned int results_entry_ntasks(json_t *entry)
{
	json_t *t = json_object_get(entry, "tasks");

	return json_is_integer(t) ? (unsigned int)json_integer_value(t) : 1;
}

size_t results_rep_values(json_t *entry, const char *metric, double *v, size_t max)
{
	json_t *rep;
	size_t i, n = 0;

	json_array_foreach(json_object_get(entry, "reps"), i, rep) {
		json_t *m = json_object_get(json_object_get(rep, "metrics"), metric);

		if (json_is_number(m) && n < max)
			v[n++] = json_number_value(m);
	}
	return n;
}

json_t *results_entry_like(json_t *doc, json_t *like)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e)
		if (json_equal(json_object_get(e, "mode"), json_object_get(like, "mode")) &&
		    json_equal(json_object_get(e, "path"), json_object_get(like, "path")) &&
		    json_equal(json_object_get(e, "test"), json_object_get(like, "test")) &&
		    results_entry_ntasks(e) == results_entry_ntasks(like) &&
		    !strcmp(results_entry_family(e), results_entry_family(like)))
			return e;
	return NULL;
}

int results_summarize(json_t *doc)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e) {
		json_t *first =
			json_object_get(json_array_get(json_object_get(e, "reps"), 0), "metrics");
		json_t *summary = json_object(), *val;
		const char *key;

		json_object_foreach(first, key, val) {
			double v[256];
			struct summary s;
			size_t n;

			if (!json_is_number(val))
				continue;
			n = results_rep_values(e, key, v, 256);
			if (summary_of(v, n, &s))
				continue;
			json_object_set_new(summary, key,
					    json_pack("{s:f, s:f, s:f, s:f, s:f, s:i}", "median",
						      s.median, "min", s.min, "max", s.max,
						      "ci95_low", s.ci95_low, "ci95_high",
						      s.ci95_high, "n", (int)s.n));
		}
		json_object_set_new(e, "summary", summary);
	}
	return 0;
}

int results_check_dir(const char *dir, char *why, size_t len)
{
	char probe[4096], parent[4096];
	struct stat st;
	int fd;

	if (!stat(dir, &st)) {
		if (!S_ISDIR(st.st_mode)) {
			snprintf(why, len, "output directory %s: not a directory", dir);
			return -ENOTDIR;
		}
	} else {
		/* DIR itself is made, as mkdir does; a missing parent is a mistyped path. */
		snprintf(probe, sizeof(probe), "%s", dir);
		snprintf(parent, sizeof(parent), "%s", dirname(probe));
		if (stat(parent, &st) || !S_ISDIR(st.st_mode)) {
			snprintf(
				why, len,
				"output directory %s: its parent %s is not a directory that exists",
				dir, parent);
			return -ENOTDIR;
		}
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			int err = errno;

			snprintf(why, len, "cannot create output directory %s: %s", dir,
				 strerror(err));
			return -err;
		}
	}
	snprintf(probe, sizeof(probe), "%s/.nsbench-probe-XXXXXX", dir);
	fd = mkstemp(probe);
	if (fd < 0) {
		int err = errno;

		snprintf(why, len, "cannot write into output directory %s: %s", dir, strerror(err));
		return -err;
	}
	close(fd);
	unlink(probe);
	return 0;
}

static void sanitize(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			*s = '_';
}

int results_write(json_t *doc, const char *dir, char *path, size_t len)
{
	char name[256], stamp[32], host[80], kernel[80], *text;
	json_t *h = json_object_get(doc, "host");
	int ret;

	results_utc_now(stamp, sizeof(stamp), true);
	snprintf(host, sizeof(host), "%s", json_string_value(json_object_get(h, "hostname")));
	snprintf(kernel, sizeof(kernel), "%s",
		 json_string_value(json_object_get(h, "kernel_release")));
	sanitize(host);
	sanitize(kernel);
	snprintf(name, sizeof(name), "%s-%s-%s", host, kernel, stamp);
	snprintf(path, len, "%s/%s.json", dir, name);
	/* Two runs in the same second: never overwrite one with the other. */
	for (int i = 2; access(path, F_OK) == 0 && i < 100; i++)
		snprintf(path, len, "%s/%s-%d.json", dir, name, i);
	/* Full precision: the numbers read back exactly. */
	text = json_dumps(doc, JSON_INDENT(1));
	if (!text)
		return -ENOMEM;
	ret = atomic_write_file(path, text, strlen(text), true, "write:results");
	free(text);
	return ret;
}

static int need(json_t *obj, const char *key, int type, const char *where, char *why, size_t len)
{
	json_t *v = json_object_get(obj, key);

	if (v && (type < 0 || (int)json_typeof(v) == type))
		return 0;
	snprintf(why, len, "%s: %s \"%s\"", where, v ? "wrong type for" : "missing", key);
	return -EPROTO;
}

/* Beyond any figure a machine gives (bits/s, us, transactions): a corrupted value. */
#define RESULTS_MAX_VALUE 1e15

/* An entry's mode, path and test are names this nsbench knows. */
static int known_names(json_t *e, const char *where, char *why, size_t len)
{
	const char *mode = json_string_value(json_object_get(e, "mode"));
	const char *path = json_string_value(json_object_get(e, "path"));
	const char *test = json_string_value(json_object_get(e, "test"));
	enum lab_mode m;
	enum lab_path p;
	enum bench_test t;

	if (lab_mode_parse(mode, &m))
		snprintf(why, len, "%s: unknown mode \"%s\"", where, mode);
	else if (path_parse(path, &p))
		snprintf(why, len, "%s: unknown path \"%s\"", where, path);
	else if (bench_test_parse(test, &t))
		snprintf(why, len, "%s: unknown test \"%s\"", where, test);
	else
		return 0;
	return -EPROTO;
}

/*
 * A repetition's metrics: every one a finite number of a plausible size, and
 * the headline ones (what compare decides on) above 0: a string, a 0 or
 * negative throughput, or 1e308 is a corrupted file, refused naming the field.
 */
static int metrics_check(json_t *m, const char *where, size_t k, char *why, size_t len)
{
	const char *key;
	json_t *v;

	json_object_foreach(m, key, v) {
		double x = json_number_value(v);
		const char *bad = !json_is_number(v)				? "not a number"
				  : !isfinite(x) || fabs(x) > RESULTS_MAX_VALUE ? "out of range"
				  : verdict_is_headline(key) && !(x > 0)	? "not above 0"
										: NULL;

		if (bad) {
			snprintf(why, len, "%s.reps[%zu].metrics.%s: %s", where, k, key, bad);
			return -EPROTO;
		}
	}
	return 0;
}

/* The schema's required keys and types; the document is kept only when they hold. */
static int results_check(json_t *doc, char *why, size_t len)
{
	json_t *e;
	size_t i;
	int ret;

	/* A claims table, a measure or explain document: JSON, but not what compare reads. */
	if (!json_is_object(doc) || !json_object_get(doc, "schema_version")) {
		snprintf(why, len,
			 "not a run results file (no \"schema_version\": `nsbench run` writes "
			 "them; measure, explain and claims output is not one)");
		return -EPROTO;
	}
	ret = need(doc, "schema_version", JSON_INTEGER, "top level", why, len);
	if (!ret &&
	    json_integer_value(json_object_get(doc, "schema_version")) != RESULTS_SCHEMA_VERSION) {
		long long v = json_integer_value(json_object_get(doc, "schema_version"));

		if (v > RESULTS_SCHEMA_VERSION)
			snprintf(why, len,
				 "schema version %lld, written by a newer nsbench; this one reads "
				 "version %d: upgrade nsbench to read it",
				 v, RESULTS_SCHEMA_VERSION);
		else
			snprintf(why, len, "schema version %lld; this nsbench reads version %d", v,
				 RESULTS_SCHEMA_VERSION);
		ret = -EPROTO;
	}
	if (!ret)
		ret = need(doc, "nsbench", JSON_OBJECT, "top level", why, len);
	if (!ret)
		ret = need(doc, "host", JSON_OBJECT, "top level", why, len);
	if (!ret)
		ret = need(json_object_get(doc, "host"), "kernel_release", JSON_STRING, "host", why,
			   len);
	if (!ret)
		ret = need(doc, "config", JSON_OBJECT, "top level", why, len);
	if (!ret)
		ret = need(doc, "results", JSON_ARRAY, "top level", why, len);
	if (!ret && json_array_size(json_object_get(doc, "results")) == 0) {
		snprintf(why, len, "no results: the run measured nothing");
		ret = -EPROTO;
	}
	json_array_foreach(json_object_get(doc, "results"), i, e) {
		char where[48];
		json_t *rep;
		size_t k;

		if (ret)
			break;
		snprintf(where, sizeof(where), "results[%zu]", i);
		if (!json_is_object(e)) {
			snprintf(why, len, "%s: not an object", where);
			ret = -EPROTO;
			break;
		}
		ret = need(e, "mode", JSON_STRING, where, why, len);
		if (!ret)
			ret = need(e, "path", JSON_STRING, where, why, len);
		if (!ret)
			ret = need(e, "test", JSON_STRING, where, why, len);
		if (!ret)
			ret = need(e, "reps", JSON_ARRAY, where, why, len);
		if (!ret)
			ret = need(e, "summary", JSON_OBJECT, where, why, len);
		/* Optional (a file from before it was written is IPv4): a string when there. */
		if (!ret && json_object_get(e, "family"))
			ret = need(e, "family", JSON_STRING, where, why, len);
		if (!ret)
			ret = known_names(e, where, why, len);
		/* What compare reads of each repetition: an object, metrics an object if there. */
		json_array_foreach(json_object_get(e, "reps"), k, rep) {
			json_t *m = json_object_get(rep, "metrics");

			if (ret)
				break;
			if (!json_is_object(rep) || (m && !json_is_object(m))) {
				snprintf(why, len, "%s.reps[%zu]: not an object with \"metrics\"",
					 where, k);
				ret = -EPROTO;
			}
			if (!ret && m)
				ret = metrics_check(m, where, k, why, len);
		}
	}
	return ret;
}

/* DOC as jansson parsed it (NULL: JERR says why), kept in *OUT only if the schema holds. */
static int results_accept(json_t *doc, const json_error_t *jerr, json_t **out, char *why,
			  size_t len)
{
	int ret;

	if (!doc) {
		snprintf(why, len, "not a JSON document (line %d: %s)", jerr->line, jerr->text);
		return -EBADMSG;
	}
	ret = results_check(doc, why, len);
	if (ret) {
		json_decref(doc);
		return ret;
	}
	*out = doc;
	return 0;
}

int results_parse(const char *text, size_t size, json_t **out, char *why, size_t len)
{
	json_error_t jerr;

	return results_accept(json_loadb(text, size, JSON_REJECT_DUPLICATES, &jerr), &jerr, out,
			      why, len);
}

int results_load(const char *file, json_t **out, char *why, size_t len)
{
	json_error_t jerr;
	struct stat st;
	int ret;

	if (access(file, R_OK) < 0) {
		ret = -errno;
		snprintf(why, len, "%s", strerror(errno));
		return ret;
	}
	if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(why, len, "a directory, not a run results file (name the .json in it)");
		return -EISDIR;
	}
	return results_accept(json_load_file(file, JSON_REJECT_DUPLICATES, &jerr), &jerr, out, why,
			      len);
}
