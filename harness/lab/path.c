// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"
#include "harness/lab/path.h"
#include "nsbench/ports.h"

/* Egress servers listen in the VPC namespace on this port. */
#define EGRESS_PORT NSB_PORT_EGRESS

enum lab_path path_default(enum lab_mode m)
{
	return mode_ops(m)->default_path;
}

static void set(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/* SRV's mode's answer to how a client reaches it (mode_ops.h); none has none. */
static int reach(const struct lab *lab, const struct lab_task *srv, enum lab_path p,
		 enum bench_family f, struct bench_target *t, char *why, size_t len)
{
	const struct mode_ops *ops = mode_ops(srv->mode);

	if (ops->reach)
		return ops->reach(lab, srv, p, f, t, why, len);
	snprintf(why, len, "mode %s has no %s path: nothing outside its task reaches it",
		 lab_mode_name(srv->mode), path_name(p));
	return -EINVAL;
}

const struct lab_task *path_peer(const struct lab *lab, const struct lab_task *task,
				 enum lab_path p)
{
	if (p != PATH_INTRA_HOST || lab->ntasks < 2)
		return NULL;
	return &lab->tasks[task == &lab->tasks[0] ? 1 : 0];
}

int path_target(const struct lab *lab, const struct lab_task *task, const struct lab_task *peer,
		enum lab_path p, struct bench_target *t, char *why, size_t len)
{
	memset(t, 0, sizeof(*t));
	t->mode = lab_mode_name(task->mode);
	t->path = path_name(p);
	if (mode_has_path(task->mode, p, FAMILY_IPV4, why, len))
		return -EINVAL;
	switch (p) {
	case PATH_INGRESS:
		set(t->server_ns, sizeof(t->server_ns), task->ns);
		t->server_port = task->container_port;
		set(t->client_ns, sizeof(t->client_ns), task->client_ns);
		set(t->dst_addr, sizeof(t->dst_addr), task->ep_addr);
		t->dst_port = task->ep_port;
		return reach(lab, task, p, FAMILY_IPV4, t, why, len);
	case PATH_EGRESS:
		set(t->server_ns, sizeof(t->server_ns), lab->ns_vpc);
		set(t->server_bind, sizeof(t->server_bind), lab->vpc_addr);
		t->server_port = EGRESS_PORT;
		set(t->client_ns, sizeof(t->client_ns), task->ns);
		set(t->dst_addr, sizeof(t->dst_addr), lab->vpc_addr);
		t->dst_port = EGRESS_PORT;
		return 0;
	case PATH_INTRA_HOST:
		if (!peer || peer == task || !mode_ops(peer->mode)->reachable) {
			snprintf(why, len,
				 "the intra-host path needs a second task that can be reached");
			return -EINVAL;
		}
		set(t->server_ns, sizeof(t->server_ns), peer->ns);
		t->server_port = peer->container_port;
		set(t->client_ns, sizeof(t->client_ns), task->ns);
		set(t->dst_addr, sizeof(t->dst_addr), peer->ep_addr);
		t->dst_port = peer->ep_port;
		return reach(lab, peer, p, FAMILY_IPV4, t, why, len);
	case PATH_LOCAL:
	case PATH_AGENT:
		if (path_available(task->mode, p, lab->cfg.instance, why, len))
			return -EINVAL;
		if (p == PATH_AGENT) {
			/* The ECS agent's stand-in listens where ecs-init's rules send tasks. */
			set(t->server_ns, sizeof(t->server_ns), lab->ns_inst);
			set(t->server_bind, sizeof(t->server_bind), "127.0.0.1");
			t->server_port = NSB_PORT_AGENT;
			set(t->client_ns, sizeof(t->client_ns), task->ns);
			set(t->dst_addr, sizeof(t->dst_addr), PATH_AGENT_ADDR);
			t->dst_port = PATH_AGENT_PORT;
			return 0;
		}
		/* A client on the instance, to the task's published port. */
		set(t->server_ns, sizeof(t->server_ns), task->ns);
		t->server_port = task->container_port;
		set(t->client_ns, sizeof(t->client_ns), lab->ns_inst);
		t->dst_port = task->host_port ? task->host_port : task->container_port;
		return reach(lab, task, p, FAMILY_IPV4, t, why, len);
	case PATH_LOOPBACK:
		set(t->server_ns, sizeof(t->server_ns), task->ns);
		set(t->server_bind, sizeof(t->server_bind), "127.0.0.1");
		t->server_port = task->container_port;
		set(t->client_ns, sizeof(t->client_ns), task->ns);
		set(t->dst_addr, sizeof(t->dst_addr), "127.0.0.1");
		t->dst_port = task->container_port;
		return 0;
	default:
		snprintf(why, len, "unknown path");
		return -EINVAL;
	}
}

int path_available(enum lab_mode m, enum lab_path p, enum lab_instance inst, char *why, size_t len)
{
	char scratch[8];

	if (!why) {
		why = scratch;
		len = sizeof(scratch);
	}
	if (mode_has_path(m, p, FAMILY_IPV4, why, len))
		return -EINVAL;
	if (p == PATH_AGENT && inst == INSTANCE_BARE)
		snprintf(why, len,
			 "the agent's endpoint %s comes with ecs-init's rules, which a bare "
			 "instance lacks: --instance al2023 or al2",
			 PATH_AGENT_ADDR);
	else
		return 0;
	return -EINVAL;
}

bool path_udp_broken(const struct lab *lab, const struct lab_task *task, enum lab_path p, char *why,
		     size_t len)
{
	bool broken = p == PATH_INTRA_HOST && lab_instance_iptables(&lab->cfg) &&
		      lab->cfg.userland_proxy && is_bridged(task);

	if (p == PATH_AGENT) {
		if (why)
			snprintf(why, len,
				 "the agent's endpoint is TCP: ecs-init's DNAT and REDIRECT to "
				 "it match tcp port %d only (amazon-ecs-agent "
				 "ecs-init/exec/iptables/iptables.go)",
				 PATH_AGENT_PORT);
		return true;
	}
	if (broken && why)
		snprintf(why, len,
			 "UDP to another bridge task's hostPort goes through Docker's "
			 "docker-proxy, which answers from the bridge's address instead of the "
			 "instance's, and the task's connected socket drops the reply, as on an "
			 "ECS instance (moby/libnetwork#1729, fixed later by moby PR #48571); "
			 "--userland-proxy off measures the kernel's hairpin NAT instead");
	return broken;
}

int path_family_available(enum lab_mode m, enum lab_path p, enum bench_family f, char *why,
			  size_t len)
{
	char scratch[8];

	if (!why) {
		why = scratch;
		len = sizeof(scratch);
	}
	if (f != FAMILY_IPV6)
		return 0;
	if (mode_has_path(m, p, f, why, len))
		return -EINVAL;
	if (p == PATH_AGENT)
		snprintf(why, len, "the agent's endpoint %s is IPv4 only", PATH_AGENT_ADDR);
	else if (p == PATH_LOOPBACK)
		snprintf(why, len, "the loopback path measures 127.0.0.1, IPv4 only");
	else
		return 0;
	return -EINVAL;
}

int path_target_family(const struct lab *lab, const struct lab_task *task,
		       const struct lab_task *peer, enum lab_path p, enum bench_family f,
		       struct bench_target *t, char *why, size_t len)
{
	const struct lab_task *srv = p == PATH_INTRA_HOST ? peer : task;
	int ret = path_target(lab, task, peer, p, t, why, len);

	if (ret || f != FAMILY_IPV6)
		return ret;
	if (path_family_available(task->mode, p, f, why, len) ||
	    (srv && path_family_available(srv->mode, p, f, why, len)))
		return -EINVAL;
	if (!lab->cfg.dual_stack) {
		snprintf(why, len, "lab %s has no IPv6: it was built without dual stack", lab->id);
		return -EINVAL;
	}
	t->family = FAMILY_IPV6;
	if (p != PATH_EGRESS)
		return reach(lab, srv, p, f, t, why, len);
	set(t->server_bind, sizeof(t->server_bind), lab->vpc_addr6);
	set(t->dst_addr, sizeof(t->dst_addr), lab->vpc_addr6);
	return 0;
}
