/* SPDX-License-Identifier: MIT */
#ifndef NSBENCH_PORTS_H
#define NSBENCH_PORTS_H

/*
 * The ports nsbench's servers listen on by default, which the lab (harness)
 * hands out and the engines (bench) keep out of the ephemeral range where a
 * connect-per-transaction client widens it: a client's thousands of
 * connections must not take a port a server of the same namespace binds next
 * (host mode's tasks and the instance share one namespace; so do the VPC's
 * clients and its egress server).
 */
#define NSB_PORT_FIRST 5201  /* the first task's containerPort; task N's is FIRST + N - 1 */
#define NSB_PORT_EGRESS 5301 /* the egress path's server, in the VPC namespace */
#define NSB_PORT_LAST 5399   /* the end of the block kept from ephemeral ports */
#define NSB_PORT_AGENT 51679 /* the ECS agent's credentials/metadata port (ecs-init's DNAT) */
/*
 * The agent's introspection port: ecs-init drops every packet to it from off
 * the host (INPUT ! -i lo --dport 51678 DROP), a connection's replies
 * included, so a client whose ephemeral port is 51678 times out on an ECS
 * instance. The widened range keeps it out too.
 */
#define NSB_PORT_INTROSPECTION 51678
#define NSB_PORTS_STR_(x) #x
#define NSB_PORTS_STR(x) NSB_PORTS_STR_(x)
/* FIRST-LAST and the agent's two ports, as net.ipv4.ip_local_reserved_ports takes them. */
#define NSB_PORTS_RESERVED                                                                         \
	NSB_PORTS_STR(NSB_PORT_FIRST) "-" NSB_PORTS_STR(NSB_PORT_LAST) ","                         \
		NSB_PORTS_STR(NSB_PORT_INTROSPECTION) "-" NSB_PORTS_STR(NSB_PORT_AGENT)

#endif
