// SPDX-License-Identifier: MIT
/*
 * run's answer as text: each mode against host with intervals, then what
 * each mode costs and which show no difference. The figures are
 * vshost_annotate's; nothing here decides.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/reports/answer.h"
#include "harness/reports/results.h"
#include "harness/reports/verdict.h"
#include "harness/reports/vshost.h"

/* What run's text shows of vs_host: the headline table's columns, and UDP's loss. */
static const struct shown {
	const char *test, *key, *label, *per;
	int decimals;
} shown[] = {
	{"tcp_stream", "throughput_bps", "Gbit/s", "", 2},
	{"tcp_stream", "cpu_s_per_gb", "CPU s/GB", " CPU s per GB", 3},
	{"tcp_rr", "p50_us", "RR p50", " us per round trip", 2},
	{"tcp_rr", "p99_us", "RR p99", " us per round trip (p99)", 1},
	{"tcp_crr", "tps", "CRR trans/s", " us per connection", 1},
	{"udp", "lost_percent", "UDP loss", " points of UDP loss", 2},
};
#define NSHOWN (sizeof(shown) / sizeof(shown[0]))

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k)) ?: "";
}

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static double margin_of(json_t *doc)
{
	json_t *m = json_object_get(json_object_get(doc, "vs_host_method"), "margin_pct");

	return json_is_number(m) ? json_number_value(m) : VERDICT_MARGIN_PCT;
}

/* A verdict in the words of a table against host (for a cost, "faster" is cheaper). */
static const char *word(json_t *f)
{
	const char *v = str(f, "verdict");

	if (!strcmp(v, "faster"))
		return "better";
	if (!strcmp(v, "slower"))
		return "worse";
	if (!strcmp(v, "unchanged"))
		return "same";
	if (!strcmp(v, "descriptive"))
		return "-";
	return "unsettled";
}

static void fmt_ratio(char *buf, size_t len, json_t *f)
{
	if (json_is_number(json_object_get(f, "ci95_low")))
		snprintf(buf, len, "%.2fx [%.2f, %.2f]", num(f, "ratio"), num(f, "ci95_low"),
			 num(f, "ci95_high"));
	else if (json_is_number(json_object_get(f, "ratio")))
		snprintf(buf, len, "%.2fx (1 rep)", num(f, "ratio"));
	else
		snprintf(buf, len, "-");
}

static void fmt_diff(char *buf, size_t len, json_t *f, int dec)
{
	if (json_is_number(json_object_get(f, "diff_low")))
		snprintf(buf, len, "%+.*f [%+.*f, %+.*f] %s", dec, num(f, "diff"), dec,
			 num(f, "diff_low"), dec, num(f, "diff_high"), str(f, "unit"));
	else if (json_is_number(json_object_get(f, "diff")))
		snprintf(buf, len, "%+.*f %s (1 rep)", dec, num(f, "diff"), str(f, "unit"));
	else
		snprintf(buf, len, "-");
}

/* vs_host's fields of MODE on the group for shown metric S; NULL when there are none. */
static json_t *figure(json_t *doc, const char *mode, const char *path, const char *family,
		      unsigned int tasks, const struct shown *s)
{
	json_t *e = results_find(doc, mode, path, s->test, tasks, family);

	return json_object_get(json_object_get(json_object_get(e, "vs_host"), "metrics"), s->key);
}

/* The modes of the run other than host with a figure against host on the group, in run order. */
static size_t modes_against_host(json_t *doc, const char *path, const char *family,
				 unsigned int tasks, const char **out, size_t max)
{
	json_t *mv;
	size_t n = 0, i;

	json_array_foreach(json_object_get(json_object_get(doc, "config"), "modes"), i, mv) {
		const char *m = json_string_value(mv);
		bool any = false;

		for (size_t k = 0; m && k < NSHOWN && !any; k++)
			any = figure(doc, m, path, family, tasks, &shown[k]) != NULL;
		if (any && n < max)
			out[n++] = m;
	}
	return n;
}

