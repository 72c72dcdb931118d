/* SPDX-License-Identifier: MIT */
#ifndef NSB_MODEL_H
#define NSB_MODEL_H

/*
 * The lab as data: the modes, the configuration, the tasks as planned and
 * what exists of them. Every module of the lab reads it; none of them is
 * needed to read it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "harness/lab/addrplan.h"
#include "harness/lab/ports.h"
#include "nsbench/ports.h"

/* The ECS task network modes, bridge split by its port mapping. */
enum lab_mode { MODE_AWSVPC, MODE_BRIDGE, MODE_BRIDGE_DYNAMIC, MODE_HOST, MODE_NONE, MODE_COUNT };

/*
 * The ways traffic crosses a lab. local: a client in the instance (a daemon,
 * a host-mode sidecar) to the task's published address; agent: the task to
 * the ECS agent's endpoint 169.254.170.2:80 (credentials, task metadata).
 */
enum lab_path {
	PATH_INGRESS,
	PATH_EGRESS,
	PATH_INTRA_HOST,
	PATH_LOOPBACK,
	PATH_LOCAL,
	PATH_AGENT,
	PATH_COUNT
};

/* The agent's endpoint as tasks see it (ecs-init's DNAT and REDIRECT take it to 127.0.0.1). */
#define PATH_AGENT_ADDR "169.254.170.2"
#define PATH_AGENT_PORT 80

#define LAB_ID_LEN 6
#define LAB_NS_LEN 32
#define LAB_MAX_TASKS 240
#define LAB_DEFAULT_PORT NSB_PORT_FIRST
#define LAB_DYNAMIC_LO 49153
#define LAB_DYNAMIC_HI 65535

/*
 * Bridge mode one part at a time, for explain only (not ECS modes): the task
 * behind a routed veth, behind the bridge, the bridge with conntrack, and
 * ECS's bridge mode itself (DNAT). Bridge-mode tasks of a lab get the variant;
 * before ECS the client reaches the task's own address (the VPC routes the
 * bridge subnet to the instance).
 */
enum lab_variant { LAB_VARIANT_ECS, LAB_VARIANT_VETH, LAB_VARIANT_BRIDGE, LAB_VARIANT_CONNTRACK };

/* One part of a mode as explain's ladder adds it (mode_steps(), mode.h). */
struct mode_step {
	const char *name;
	enum lab_variant variant;
	bool security_group;
};

/*
 * What the instance namespace carries besides the tasks (--instance): the
 * netfilter rules of an ECS-optimized AMI (ecs-init's and Docker 25's, through
 * iptables-nft on Amazon Linux 2023, iptables-legacy on Amazon Linux 2), or
 * nothing but the nftables rules a mode needs (bare).
 */
enum lab_instance { INSTANCE_AL2023, INSTANCE_AL2, INSTANCE_BARE, INSTANCE_COUNT };

/*
 * ECS's MTUs: its ENIs and the VPC carry 9001-byte frames (jumbo frames inside
 * a VPC), Docker's bridge and its veths stay at 1500 (dockerd's default).
 * A configuration's 0 stands for these.
 */
#define LAB_VPC_MTU 9001
#define LAB_BRIDGE_MTU 1500
#define LAB_DEFAULT_MTU LAB_BRIDGE_MTU
#define LAB_MIN_MTU 68
#define LAB_MAX_MTU 65535

/*
 * What a link from the VPC delivers into the instance: MTU-sized frames, as a
 * NIC does (no segmentation offload on the VPC's side, GRO on the receiving
 * veth), or a veth's default GSO super-packets of up to 64 KB.
 */
enum lab_wire { LAB_WIRE_NIC, LAB_WIRE_VETH, LAB_WIRE_COUNT };

/* The first VLAN id of a trunked task's branch: task N gets LAB_VLAN_BASE + N. */
#define LAB_VLAN_BASE 100

struct lab_config {
	struct ip4_net vpc_net;	   /* the VPC subnet: vpc host .1, instance .2 */
	struct ip4_net bridge_net; /* docker0's subnet: bridge .1, tasks from .2 */
	unsigned int max_enis;	   /* with the primary: awsvpc tasks <= max_enis - 1 */
	char macvlan_mode[16];
	unsigned int awsvpc_offset; /* awsvpc task N gets vpc host (offset + N) */
	bool security_group;	    /* awsvpc: allow only the task's port, inbound */
	enum lab_variant variant;
	unsigned int vpc_mtu;	 /* the switch, every ENI and awsvpc task; 0 = LAB_VPC_MTU */
	unsigned int bridge_mtu; /* the bridge and its veths; 0 = LAB_BRIDGE_MTU */
	enum lab_wire wire;
	bool trunking; /* awsvpc tasks on VLAN branches of one trunk ENI */
	enum lab_instance instance;
	bool userland_proxy; /* Docker's docker-proxy per hostPort binding */
	/*
	 * A bridge task's port mapping is tcp (ECS's default protocol): one
	 * binding, its DOCKER rules and one docker-proxy. publish_udp adds a
	 * second mapping of the same port over udp, as a task definition that
	 * lists both does: what UDP tests and the UDP probes need.
	 */
	bool publish_udp;
	/*
	 * Dual stack (harness/lab/ipv6.c): the VPC subnet gets an IPv6 prefix, the
	 * VPC router, the instance and awsvpc tasks an address in it; bridge tasks
	 * stay IPv4-only, as on Docker's default bridge.
	 */
	bool dual_stack;
	struct ip6_net vpc_net6;
};

/* A port mapping's protocol: bit K is index K (and K + 2) of proxy_pid[] (tcp 0, udp 1). */
#define LAB_PROTO_TCP 1u
#define LAB_PROTO_UDP 2u

