// SPDX-License-Identifier: MIT
/*
 * The instance profiles: ecs-init's and Docker 25's rules loaded by the real
 * iptables in the instance namespace, Docker's per-binding rules and proxies,
 * br_netfilter's sysctls. The rules are the committed templates of
 * share/instance/, compiled in (build-gen/instance_rules.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build-gen/instance_rules.h"
#include "harness/common/notice.h"
#include "harness/lab/build.h"
#include "harness/lab/ifnames.h"
#include "harness/lab/instance.h"
#include "harness/lab/proxy.h"
#include "netns/netns.h"
#include "netns/nsexec.h"
#include "netns/sysctl.h"
#include "netns/testhooks.h"

/* The userland proxy's readiness handshake, generously: a Go binary starting on a busy machine. */
#define PROXY_READY_MS 16000 /* dockerd's own wait (moby portmapper/proxy.go) */

const char *instance_tool6(enum lab_instance i, bool save)
{
	switch (i) {
	case INSTANCE_AL2023:
		return save ? "ip6tables-nft-save" : "ip6tables-nft-restore";
	case INSTANCE_AL2:
		return save ? "ip6tables-legacy-save" : "ip6tables-legacy-restore";
	default:
		return NULL;
	}
}

const char *instance_tool(enum lab_instance i, bool save)
{
	switch (i) {
	case INSTANCE_AL2023:
		return save ? "iptables-nft-save" : "iptables-nft-restore";
	case INSTANCE_AL2:
		return save ? "iptables-legacy-save" : "iptables-legacy-restore";
	default:
		return NULL;
	}
}

struct text {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *b;

