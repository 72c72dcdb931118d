// SPDX-License-Identifier: MIT
/*
 * The lab's lifecycle: build the tasks placed (placement.c) with the modes'
 * builders (mode.c, and each mode's table: mode_ops.h), and undo exactly what
 * was built, on success, on error and on a signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/common/notice.h"
#include "harness/lab/build.h"
#include "harness/lab/lab.h"
#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"
#include "harness/lab/state.h"
#include "netns/netns.h"
#include "netns/nftables.h"
#include "netns/rt.h"
#include "netns/testhooks.h"

int lab_init(struct lab *lab, const struct lab_config *cfg, const char *kind)
{
	unsigned char rnd[LAB_ID_LEN / 2];
	const char *fail;
	int ret;

	memset(lab, 0, sizeof(*lab));
	lab->cfg = *cfg;
	lab->kind = kind;
	lab->fail_after = -1;
	lab->br_nf = -1;
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
	if (!ret && cfg->dual_stack)
		ret = ip6_net_host(&cfg->vpc_net6, 1, lab->vpc_addr6);
	if (!ret && cfg->dual_stack)
		ret = ip6_net_host(&cfg->vpc_net6, 2, lab->inst_addr6);
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

/* The state file comes first: whatever is built after it, `nsbench clean` can find. */
static int lab_state_first(struct lab *lab)
{
	int ret = lab_step(lab, "writing state file %s/%s.json", STATE_DIR, lab->id);

	if (!ret && (ret = state_write(lab)))
		return lab_fail(lab, ret, NULL);
	lab->state_written = !ret;
	return ret;
}

/* Takes the lab down, keeping the reason it failed with. */
static void lab_down_keep_err(struct lab *lab)
{
	char err[sizeof(lab->err)];

	memcpy(err, lab->err, sizeof(err));
	lab_down(lab, LAB_TEARDOWN_GROUP);
	memcpy(lab->err, err, sizeof(err));
}

int lab_up(struct lab *lab)
{
	int ret;

	ret = lab_state_first(lab);
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
		lab_down_keep_err(lab);
		return ret;
	}
	lab->up = true;
	return 0;
}

int lab_probe_features(struct lab *lab, struct lab_features *f)
{
	int ret = lab_state_first(lab);

	if (!ret)
		ret = lab_ns_new(lab, lab->ns_vpc);
	if (!ret) {
		lab->vpc_made = true;
		ret = mode_probe_features(lab, f);
	}
	lab_down_keep_err(lab);
	return ret;
}

int lab_try_mode(enum lab_mode mode, char *why, size_t len)
{
	struct lab_config cfg;
	struct lab lab;
	int ret;

	lab_config_default(&cfg);
	ret = lab_init(&lab, &cfg, "doctor");
	if (!ret)
		ret = lab_plan_task(&lab, mode, LAB_DEFAULT_PORT);
	if (!ret)
		ret = lab_up(&lab);
	if (!ret && (ret = lab_down(&lab, LAB_TEARDOWN_GROUP)))
		snprintf(lab.err, sizeof(lab.err), "tearing it down: %s", strerror(-ret));
	if (ret)
		snprintf(why, len, "%s", lab.err[0] ? lab.err : strerror(-ret));
	lab_free(&lab);
	return ret;
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

/* PID is a child of this process (its parent pid, from /proc: not a recycled stranger's). */
static bool is_child(pid_t pid)
{
	pid_t ppid;
	char state;

	return !netns_proc_stat(pid, NULL, 0, &state, &ppid) && ppid == getpid();
}

/* Endpoints keep a namespace alive after its name is gone: end them first. */
static void lab_kill_ns(const char *ns)
{
	if (netns_kill_all(ns) == -ETIMEDOUT)
		notice(NOTICE_WARNING, "processes in namespace %s did not exit after SIGKILL", ns);
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
	/*
	 * The docker-proxies this process started are its children: killed above,
	 * and waited for here (SIGKILL again first: one the sweep missed must end).
	 * A pid that is not our child (a lab attached from its state file) is not ours
	 * to wait for: waitpid says ECHILD at once.
	 */
	for (unsigned int i = 0; i < lab->ntasks; i++)
		for (unsigned int k = 0; k < 4; k++) {
			pid_t pid = lab->tasks[i].proxy_pid[k];

			if (pid > 0 && is_child(pid)) {
				kill(pid, SIGKILL);
				while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
					;
			}
			lab->tasks[i].proxy_pid[k] = 0;
		}
	if (how == LAB_TEARDOWN_LINKS)
		mode_teardown_links(lab);
	if (how == LAB_TEARDOWN_GROUP && netns_exists(lab->ns_inst)) {
		struct rt *rt = lab->rt_inst;

		if (rt || rt_open(&rt, lab->ns_inst) == 0) {
			r = rt_group_del(rt, LAB_LINK_GROUP);
			if (r && r != -ENODEV)
				notice(NOTICE_WARNING, "lab %s: deleting its links: %s", lab->id,
				       strerror(-r));
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
	lab->bridge_made = lab->portmap_made = lab->agent_bridge_made = false;
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
		if (is_bridged(&lab->tasks[i]))
			lab->bridge_made = true;
	lab->portmap_made = lab->bridge_made && !lab_instance_iptables(&lab->cfg);
	for (unsigned int i = 0; i < lab->ntasks; i++)
		if (has_agent_leg(lab, &lab->tasks[i]))
			lab->agent_bridge_made = true;
	/* The lab's own nftables: bare's port mapping, or the security group on any profile. */
	if (lab->portmap_made || lab->cfg.security_group)
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