/* The host path MODE's figures on PATH are set against: none mode's loopback, host's first. */
static const char *reference_path(json_t *doc, const char *mode, const char *path,
				  const char *family, unsigned int tasks)
{
	for (size_t k = 0; k < NSHOWN; k++) {
		json_t *e = results_find(doc, mode, path, shown[k].test, tasks, family);

		if (json_object_get(e, "vs_host"))
			return str(json_object_get(e, "vs_host"), "path");
	}
	return path;
}

void answer_vs_host(json_t *doc, const char *path, const char *family, unsigned int tasks, FILE *f)
{
	const char *modes[16], *hp;
	size_t nm = modes_against_host(doc, path, family, tasks, modes, 16);

	if (!nm)
		return;
	hp = reference_path(doc, modes[0], path, family, tasks);
	fprintf(f,
		"\nagainst host%s%s, paired by repetition (95%% intervals; same = within "
		"+/-%.0f%%)\n%-15s %-12s %-22s %-34s %s\n",
		*hp && strcmp(hp, path) ? " on path " : "", *hp && strcmp(hp, path) ? hp : "",
		margin_of(doc), "mode", "metric", "ratio", "difference", "verdict");
	for (size_t i = 0; i < nm; i++) {
		bool first = true;

		for (size_t k = 0; k < NSHOWN; k++) {
			json_t *x = figure(doc, modes[i], path, family, tasks, &shown[k]);
			char r[48], d[64];

			if (!x)
				continue;
			fmt_ratio(r, sizeof(r), x);
			fmt_diff(d, sizeof(d), x, shown[k].decimals);
			fprintf(f, "%-15s %-12s %-22s %-34s %s\n", first ? modes[i] : "",
				shown[k].label, r, d, word(x));
			first = false;
		}
	}
}

/* A list of labels under construction: "a, b, c". */
struct list {
	char buf[256];
	size_t n;
};

static void list_add(struct list *l, const char *s)
{
	size_t off = strlen(l->buf);

	if (off < sizeof(l->buf))
		snprintf(l->buf + off, sizeof(l->buf) - off, "%s%s", l->n++ ? ", " : "", s);
}

/* One mode's line of the answer on a group: what it costs, where it is the same, what is open. */
/* Returns whether something was left unsettled. */
static bool mode_answer(json_t *doc, const char *mode, const char *path, const char *family,
			unsigned int tasks, double margin, FILE *f)
{
	struct list same = {{0}, 0}, open = {{0}, 0};
	bool costs = false;

	fprintf(f, "    %s:", mode);
	for (size_t k = 0; k < NSHOWN; k++) {
		json_t *x = figure(doc, mode, path, family, tasks, &shown[k]);
		const char *v = word(x);
		char d[64];

		if (!x || !strcmp(v, "-"))
			continue;
		if (!strcmp(v, "same")) {
			list_add(&same, shown[k].label);
			continue;
		}
		if (!strcmp(v, "unsettled")) {
			list_add(&open, shown[k].label);
			continue;
		}
		/* Better or worse: the difference first where it transfers, then the ratio. */
		fprintf(f, "%s ", costs ? ";" : "");
		costs = true;
		if (*shown[k].per && json_is_number(json_object_get(x, "diff_low"))) {
			fprintf(f, "%+.*f%s [%+.*f, %+.*f]", shown[k].decimals, num(x, "diff"),
				shown[k].per, shown[k].decimals, num(x, "diff_low"),
				shown[k].decimals, num(x, "diff_high"));
			snprintf(d, sizeof(d), " (%s ", shown[k].label);
		} else {
			snprintf(d, sizeof(d), "%s ", shown[k].label);
		}
		if (json_is_number(json_object_get(x, "ci95_low")))
			fprintf(f, "%s%.2fx [%.2f, %.2f]%s", d, num(x, "ratio"), num(x, "ci95_low"),
				num(x, "ci95_high"), *d == ' ' ? ")" : "");
	}
	if (same.n)
		fprintf(f, "%s no difference from host beyond +/-%.0f%% in %s", costs ? ";" : "",
			margin, same.buf);
	if (open.n)
		fprintf(f, "%s not settled: %s", costs || same.n ? ";" : "", open.buf);
	fputc('\n', f);
	return open.n > 0;
}

