// SPDX-License-Identifier: MIT
/*
 * The lab's lifecycle: plan tasks as ECS places them, build them, and undo
 * exactly what was built, on success, on error and on a signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "harness/lab/hops.h"
#include "harness/lab/lab.h"
#include "netns/testhooks.h"
#include "harness/cli/log.h"
#include "netns/netns.h"
#include "netns/nftables.h"
#include "netns/rt.h"
#include "harness/lab/state.h"

volatile sig_atomic_t lab_stop;

static const char *const mode_names[MODE_COUNT] = {
	[MODE_AWSVPC] = "awsvpc",
	[MODE_BRIDGE] = "bridge",
	[MODE_BRIDGE_DYNAMIC] = "bridge-dynamic",
	[MODE_HOST] = "host",
	[MODE_NONE] = "none",
};

const char *lab_mode_name(enum lab_mode m)
{
	return (unsigned int)m < MODE_COUNT ? mode_names[m] : "?";
}

const char *lab_variant_name(enum lab_variant v)
{
	static const char *const names[] = {"ecs", "veth", "bridge", "conntrack"};

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

int lab_mode_parse(const char *name, enum lab_mode *m)
{
	for (int i = 0; i < MODE_COUNT; i++)
		if (name && strcmp(name, mode_names[i]) == 0) {
			*m = (enum lab_mode)i;
			return 0;
		}
	return -EINVAL;
}

void lab_config_default(struct lab_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	ip4_net_parse("198.18.0.0/24", &cfg->vpc_net);
	ip4_net_parse("198.19.0.0/24", &cfg->bridge_net);
	cfg->max_enis = 0; /* no limit unless asked */
	snprintf(cfg->macvlan_mode, sizeof(cfg->macvlan_mode), "bridge");
	cfg->awsvpc_offset = 10;
}

int lab_init(struct lab *lab, const struct lab_config *cfg, const char *kind)
{
	unsigned char rnd[LAB_ID_LEN / 2];
	const char *fail;
	int ret;

	memset(lab, 0, sizeof(*lab));
	lab->cfg = *cfg;
	lab->kind = kind;
	lab->fail_after = -1;
	clock_gettime(CLOCK_MONOTONIC, &lab->t0);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(lab->id + 2 * i, 3, "%02x", rnd[i]);
	snprintf(lab->ns_vpc, sizeof(lab->ns_vpc), "nsb-%s-vpc", lab->id);
	snprintf(lab->ns_inst, sizeof(lab->ns_inst), "nsb-%s-inst", lab->id);
	ret = ip4_net_host(&cfg->vpc_net, 1, lab->vpc_addr);
	if (!ret)
		ret = ip4_net_host(&cfg->vpc_net, 2, lab->inst_addr);
	if (!ret)
		ret = ip4_net_host(&cfg->bridge_net, 1, lab->bridge_addr);
	if (ret)
		return ret;
	port_table_init(&lab->ports);
	lab->dyn_lo = LAB_DYNAMIC_LO;
	lab->dyn_hi = LAB_DYNAMIC_HI;
	/* Fault injection for the tests: "N" fails step N+1, "N:SIG" raises SIG there. */
	fail = testhook("NSBENCH_FAIL_AFTER");
	if (fail && *fail) {
		const char *sig = strchr(fail, ':');

		lab->fail_after = atoi(fail);
		lab->fail_signal = sig ? atoi(sig + 1) : 0;
	}
	return 0;
}

static int lab_refuse(struct lab *lab, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int lab_refuse(struct lab *lab, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lab->err, sizeof(lab->err), fmt, ap);
	va_end(ap);
	return err;
}

/* Like snprintf("%s"), for fields of one struct (gcc's -Wrestrict cannot tell them apart). */
static void scopy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memmove(dst, src, n);
	dst[n] = '\0';
}

static unsigned int lab_count_mode(const struct lab *lab, enum lab_mode m)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < lab->ntasks; i++)
		n += lab->tasks[i].mode == m;
	return n;
}

