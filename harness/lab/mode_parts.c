// SPDX-License-Identifier: MIT
/*
 * The parts the modes' files share (mode_ops.h): a task's address and route,
 * an MTU, a port of the instance's own, the tasks of a mode so far. Below the
 * modes' files: nothing here calls them, or their tables.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/lab/build.h"
#include "harness/lab/ifnames.h"
#include "harness/lab/mode_ops.h"
#include "netns/rt.h"

/* Like snprintf("%s"), for fields of one struct (gcc's -Wrestrict cannot tell them apart). */
void mode_scopy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memmove(dst, src, n);
	dst[n] = '\0';
}

/* A port of the instance's own stack (a static hostPort, host mode): one task each. */
int mode_claim_host_port(struct lab *lab, unsigned int id, uint16_t port, const char *what)
{
	int holder = 0, ret = port_claim(&lab->ports, port, (int)id, &holder);

	if (ret == -EADDRINUSE)
		return lab_refuse(
			lab, ret,
			"task t%u %s %u is already taken on the instance by task t%d (%s)", id,
			what, port, holder, lab_mode_name(lab->tasks[holder - 1].mode));
	if (ret)
		return lab_refuse(lab, ret, "task t%u: too many host ports", id);
	return 0;
}

unsigned int mode_count(const struct lab *lab, enum lab_mode m)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < lab->ntasks; i++)
		n += lab->tasks[i].mode == m;
	return n;
}

/* Sets an MTU the configuration asks for (0: the kernel's default stays). */
int mode_set_mtu(struct lab *lab, struct rt *rt, const char *ifname, const char *ns,
		 unsigned int mtu)
{
	int ret;

	if (!mtu)
		return 0;
	ret = lab_step(lab, "setting the MTU of %s in %s to %u", ifname, ns, mtu);
	if (!ret && (ret = rt_link_mtu(rt, ifname, mtu)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	return ret;
}

/* T's eth0 up, its address in NET and its default route via GW. */
int mode_task_addr(struct lab *lab, struct lab_task *t, struct rt *rt, const struct ip4_net *net,
		   const char *gw)
{
	char cidr[32];
	int ret;

	ret = lab_step(lab, "bringing %s up in %s", TASK_IF, t->ns);
	if (!ret && (ret = rt_link_up(rt, TASK_IF)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	if (ret)
		return ret;
	ip4_net_cidr(cidr, sizeof(cidr), t->addr, net);
	ret = lab_step(lab, "adding %s to %s in %s", cidr, TASK_IF, t->ns);
	if (!ret && (ret = rt_addr_add(rt, TASK_IF, cidr)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	if (ret)
		return ret;
	ret = lab_step(lab, "adding default route via %s in %s", gw, t->ns);
	if (!ret && (ret = rt_route_default(rt, gw)))
		return lab_fail(lab, ret, rt_ext_msg(rt));
	return ret;
}