/* Pair ROW's figure on the group for shown metric S (B against A); NULL when there is none. */
static json_t *alike_figure(json_t *row, const char *path, const char *family, unsigned int tasks,
			    const struct shown *s)
{
	char key[160];

	snprintf(key, sizeof(key), "%s/%s/%s/%u", path, family, s->test, tasks);
	return json_object_get(json_object_get(json_object_get(row, "tests"), key), s->key);
}

static bool is_shown(const char *test, const char *key)
{
	for (size_t k = 0; k < NSHOWN; k++)
		if (!strcmp(shown[k].test, test) && !strcmp(shown[k].key, key))
			return true;
	return false;
}

/* A ratio the answer does not show, in a few words: "reverse Gbit/s", "CRR p99". */
static void other_label(char *buf, size_t len, const char *test, const char *key)
{
	static const char *const tests[][2] = {
		{"tcp_stream", "stream"},   {"tcp_stream_par", "parallel"},
		{"tcp_reverse", "reverse"}, {"udp", "UDP"},
		{"tcp_rr", "RR"},	    {"udp_rr", "UDP RR"},
		{"tcp_crr", "CRR"},
	};
	static const char *const keys[][2] = {
		{"throughput_bps", "Gbit/s"},
		{"cpu_s_per_gb", "CPU s/GB"},
		{"p50_us", "p50"},
		{"p99_us", "p99"},
		{"tps", "trans/s"},
		{"cpu_us_per_trans", "CPU us/trans"},
		{"lost_percent", "loss"},
	};
	const char *t = test, *k = key;

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!strcmp(tests[i][0], test))
			t = tests[i][1];
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i][0], key))
			k = keys[i][1];
	snprintf(buf, len, "%s %s", t, k);
}

/* The pair's ratios on the group that the answer does not show: those not the same, by kind. */
static void other_ratios(json_t *row, const char *path, const char *family, unsigned int tasks,
			 struct list *open, struct list *differ)
{
	json_t *t, *x;
	const char *tk, *mk;
	char prefix[160], suffix[16];

	snprintf(prefix, sizeof(prefix), "%s/%s/", path, family);
	snprintf(suffix, sizeof(suffix), "/%u", tasks);
	json_object_foreach(json_object_get(row, "tests"), tk, t) {
		size_t n = strlen(tk), ns = strlen(suffix);
		char test[64], label[96];
		const char *w;

		if (strncmp(tk, prefix, strlen(prefix)) || n < ns || strcmp(tk + n - ns, suffix) ||
		    n - ns - strlen(prefix) >= sizeof(test))
			continue;
		snprintf(test, sizeof(test), "%.*s", (int)(n - ns - strlen(prefix)),
			 tk + strlen(prefix));
		json_object_foreach(t, mk, x) {
			if (is_shown(test, mk) || !json_object_get(x, "ci95_low"))
				continue;
			w = word(x);
			if (!strcmp(w, "same") || !strcmp(w, "-"))
				continue;
			other_label(label, sizeof(label), test, mk);
			if (strcmp(w, "unsettled")) {
				char r[48];

				fmt_ratio(r, sizeof(r), x);
				snprintf(label + strlen(label), sizeof(label) - strlen(label),
					 " %s", r);
				list_add(differ, label);
			} else {
				list_add(open, label);
			}
		}
	}
}

/*
 * The pairs of modes on the group: no difference in any ratio measured, or
 * metric by metric (of the answer's) where they differ, where they do not
 * and what is not settled. Not settled is never read as the same.
 */