int lab_plan_task(struct lab *lab, enum lab_mode mode, uint16_t container_port)
{
	struct lab_task *t;
	unsigned int id = lab->ntasks + 1;
	int holder = 0, ret;

	if ((unsigned int)mode >= MODE_COUNT || container_port == 0)
		return lab_refuse(lab, -EINVAL, "task t%u: invalid mode or port", id);
	if (lab->ntasks >= LAB_MAX_TASKS)
		return lab_refuse(lab, -ENOSPC, "task t%u: a lab holds at most %d tasks", id,
				  LAB_MAX_TASKS);
	t = &lab->tasks[lab->ntasks];
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->mode = mode;
	t->container_port = container_port;
	t->own_ns = mode != MODE_HOST;
	{
		char ns[LAB_NS_LEN];

		snprintf(ns, sizeof(ns), "nsb-%s-t%u", lab->id, id);
		scopy(t->ns, sizeof(t->ns), ns);
	}
	scopy(t->client_ns, sizeof(t->client_ns), lab->ns_vpc);

	switch (mode) {
	case MODE_AWSVPC: {
		unsigned int n = lab_count_mode(lab, MODE_AWSVPC);

		if (lab->cfg.max_enis && n + 1 > lab->cfg.max_enis - 1)
			return lab_refuse(lab, -ENOSPC,
					  "task t%u (awsvpc): ENI limit reached: the instance has "
					  "%u ENIs, the primary one is its own, so at most %u "
					  "awsvpc tasks",
					  id, lab->cfg.max_enis, lab->cfg.max_enis - 1);
		ret = ip4_net_host(&lab->cfg.vpc_net, lab->cfg.awsvpc_offset + id, t->addr);
		if (ret)
			return lab_refuse(lab, -ENOSPC,
					  "task t%u (awsvpc): the VPC subnet has no address left",
					  id);
		scopy(t->ep_addr, sizeof(t->ep_addr), t->addr);
		t->ep_port = container_port;
		break;
	}
	case MODE_BRIDGE:
	case MODE_BRIDGE_DYNAMIC:
		ret = ip4_net_host(&lab->cfg.bridge_net, 1 + id, t->addr);
		if (ret)
			return lab_refuse(lab, -ENOSPC,
					  "task t%u (%s): the bridge subnet has no address left",
					  id, lab_mode_name(mode));
		if (lab->cfg.variant != LAB_VARIANT_ECS) {
			/* explain's steps before DNAT: no hostPort, the task's own address. */
			if (lab->cfg.variant == LAB_VARIANT_VETH &&
			    lab_count_mode(lab, MODE_BRIDGE) + lab_count_mode(lab, MODE_BRIDGE_DYNAMIC))
				return lab_refuse(lab, -ENOSPC,
						  "task t%u: a routed-veth lab holds one bridge task",
						  id);
			scopy(t->ep_addr, sizeof(t->ep_addr), t->addr);
			t->ep_port = container_port;
			break;
		}
		if (mode == MODE_BRIDGE && testhook_break("port-conflict")) {
			/* A lab without ECS's conflict check, for the test that breaks a claim. */
			t->host_port = container_port;
		} else if (mode == MODE_BRIDGE) {
			ret = port_claim(&lab->ports, container_port, (int)id, &holder);
			if (ret == -EADDRINUSE)
				return lab_refuse(lab, ret,
						  "task t%u (bridge): hostPort %u is already taken "
						  "on the instance by task t%d (%s)",
						  id, container_port, holder,
						  lab_mode_name(lab->tasks[holder - 1].mode));
			if (ret)
				return lab_refuse(lab, ret, "task t%u: too many host ports", id);
			t->host_port = container_port;
		}
		/* A dynamic hostPort is chosen at build time, from the instance's range. */
		scopy(t->ep_addr, sizeof(t->ep_addr), lab->inst_addr);
		t->ep_port = t->host_port;
		break;
	case MODE_HOST:
		ret = port_claim(&lab->ports, container_port, (int)id, &holder);
		if (ret == -EADDRINUSE)
			return lab_refuse(lab, ret,
					  "task t%u (host): port %u is already taken on the "
					  "instance by task t%d (%s)",
					  id, container_port, holder,
					  lab_mode_name(lab->tasks[holder - 1].mode));
		if (ret)
			return lab_refuse(lab, ret, "task t%u: too many host ports", id);
		scopy(t->ns, sizeof(t->ns), lab->ns_inst);
		scopy(t->addr, sizeof(t->addr), lab->inst_addr);
		scopy(t->ep_addr, sizeof(t->ep_addr), lab->inst_addr);
		t->host_port = container_port;
		t->ep_port = container_port;
		break;
	case MODE_NONE:
		snprintf(t->addr, sizeof(t->addr), "127.0.0.1");
		snprintf(t->ep_addr, sizeof(t->ep_addr), "127.0.0.1");
		t->ep_port = container_port;
		scopy(t->client_ns, sizeof(t->client_ns), t->ns);
		break;
	default:
		return -EINVAL;
	}
	lab->ntasks++;
	return 0;
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
	log_debug("lab %s: +%.3f ms %s", lab->id, lab_elapsed_ms(lab), lab->step);
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

int lab_fail(struct lab *lab, int err, const char *ext)
{
	if (err == -EINTR)
		snprintf(lab->err, sizeof(lab->err), "interrupted while %s", lab->step);
	else if (err == -EPROTO && ext && *ext)
		/* A foreign library's own words (nftables): they say it all. */
		snprintf(lab->err, sizeof(lab->err), "%s: %s", lab->step, ext);
	else
		snprintf(lab->err, sizeof(lab->err), "%s: %s%s%s", lab->step, strerror(-err),
			 ext && *ext ? ": " : "", ext ? ext : "");
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

int lab_up(struct lab *lab)
{
	int ret;

	ret = lab_step(lab, "writing state file %s/%s.json", STATE_DIR, lab->id);
	if (!ret) {
		ret = state_write(lab);
		if (ret)
			lab_fail(lab, ret, NULL);
		else
			lab->state_written = true;
	}
	if (!ret)
		ret = mode_build_base(lab);
	for (unsigned int i = 0; !ret && i < lab->ntasks; i++)
		ret = mode_build_task(lab, &lab->tasks[i]);
	if (!ret)
		ret = mode_build_portmap(lab);
	lab->build_ms = lab_elapsed_ms(lab);
	if (!ret) {
		ret = lab_step(lab, "updating state file");
		if (!ret && (ret = state_write(lab)))
			lab_fail(lab, ret, NULL);
	}
	if (ret) {
		char err[sizeof(lab->err)];

		memcpy(err, lab->err, sizeof(err));
		lab_down(lab, LAB_TEARDOWN_GROUP);
		memcpy(lab->err, err, sizeof(err));
		return ret;
	}
	lab->up = true;
	return 0;
}

int lab_add_task(struct lab *lab, enum lab_mode mode, uint16_t container_port)
{
	struct lab_task *t;
	int ret;

	ret = lab_plan_task(lab, mode, container_port);
	if (ret)
		return ret;
	t = &lab->tasks[lab->ntasks - 1];
	ret = mode_build_task(lab, t);
	if (!ret)
		ret = mode_build_portmap(lab);
	if (!ret)
		ret = state_write(lab);
	if (ret) {
		/* Leave the planned task for teardown to find its namespace. */
		port_release_owner(&lab->ports, (int)t->id);
	}
	return ret;
}

unsigned int lab_namespaces(const struct lab *lab, const char **names, unsigned int max)
{
	unsigned int n = 0;

	if (n < max)
		names[n++] = lab->ns_vpc;
	if (n < max)
		names[n++] = lab->ns_inst;
	for (unsigned int i = 0; i < lab->ntasks && n < max; i++)
		if (lab->tasks[i].own_ns)
			names[n++] = lab->tasks[i].ns;
	return n;
}

/* Endpoints keep a namespace alive after its name is gone: end them first. */
static void lab_kill_ns(const char *ns)
{
	if (netns_kill_all(ns) == -ETIMEDOUT)
		log_warn("processes in namespace %s did not exit after SIGKILL", ns);
}

/*
 * Deleting the instance namespace dismantles the wire's veth pair; its vpc end
 * vanishing is the kernel's word that the instance's devices are gone, so the
 * teardown is not declared done while the kernel is still working on it.
 */
static void lab_wait_inst_gone(struct lab *lab)
{
	struct timespec ts = {0, 200000};
	struct rt *rt = NULL;

	if (!netns_exists(lab->ns_vpc) || rt_open(&rt, lab->ns_vpc))
		return;
	for (int i = 0; i < 25000; i++) {
		int ret = rt_ifindex(rt, mode_wire_ifname());

		if (ret < 0)
			break;
		nanosleep(&ts, NULL);
	}
	rt_close(rt);
}

int lab_down(struct lab *lab, enum lab_teardown how)
{
	const char *names[LAB_MAX_TASKS + 2];
	unsigned int n = lab_namespaces(lab, names, LAB_MAX_TASKS + 2);
	int ret = 0, r;

	for (unsigned int i = 0; i < n; i++)
		if (netns_exists(names[i]))
			lab_kill_ns(names[i]);
	if (how == LAB_TEARDOWN_LINKS)
		mode_teardown_links(lab);
	if (how == LAB_TEARDOWN_GROUP && netns_exists(lab->ns_inst)) {
		struct rt *rt = lab->rt_inst;

		if (rt || rt_open(&rt, lab->ns_inst) == 0) {
			r = rt_group_del(rt, LAB_LINK_GROUP);
			if (r && r != -ENODEV)
				log_warn("lab %s: deleting its links: %s", lab->id, strerror(-r));
			if (rt != lab->rt_inst)
				rt_close(rt);
		}
	}
	/* Our own sockets hold the namespaces too. */
	portmap_close(lab->pm);
	lab->pm = NULL;
	rt_close(lab->rt_inst);
	lab->rt_inst = NULL;
	rt_close(lab->rt_vpc);
	lab->rt_vpc = NULL;

	if (netns_exists(lab->ns_inst)) {
		r = netns_delete(lab->ns_inst);
		if (r && !ret)
			ret = r;
		else if (how == LAB_TEARDOWN_NETNS)
			lab_wait_inst_gone(lab);
	}
	for (unsigned int i = 0; i < n; i++) {
		if (names[i] == lab->ns_inst || !netns_exists(names[i]))
			continue;
		r = netns_delete(names[i]);
		if (r && !ret)
			ret = r;
	}
	if (lab->state_written || access(STATE_DIR, F_OK) == 0) {
		r = state_remove(lab->id);
		if (r && r != -ENOENT && !ret)
			ret = r;
	}
	lab->state_written = false;
	lab->up = false;
	lab->vpc_made = lab->inst_made = lab->wire_made = false;
	lab->bridge_made = lab->portmap_made = false;
	for (unsigned int i = 0; i < lab->ntasks; i++)
		lab->tasks[i].built = false;
	return ret;
}

int lab_attach(struct lab *lab)
{
	int ret;

	lab->vpc_made = netns_exists(lab->ns_vpc);
	lab->inst_made = netns_exists(lab->ns_inst);
	if (!lab->vpc_made || !lab->inst_made)
		return -ENOENT;
	ret = rt_open(&lab->rt_vpc, lab->ns_vpc);
	if (!ret)
		ret = rt_open(&lab->rt_inst, lab->ns_inst);
	if (ret)
		return ret;
	lab->wire_made = true;
	for (unsigned int i = 0; i < lab->ntasks; i++)
		if (lab->tasks[i].mode == MODE_BRIDGE || lab->tasks[i].mode == MODE_BRIDGE_DYNAMIC)
			lab->bridge_made = lab->portmap_made = true;
	if (lab->portmap_made)
		ret = portmap_open(&lab->pm, lab->ns_inst);
	return ret;
}

void lab_free(struct lab *lab)
{
	if (!lab)
		return;
	portmap_close(lab->pm);
	rt_close(lab->rt_inst);
	rt_close(lab->rt_vpc);
	lab->pm = NULL;
	lab->rt_inst = lab->rt_vpc = NULL;
}