struct lab_task {
	unsigned int id; /* N of "tN" */
	enum lab_mode mode;
	bool own_ns; /* host mode lives in the instance namespace */
	bool built;
	bool mapped; /* its DNAT rules are loaded */
	bool sg;     /* its security-group rules are loaded */
	char ns[LAB_NS_LEN];
	char addr[16];
	uint16_t container_port;
	uint16_t host_port; /* 0 when the mode maps none */
	char ep_addr[16];   /* what a client connects to */
	uint16_t ep_port;
	char addr6[IP6_ADDR_LEN]; /* dual stack: awsvpc's own, host's the instance's; else "" */
	char client_ns[LAB_NS_LEN];
	/*
	 * Its docker-proxies, 0: none: [0] tcp and [1] udp on 0.0.0.0, [2] tcp and
	 * [3] udp on "::" (Docker's second proxy per binding, for IPv6 clients).
	 */
	int proxy_pid[4];
	unsigned int protos; /* its port mappings' protocols: LAB_PROTO_* bits */
};

struct rt;
struct portmap;

/*
 * GROUP: the instance's links (wire, bridge, task veths) share one link group
 * and go in one request, one kernel batch; the macvlans and veth peers go with
 * them. NETNS: namespaces only, waiting until the kernel has dismantled the
 * instance's devices. LINKS: one link at a time (the `ip link del` way).
 */
enum lab_teardown { LAB_TEARDOWN_GROUP, LAB_TEARDOWN_NETNS, LAB_TEARDOWN_LINKS };

#define LAB_LINK_GROUP 0x6e736200u

struct lab {
	char id[LAB_ID_LEN + 1];
	const char *kind; /* "topo", "run", "test", "doctor" */
	struct lab_config cfg;
	char ns_vpc[LAB_NS_LEN];
	char ns_inst[LAB_NS_LEN];
	char vpc_addr[16];
	char inst_addr[16];
	char bridge_addr[16];
	char vpc_addr6[IP6_ADDR_LEN], inst_addr6[IP6_ADDR_LEN]; /* dual stack only */
	uint16_t dyn_lo, dyn_hi;
	bool dyn_range_read;
	/*
	 * net.bridge.bridge-nf-call-iptables in the instance, read once the bridge
	 * is made: 1 or 0, -1 when br_netfilter is not loaded (a module on Debian's
	 * kernels). It decides whether intra-host frames cross ecs0 (mode_route).
	 */
	int br_nf;
	struct lab_task tasks[LAB_MAX_TASKS];
	unsigned int ntasks;
	struct port_table ports;

	/* What exists, so that teardown undoes exactly that. */
	bool state_written;
	bool vpc_made, inst_made, wire_made, bridge_made, portmap_made, sg_made;
	bool agent_bridge_made; /* ecs-bridge, for awsvpc tasks' agent legs */
	bool trunk_made;	/* the trunk ENI, with the first trunked task */
	bool up;
	bool kept; /* left up on purpose (topo up): not a crashed run's remains */
	struct rt *rt_vpc, *rt_inst;
	struct portmap *pm;

	struct timespec t0; /* lab_init() */
	double build_ms, teardown_ms;
	unsigned int steps;
	char step[160];	 /* what is being built, for messages */
	int fail_after;	 /* fault injection: fail the step after this many, -1 = off */
	int fail_signal; /* ... by raising this signal instead */
	char err[512];
};

const char *lab_mode_name(enum lab_mode m);
const char *lab_variant_name(enum lab_variant v);
int lab_mode_parse(const char *name, enum lab_mode *m);
/* Every mode's name, in order, comma-separated: "awsvpc, bridge, ...". */
const char *lab_mode_names(void);
const char *path_name(enum lab_path p);
int path_parse(const char *name, enum lab_path *p);
const char *lab_instance_name(enum lab_instance i);
int lab_instance_parse(const char *name, enum lab_instance *i);
/*
 * Whether tasks with an ENI of their own get the agent's leg (ecs-bridge): on
 * an instance profile, where ecs-init's rules give the agent's endpoint (ECS
 * builds it always; a bare instance has no agent).
 */
static inline bool lab_agent_legs(const struct lab_config *cfg);
/* Whether the instance's rules are iptables' (al2023, al2), not the lab's own nftables. */
static inline bool lab_instance_iptables(const struct lab_config *cfg)
{
	return cfg->instance != INSTANCE_BARE && cfg->variant == LAB_VARIANT_ECS;
}

static inline bool lab_agent_legs(const struct lab_config *cfg)
{
	return lab_instance_iptables(cfg);
}

/* The VPC's settings as the commands take them (--vpc-mtu, --bridge-mtu, --wire, --trunking). */
struct lab_vpc_opts {
	unsigned int mtu, bridge_mtu; /* 0: LAB_VPC_MTU, LAB_BRIDGE_MTU */
	enum lab_wire wire;
	bool trunking;
};

static inline void lab_config_vpc(struct lab_config *cfg, const struct lab_vpc_opts *v)
{
	cfg->vpc_mtu = v->mtu;
	cfg->bridge_mtu = v->bridge_mtu;
	cfg->wire = v->wire;
	cfg->trunking = v->trunking;
}

const char *lab_wire_name(enum lab_wire w);
int lab_wire_parse(const char *name, enum lab_wire *w);

static inline unsigned int lab_vpc_mtu(const struct lab_config *cfg)
{
	return cfg->vpc_mtu ? cfg->vpc_mtu : LAB_VPC_MTU;
}

static inline unsigned int lab_bridge_mtu(const struct lab_config *cfg)
{
	return cfg->bridge_mtu ? cfg->bridge_mtu : LAB_BRIDGE_MTU;
}

void lab_config_default(struct lab_config *cfg);

#endif