static void alike_answer(json_t *doc, const char *path, const char *family, unsigned int tasks,
			 double margin, FILE *f)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(doc, "alike"), i, row) {
		const char *v = vshost_alike_on(row, path, family, tasks);
		struct list same = {{0}, 0}, open = {{0}, 0}, differ = {{0}, 0};
		struct list other_open = {{0}, 0}, other_differ = {{0}, 0};
		bool differs;

		if (!v)
			continue;
		if (!strcmp(v, "unchanged")) {
			fprintf(f,
				"    %s and %s: no difference beyond +/-%.0f%% in any ratio "
				"measured\n",
				str(row, "a"), str(row, "b"), margin);
			continue;
		}
		for (size_t k = 0; k < NSHOWN; k++) {
			json_t *x = alike_figure(row, path, family, tasks, &shown[k]);
			const char *w = word(x);
			char r[48], lr[96];

			if (!x || !strcmp(w, "-"))
				continue;
			if (!strcmp(w, "same")) {
				list_add(&same, shown[k].label);
			} else if (!strcmp(w, "unsettled")) {
				list_add(&open, shown[k].label);
			} else {
				fmt_ratio(r, sizeof(r), x);
				snprintf(lr, sizeof(lr), "%s %s", shown[k].label, r);
				list_add(&differ, lr);
			}
		}
		/* The ratios behind the pair's verdict that the answer's metrics leave out. */
		other_ratios(row, path, family, tasks, &other_open, &other_differ);
		fprintf(f, "    %s and %s:", str(row, "a"), str(row, "b"));
		differs = !strcmp(v, "different");
		if (differs && !differ.n) {
			differ = other_differ;
			other_differ.n = 0;
		}
		if (differs)
			fprintf(f, " differ (%s/%s) in %s", str(row, "b"), str(row, "a"),
				differ.n ? differ.buf
					 : "ratios only the results file shows (\"alike\")");
		if (same.n)
			fprintf(f, "%s no difference beyond +/-%.0f%% in %s", differs ? ";" : "",
				margin, same.buf);
		if (open.n)
			fprintf(f, "%s not settled: %s", differs || same.n ? ";" : "", open.buf);
		if (!differs && !same.n && !open.n)
			fprintf(f, " not settled whether they differ");
		if (other_differ.n)
			fprintf(f, "; other ratios differ: %s", other_differ.buf);
		if (other_open.n)
			fprintf(f, "; other ratios not settled: %s", other_open.buf);
		fputc('\n', f);
	}
}

static bool has_host(json_t *doc)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, e)
		if (!strcmp(str(e, "mode"), "host"))
			return true;
	return false;
}

void answer_closing(json_t *doc, unsigned int tasks, FILE *f)
{
	json_t *e;
	size_t i, g = 0;
	bool headed = false, open = false;
	char seen[16][64];
	double margin = margin_of(doc);

	if (!has_host(doc))
		fprintf(f, "\nNo answer against host: host mode was not measured (--modes)\n");
	json_array_foreach(json_object_get(doc, "results"), i, e) {
		const char *path = str(e, "path"), *family = results_entry_family(e);
		const char *modes[16];
		char key[64];
		size_t nm, k;

		snprintf(key, sizeof(key), "%s/%s", path, family);
		for (k = 0; k < g && strcmp(seen[k], key); k++)
			;
		if (k < g || g == 16 || results_entry_ntasks(e) != tasks)
			continue;
		snprintf(seen[g++], sizeof(seen[0]), "%s", key);
		nm = modes_against_host(doc, path, family, tasks, modes, 16);
		if (!nm && !json_array_size(json_object_get(doc, "alike")))
			continue;
		if (!headed)
			fprintf(f, "\nAnswer: %s, measured side by side (95%% intervals)\n",
				nm ? "what each mode costs against host" : "which modes differ");
		headed = true;
		fprintf(f, "  %s, %s:\n", path, strcmp(family, "ipv6") ? "IPv4" : "IPv6");
		for (k = 0; k < nm; k++)
			open |= mode_answer(doc, modes[k], path, family, tasks, margin, f);
		alike_answer(doc, path, family, tasks, margin, f);
	}
	/* Not settled is not "no difference": say what would settle it. */
	if (open)
		fprintf(f, "  not settled: the evidence decides neither way; more repetitions "
			   "(--reps 10, or --target 3) narrow the intervals\n");
}