		while (cap < t->len + n + 1)
			cap *= 2;
		b = realloc(t->buf, cap);
		if (!b) {
			t->oom = true;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

struct subst {
	const char *name; /* "@NAME@" */
	const char *value;
};

/*
 * A template line by line: "?proxy-on " and "?proxy-off " lines only with the
 * proxy on or off (the marker dropped), every @NAME@ replaced.
 */
static char *render(const char *tmpl, bool proxy, const struct subst *s, size_t ns)
{
	struct text t = {0};
	const char *line = tmpl;

	while (*line) {
		size_t n = strcspn(line, "\n");
		const char *p = line, *end = line + n;

		if (!strncmp(p, "?proxy-on ", 10) || !strncmp(p, "?proxy-off ", 11)) {
			bool on = p[8] == 'n';

			p += on ? 10 : 11;
			if (on != proxy)
				p = end + 1; /* skipped */
		}
		while (p < end) {
			const char *at = memchr(p, '@', (size_t)(end - p));
			size_t k;

			if (!at) {
				put(&t, p, (size_t)(end - p));
				break;
			}
			put(&t, p, (size_t)(at - p));
			for (k = 0; k < ns; k++)
				if (!strncmp(at, s[k].name, strlen(s[k].name)))
					break;
			if (k < ns) {
				put(&t, s[k].value, strlen(s[k].value));
				p = at + strlen(s[k].name);
			} else {
				put(&t, "@", 1);
				p = at + 1;
			}
		}
		if (p <= end)
			put(&t, "\n", 1);
		line = *end ? end + 1 : end;
	}
	if (t.oom) {
		free(t.buf);
		return NULL;
	}
	return t.buf ? t.buf : strdup("");
}

char *instance_rules_text(const struct lab *lab)
{
	char net[20];

	if (!lab_instance_iptables(&lab->cfg))
		return NULL;
	ip4_net_format(&lab->cfg.bridge_net, net);
	const struct subst s[] = {{"@BRIDGE@", BRIDGE}, {"@BRIDGE_NET@", net}};

	return render(instance_rules_base, lab->cfg.userland_proxy, s, 2);
}

char *instance_port_text(const struct lab *lab, const struct lab_task *t, const char *proto)
{
	char hport[8], tport[8];

	snprintf(hport, sizeof(hport), "%u", t->host_port);
	snprintf(tport, sizeof(tport), "%u", t->container_port);
	const struct subst s[] = {{"@BRIDGE@", BRIDGE},
				  {"@PROTO@", proto},
				  {"@HOST_PORT@", hport},
				  {"@TASK_ADDR@", t->addr},
				  {"@TASK_PORT@", tport}};

	return render(instance_rules_port, lab->cfg.userland_proxy, s, 5);
}

static int restore_with(struct lab *lab, const char *tool, const char *text, bool noflush)
{
	/* -w 5: the legacy backend's lock (/run/xtables.lock) is the whole machine's. */
	char *argv[] = {(char *)tool, "-w", "5", noflush ? "--noflush" : NULL, NULL};
	char why[400];
	int ret;

	if (!text)
		return lab_fail(lab, -ENOMEM, NULL);
	ret = nsexec_run(lab->ns_inst, argv, text, NULL, why, sizeof(why));
	if (ret == -ENOENT)
		snprintf(why, sizeof(why),
			 "%s not found: the %s profile needs Debian's iptables package "
			 "(scripts/deps.sh installs it; --instance bare needs none)",
			 argv[0], lab_instance_name(lab->cfg.instance));
	return ret ? lab_fail(lab, ret, why) : 0;
}

static int restore(struct lab *lab, const char *text, bool noflush)
{
	return restore_with(lab, instance_tool(lab->cfg.instance, false), text, noflush);
}

int instance_read_br_nf(const char *ns)
{
	char buf[8];

	if (sysctl_read(ns, "net.bridge.bridge-nf-call-iptables", buf, sizeof(buf)))
		return -1;
	return buf[0] == '1';
}

/*
 * Docker 25 loads br_netfilter whenever it manages iptables, and writes
 * bridge-nf-call-iptables only with icc=false (moby v25.0.16
 * libnetwork/drivers/bridge/setup_bridgenetfiltering.go): on the instance the
 * values are the module's defaults, 1 (al2023, al2); bare sets 0. Where
 * br_netfilter is a module not loaded, the sysctls are absent: loading it
 * would change bridges in every namespace, the root one included, so the lab
 * says so and goes on without (lab->br_nf -1, recorded).
 */
static int set_br_netfilter(struct lab *lab)
{
	static const char *const keys[] = {"net.bridge.bridge-nf-call-iptables",
					   "net.bridge.bridge-nf-call-ip6tables",
					   "net.bridge.bridge-nf-call-arptables"};
	const char *want = lab_instance_iptables(&lab->cfg) ? "1" : "0";
	int ret;

	ret = lab_step(lab, "setting br_netfilter's bridge-nf-call-* to %s in %s", want,
		       lab->ns_inst);
	for (size_t k = 0; !ret && k < sizeof(keys) / sizeof(keys[0]); k++) {
		ret = sysctl_write(lab->ns_inst, keys[k], want);
		if (ret == -ENOENT) {
			ret = 0;
			if (*want == '1' && k == 0)
				notice(NOTICE_WARNING,
				       "br_netfilter is not loaded: bridged frames skip iptables, "
				       "where Docker would load it (`modprobe br_netfilter` does, "
				       "and changes every namespace's bridges, the root one's "
				       "too)");
			continue;
		}
		if (ret)
			return lab_fail(lab, ret, NULL);
	}
	if (!ret)
		lab->br_nf = instance_read_br_nf(lab->ns_inst);
	return ret;
}

/*
 * iptables-legacy's tables are modules on Debian's kernels. Before Linux 5.13
 * a table module creates its table in every namespace as it loads, the root
 * one's included (and the nat table switches conntrack on there); from 5.13 a
 * namespace gets one only when used. So on an older kernel whose root
 * namespace has no filter and nat table yet, the legacy profile refuses to be
 * the one that loads them. 0, or -EPERM with WHY.
 */
static int legacy_tables_safe(char *why, size_t len)
{
	char line[64];
	bool filter = false, nat = false, filter6 = false;
	struct utsname u;
	int maj, min;
	FILE *f;

	if (uname(&u) || sscanf(u.release, "%d.%d", &maj, &min) != 2 || maj > 5 ||
	    (maj == 5 && min >= 13))
		return 0;
	/* This thread is in the root namespace while it builds: its own tables. */
	f = fopen("/proc/self/net/ip_tables_names", "re");
	while (f && fgets(line, sizeof(line), f)) {
		filter |= !strcmp(line, "filter\n");
		nat |= !strcmp(line, "nat\n");
	}
	if (f)
		fclose(f);
	/* And ecs-init's IPv6 rules: ip6tables' filter table. */
	f = fopen("/proc/self/net/ip6_tables_names", "re");
	while (f && fgets(line, sizeof(line), f))
		filter6 |= !strcmp(line, "filter\n");
	if (f)
		fclose(f);
	if (filter && nat && filter6)
		return 0;
	snprintf(why, len,
		 "--instance al2 on Linux %s: iptables-legacy's filter and nat tables (and "
		 "ip6tables' filter) are not loaded, and before Linux 5.13 loading them "
		 "creates them in every namespace, the root one's included (nat switching "
		 "conntrack on there); load them yourself if that is acceptable (modprobe "
		 "iptable_filter iptable_nat ip6table_filter), or use --instance al2023",
		 u.release);
	return -EPERM;
}

int instance_build(struct lab *lab)
{
	char why[512];
	char *text;
	int ret;

	ret = set_br_netfilter(lab);
	if (ret || !lab_instance_iptables(&lab->cfg))
		return ret;
	if (lab->cfg.instance == INSTANCE_AL2 && legacy_tables_safe(why, sizeof(why)))
		return lab_refuse(lab, -EPERM, "%s", why);
	/* ecs-init: the agent's endpoint is DNAT'd to 127.0.0.1 from the bridge. */
	ret = lab_step(lab, "setting route_localnet in %s", lab->ns_inst);
	if (!ret && (ret = sysctl_write(lab->ns_inst, "net.ipv4.conf.all.route_localnet", "1")))
		return lab_fail(lab, ret, NULL);
	if (ret)
		return ret;
	ret = lab_step(lab, "loading the %s instance's rules with %s in %s",
		       lab_instance_name(lab->cfg.instance),
		       instance_tool(lab->cfg.instance, false), lab->ns_inst);
	if (ret)
		return ret;
	text = instance_rules_text(lab);
	/* Test build: a rule iptables refuses, to show its words reach the user. */
	if (text && testhook_fail("iptables-rules")) {
		char *bad = NULL;

		if (asprintf(&bad, "%s*filter\n-A NOSUCHCHAIN -j ACCEPT\nCOMMIT\n", text) < 0)
			bad = NULL;
		free(text);
		text = bad;
	}
	ret = restore(lab, text, false);
	free(text);
	if (ret)
		return ret;
	/*
	 * ecs-init's IPv6 rules: it repeats its INPUT rules with ip6tables where
	 * /proc/sys/net/ipv6 exists, as in every lab namespace (ecs-instance6.rules).
	 */
	ret = lab_step(lab, "loading the %s instance's IPv6 rules with %s in %s",
		       lab_instance_name(lab->cfg.instance),
		       instance_tool6(lab->cfg.instance, false), lab->ns_inst);
	if (ret)
		return ret;
	{
		const struct subst s[] = {{"@BRIDGE@", BRIDGE}};

		text = render(instance_rules_base6, lab->cfg.userland_proxy, s, 1);
	}
	ret = restore_with(lab, instance_tool6(lab->cfg.instance, false), text, false);
	free(text);
	return ret;
}

/* Whether [::1]:0 can be bound in NS: Docker's test for starting the "::" proxy. */
static bool ipv6_loopback_bindable(const char *ns)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int fd = netns_socket(ns, AF_INET6, SOCK_STREAM);
	bool ok;

	if (fd < 0)
		return false;
	ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

int instance_publish(struct lab *lab, struct lab_task *t)
{
	static const char *const protos[] = {"tcp", "udp"};
	char why[400];
	int ret;

	for (unsigned int k = 0; k < 2; k++) {
		char *text;

		if (!(t->protos & (1u << k)))
			continue;
		ret = lab_step(lab, "publishing %s hostPort %u of task t%u (Docker's rules)",
			       protos[k], t->host_port, t->id);
		if (ret)
			return ret;
		text = instance_port_text(lab, t, protos[k]);
		ret = restore(lab, text, true);
		free(text);
		if (ret)
			return ret;
	}
	/*
	 * One proxy per binding on 0.0.0.0 and, where [::1]:0 can be bound, a second
	 * on "::" (moby v25.0.16 libnetwork/drivers/bridge/port_mapping_linux.go
	 * allocatePortsInternal; dockerd 20.10.24 does the same, seen by calibrate):
	 * the hostPort answers IPv6 clients, the proxy carrying them to the task's
	 * IPv4 address (no ip6tables rule: Docker 25's --ip6tables is off).
	 */
	for (unsigned int k = 0; lab->cfg.userland_proxy && k < 4; k++) {
		const char *host_ip = k < 2 ? "0.0.0.0" : "::";
		pid_t pid = 0;

		if (t->proxy_pid[k] || !(t->protos & (1u << (k % 2))) ||
		    (k >= 2 && !ipv6_loopback_bindable(lab->ns_inst)))
			continue;
		ret = lab_step(lab, "starting docker-proxy for %s %s:%u -> %s:%u in %s",
			       protos[k % 2], k < 2 ? "0.0.0.0" : "[::]", t->host_port, t->addr,
			       t->container_port, lab->ns_inst);
		if (ret)
			return ret;
		ret = proxy_start(lab->ns_inst, protos[k % 2], host_ip, t->host_port, t->addr,
				  t->container_port, PROXY_READY_MS, &pid, why, sizeof(why));
		if (ret)
			return lab_fail(lab, ret, why);
		t->proxy_pid[k] = (int)pid;
	}
	return 0;
}

int instance_save(const struct lab *lab, bool counters, char **out, char *why, size_t len)
{
	char *argv[] = {(char *)instance_tool(lab->cfg.instance, true), counters ? "-c" : NULL,
			NULL};

	*out = NULL;
	if (!argv[0]) {
		snprintf(why, len, "the %s profile has no iptables rules",
			 lab_instance_name(lab->cfg.instance));
		return -EINVAL;
	}
	return nsexec_run(lab->ns_inst, argv, NULL, out, why, len);
}

/* The name the hot path gives an iptables-save rule, or NULL. */
static const char *rule_name(const struct lab *lab, const char *rule, char *name, size_t len)
{
	const char *dst = strstr(rule, "--to-destination ");

	if (!strncmp(rule, "-A FORWARD ", 11)) {
		bool in = strstr(rule, "-i " BRIDGE " "),
		     out = strstr(rule, "-o " BRIDGE " ") || strstr(rule, "-o " BRIDGE "\n");

		if (strstr(rule, "! -o " BRIDGE))
			out = false;
		return out && !in ? "to-bridge" : in && !out ? "from-bridge" : NULL;
	}
	if (!strncmp(rule, "-A DOCKER ", 10) && dst && strstr(rule, "-j DNAT")) {
		dst += strlen("--to-destination ");
		for (unsigned int i = 0; i < lab->ntasks; i++) {
			const struct lab_task *t = &lab->tasks[i];
			size_t n = strlen(t->addr);

			if (t->host_port && !strncmp(dst, t->addr, n) && dst[n] == ':') {
				snprintf(name, len, "t%u %s", t->id,
					 strstr(rule, "-p udp") ? "udp" : "tcp");
				return name;
			}
		}
	}
	return NULL;
}

int instance_counters(const struct lab *lab, json_t **rules)
{
	char *text, *line, *save = NULL, why[256], name[32];
	json_t *sums = json_object(), *out = json_array(), *v;
	const char *key;
	int ret;

	*rules = NULL;
	ret = instance_save(lab, true, &text, why, sizeof(why));
	if (ret) {
		json_decref(sums);
		json_decref(out);
		return ret;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long pkts, bytes;
		int off = 0;
		const char *n;

		if (sscanf(line, "[%llu:%llu] %n", &pkts, &bytes, &off) != 2 || !off)
			continue;
		n = rule_name(lab, line + off, name, sizeof(name));
		if (!n)
			continue;
		v = json_object_get(sums, n);
		json_object_set_new(sums, n,
				    json_integer(json_integer_value(v) + (json_int_t)pkts));
	}
	free(text);
	json_object_foreach(sums, key, v)
		json_array_append_new(out, json_pack("{s:s, s:s, s:O}", "chain",
						     strchr(key, ' ') ? "DOCKER" : "FORWARD",
						     "comment", key, "packets", v));
	json_decref(sums);
	*rules = out;
	return 0;
}

/* A br_netfilter sysctl of the instance as read now: 1, 0, or null when absent. */
static json_t *br_nf_value(const struct lab *lab, const char *key)
{
	char buf[8];

	if (!lab->inst_made || sysctl_read(lab->ns_inst, key, buf, sizeof(buf)))
		return json_null();
	return json_integer(buf[0] == '1');
}

/* Which docker-proxy runs, and its package's version when deps.sh wrote it beside. */
static json_t *proxy_describe(void)
{
	char path[512], why[256], ver[128] = "", vpath[600], *slash;
	FILE *f;

	if (proxy_find(path, sizeof(path), why, sizeof(why)))
		return json_null();
	snprintf(vpath, sizeof(vpath), "%s", path);
	slash = strrchr(vpath, '/');
	if (slash) {
		snprintf(slash + 1, sizeof(vpath) - (size_t)(slash + 1 - vpath), "VERSION");
		f = fopen(vpath, "re");
		if (f) {
			if (!fgets(ver, sizeof(ver), f))
				ver[0] = '\0';
			ver[strcspn(ver, "\n")] = '\0';
			fclose(f);
		}
	}
	return json_pack("{s:s, s:s*}", "path", path, "package_version", ver[0] ? ver : NULL);
}

json_t *instance_describe(const struct lab *lab)
{
	const char *tool = instance_tool(lab->cfg.instance, false);
	json_t *doc;

	doc = json_pack("{s:s, s:o, s:b, s:{s:o, s:o, s:o}}", "profile",
			lab_instance_name(lab->cfg.instance), "iptables",
			tool && lab_instance_iptables(&lab->cfg)
				? json_string(strstr(tool, "legacy") ? "legacy" : "nft")
				: json_null(),
			"userland_proxy", lab->cfg.userland_proxy, "bridge_nf_call", "iptables",
			br_nf_value(lab, "net.bridge.bridge-nf-call-iptables"), "ip6tables",
			br_nf_value(lab, "net.bridge.bridge-nf-call-ip6tables"), "arptables",
			br_nf_value(lab, "net.bridge.bridge-nf-call-arptables"));
	if (doc && lab->cfg.userland_proxy && lab_instance_iptables(&lab->cfg))
		json_object_set_new(doc, "docker_proxy", proxy_describe());
	return doc;
}

/* PID alive and not a zombie (a zombie child of ours is reaped here). */
static bool proxy_alive(pid_t pid)
{
	char comm[32], state;

	if (waitpid(pid, NULL, WNOHANG) == pid ||
	    netns_proc_stat(pid, comm, sizeof(comm), &state, NULL))
		return false;
	return !strcmp(comm, "docker-proxy") && state != 'Z' && state != 'X';
}

int instance_proxies_alive(const struct lab *lab, char *why, size_t len)
{
	static const char *const protos[] = {"tcp", "udp"};

	for (unsigned int i = 0; i < lab->ntasks; i++)
		for (unsigned int k = 0; k < 4; k++) {
			const struct lab_task *t = &lab->tasks[i];

			if (t->proxy_pid[k] > 0 && !proxy_alive(t->proxy_pid[k])) {
				snprintf(
					why, len,
					"docker-proxy for %s hostPort %s%u of task t%u (pid %d) is "
					"gone",
					protos[k % 2], k < 2 ? "" : "[::]:", t->host_port, t->id,
					t->proxy_pid[k]);
				return -ESRCH;
			}
		}
	return 0;
}
