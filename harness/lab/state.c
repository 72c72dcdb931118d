// SPDX-License-Identifier: MIT
/*
 * One JSON file per lab under /run/nsbench: who owns it (pid and start time,
 * so that a reused pid is not mistaken for the owner) and what it holds, so
 * that `nsbench clean` can remove what a killed run left behind.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/lab/vpc.h"
#include "harness/common/atomicfile.h"
#include "harness/lab/instance.h"
#include "harness/lab/mode.h"
#include "harness/lab/mode_ops.h"
#include "harness/lab/state.h"
#include "netns/sysctl.h"

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* comm may hold spaces and parentheses: count fields from the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

static json_t *task_describe(const struct lab_task *t)
{
	char name[16], ep[32];
	json_t *o;

	snprintf(name, sizeof(name), "t%u", t->id);
	snprintf(ep, sizeof(ep), "%s:%u", t->ep_addr, t->ep_port);
	o = json_pack("{s:s, s:s, s:s, s:b, s:s, s:i, s:i, s:s, s:s, s:i, s:s, s:b}", "name", name,
		      "mode", lab_mode_name(t->mode), "namespace", t->ns, "own_namespace",
		      t->own_ns, "address", t->addr, "container_port", t->container_port,
		      "host_port", t->host_port, "client_namespace", t->client_ns,
		      "endpoint_address", t->ep_addr, "endpoint_port", t->ep_port, "endpoint", ep,
		      "reachable_from_vpc", mode_ops(t->mode)->reachable);
	if (o && t->addr6[0])
		json_object_set_new(o, "address6", json_string(t->addr6));
	/* A published port's mappings, one per protocol (ECS: tcp unless it says udp). */
	if (o && t->host_port) {
		json_t *p = json_array();

		if (t->protos & LAB_PROTO_TCP)
			json_array_append_new(p, json_string("tcp"));
		if (t->protos & LAB_PROTO_UDP)
			json_array_append_new(p, json_string("udp"));
		json_object_set_new(o, "protocols", p);
	}
	if (o && (t->proxy_pid[0] || t->proxy_pid[1] || t->proxy_pid[2] || t->proxy_pid[3]))
		json_object_set_new(o, "docker_proxy_pids",
				    json_pack("{s:i, s:i, s:i, s:i}", "tcp", t->proxy_pid[0], "udp",
					      t->proxy_pid[1], "tcp6", t->proxy_pid[2], "udp6",
					      t->proxy_pid[3]));
	return o;
}

static json_t *iface(const struct lab_iface *i)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "role", i->role, "namespace", i->ns, "name",
			      i->name, "kind", hop_kind_name(i->kind));

	if (o && i->addr[0])
		json_object_set_new(o, "address", json_string(i->addr));
	if (o && i->addr6[0])
		json_object_set_new(o, "address6", json_string(i->addr6));
	return o;
}

json_t *state_describe(const struct lab *lab)
{
	static struct lab_iface all[LAB_MAX_IFACES];
	json_t *doc, *tasks, *task_ns, *ifs;
	char vpc_net[20], br_net[20];
	unsigned int n;

	ip4_net_format(&lab->cfg.vpc_net, vpc_net);
	ip4_net_format(&lab->cfg.bridge_net, br_net);
	tasks = json_array();
	task_ns = json_array();
	ifs = json_array();
	n = mode_interfaces(lab, all, LAB_MAX_IFACES);
	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(ifs, iface(&all[i]));
	for (unsigned int i = 0; i < lab->ntasks; i++) {
		const struct lab_task *t = &lab->tasks[i];

		json_array_append_new(tasks, task_describe(t));
		if (t->own_ns)
			json_array_append_new(task_ns, json_string(t->ns));
	}
	doc = json_pack("{s:i, s:s, s:s, s:I, s:I, s:{s:s, s:s, s:o}, s:{s:s, s:s, s:s, s:s, "
			"s:s, s:s, s:o}, s:i, s:{s:i, s:i}, s:o, s:o}",
			"version", 1, "lab", lab->id, "kind", lab->kind ? lab->kind : "",
			"owner_pid", (json_int_t)getpid(), "owner_start",
			(json_int_t)proc_start_time(getpid()), "namespaces", "vpc", lab->ns_vpc,
			"inst", lab->ns_inst, "tasks", task_ns, "address_plan", "vpc_subnet",
			vpc_net, "bridge_subnet", br_net, "vpc_address", lab->vpc_addr,
			"instance_address", lab->inst_addr, "bridge_address", lab->bridge_addr,
			"macvlan_mode", lab->cfg.macvlan_mode, "bridge_nf_call_iptables",
			lab->br_nf < 0 ? json_null() : json_integer(lab->br_nf), "max_enis",
			lab->cfg.max_enis, "dynamic_port_range", "low", lab->dyn_lo, "high",
			lab->dyn_hi, "interfaces", ifs, "tasks", tasks);
	if (doc)
		json_object_set_new(doc, "security_group", json_boolean(lab->cfg.security_group));
	if (doc)
		json_object_set_new(doc, "kept", json_boolean(lab->kept));
	if (doc)
		json_object_set_new(doc, "instance", instance_describe(lab));
	if (doc) {
		struct lab_vpc_opts v = {lab->cfg.vpc_mtu, lab->cfg.bridge_mtu, lab->cfg.wire,
					 lab->cfg.trunking};

		vpc_describe(doc, &v);
	}
	if (doc)
		json_object_set_new(doc, "dual_stack", json_boolean(lab->cfg.dual_stack));
	if (doc && lab->cfg.dual_stack) {
		char net6[IP6_ADDR_LEN + 4];

		ip6_net_format(&lab->cfg.vpc_net6, net6);
		json_object_set_new(json_object_get(doc, "address_plan"), "ipv6",
				    json_pack("{s:s, s:s, s:s}", "vpc_subnet", net6, "vpc_address",
					      lab->vpc_addr6, "instance_address", lab->inst_addr6));
	}
	if (doc && lab->cfg.variant != LAB_VARIANT_ECS)
		json_object_set_new(doc, "variant",
				    json_string(lab_variant_name(lab->cfg.variant)));
	if (doc && lab->build_ms > 0)
		json_object_set_new(doc, "build_ms", json_real(lab->build_ms));
	return doc;
}

static int state_path(const char *id, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s.json", STATE_DIR, id);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Temp file and rename: a reader never sees half a file. */
int state_write(const struct lab *lab)
{
	char path[256], *text;
	json_t *doc;
	int ret;

	if (mkdir(STATE_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	ret = state_path(lab->id, path, sizeof(path));
	if (ret)
		return ret;
	doc = state_describe(lab);
	/* One string, one write: json_dumpfd() issues one write(2) per token. */
	text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	if (!text)
		return -ENOMEM;
	ret = atomic_write_file(path, text, strlen(text), false, "write:state");
	free(text);
	return ret;
}

int state_remove(const char *id)
{
	char path[256];
	int ret = state_path(id, path, sizeof(path));

	if (ret)
		return ret;
	return unlink(path) < 0 ? -errno : 0;
}

bool state_owner_alive(const json_t *doc)
{
	json_int_t pid = json_integer_value(json_object_get(doc, "owner_pid"));
	json_int_t start = json_integer_value(json_object_get(doc, "owner_start"));

	if (pid <= 0)
		return false;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return false;
	return proc_start_time((pid_t)pid) == (unsigned long long)start;
}

static void copy_str(char *dst, size_t len, json_t *v)
{
	snprintf(dst, len, "%s", json_is_string(v) ? json_string_value(v) : "");
}

int state_load(const char *id, struct lab *lab, json_t **out)
{
	char path[256];
	json_error_t jerr;
	json_t *doc, *tasks, *t, *plan, *mtu;
	size_t i;
	int ret;

	ret = state_path(id, path, sizeof(path));
	if (ret)
		return ret;
	doc = json_load_file(path, 0, &jerr);
	if (!doc)
		return access(path, F_OK) ? -ENOENT : -EBADMSG;
	memset(lab, 0, sizeof(*lab));
	lab->fail_after = -1;
	snprintf(lab->id, sizeof(lab->id), "%s", id);
	copy_str(lab->ns_vpc, sizeof(lab->ns_vpc),
		 json_object_get(json_object_get(doc, "namespaces"), "vpc"));
	copy_str(lab->ns_inst, sizeof(lab->ns_inst),
		 json_object_get(json_object_get(doc, "namespaces"), "inst"));
	/* A file without names still tells us the lab's id: use the naming rule. */
	if (!lab->ns_vpc[0])
		snprintf(lab->ns_vpc, sizeof(lab->ns_vpc), "nsb-%s-vpc", id);
	if (!lab->ns_inst[0])
		snprintf(lab->ns_inst, sizeof(lab->ns_inst), "nsb-%s-inst", id);
	plan = json_object_get(doc, "address_plan");
	copy_str(lab->vpc_addr, sizeof(lab->vpc_addr), json_object_get(plan, "vpc_address"));
	copy_str(lab->inst_addr, sizeof(lab->inst_addr), json_object_get(plan, "instance_address"));
	copy_str(lab->bridge_addr, sizeof(lab->bridge_addr),
		 json_object_get(plan, "bridge_address"));
	ip4_net_parse(json_string_value(json_object_get(plan, "vpc_subnet")), &lab->cfg.vpc_net);
	ip4_net_parse(json_string_value(json_object_get(plan, "bridge_subnet")),
		      &lab->cfg.bridge_net);
	lab->cfg.dual_stack = json_is_true(json_object_get(doc, "dual_stack"));
	if (lab->cfg.dual_stack) {
		json_t *v6 = json_object_get(plan, "ipv6");

		copy_str(lab->vpc_addr6, sizeof(lab->vpc_addr6),
			 json_object_get(v6, "vpc_address"));
		copy_str(lab->inst_addr6, sizeof(lab->inst_addr6),
			 json_object_get(v6, "instance_address"));
		ip6_net_parse(json_string_value(json_object_get(v6, "vpc_subnet")),
			      &lab->cfg.vpc_net6);
	}
	/* A state file that does not say (an older nsbench's) is answered by the lab itself. */
	if (json_is_integer(json_object_get(plan, "bridge_nf_call_iptables")))
		lab->br_nf =
			(int)json_integer_value(json_object_get(plan, "bridge_nf_call_iptables"));
	else
		lab->br_nf = instance_read_br_nf(lab->ns_inst);
	/* An older nsbench's lab (no profile recorded) was bare. */
	if (lab_instance_parse(
		    json_string_value(json_object_get(json_object_get(doc, "instance"), "profile")),
		    &lab->cfg.instance))
		lab->cfg.instance = INSTANCE_BARE;
	lab->cfg.userland_proxy =
		json_is_true(json_object_get(json_object_get(doc, "instance"), "userland_proxy"));
	lab->cfg.security_group = json_is_true(json_object_get(doc, "security_group"));
	/* The VPC's settings: the typed path follows them (an older lab: 1500, veth). */
	mtu = json_object_get(doc, "mtu");
	lab->cfg.vpc_mtu = (unsigned int)json_integer_value(json_object_get(mtu, "vpc"));
	lab->cfg.bridge_mtu = (unsigned int)json_integer_value(json_object_get(mtu, "bridge"));
	if (lab_wire_parse(json_string_value(json_object_get(doc, "wire")), &lab->cfg.wire))
		lab->cfg.wire = LAB_WIRE_VETH;
	lab->cfg.trunking = json_is_true(json_object_get(doc, "trunking"));
	tasks = json_object_get(doc, "tasks");
	json_array_foreach(tasks, i, t) {
		struct lab_task *lt;
		enum lab_mode m;

		if (lab->ntasks >= LAB_MAX_TASKS)
			break;
		lt = &lab->tasks[lab->ntasks++];
		lt->id = (unsigned int)(i + 1);
		if (lab_mode_parse(json_string_value(json_object_get(t, "mode")), &m) == 0)
			lt->mode = m;
		lt->own_ns = json_is_true(json_object_get(t, "own_namespace"));
		copy_str(lt->ns, sizeof(lt->ns), json_object_get(t, "namespace"));
		copy_str(lt->addr, sizeof(lt->addr), json_object_get(t, "address"));
		copy_str(lt->ep_addr, sizeof(lt->ep_addr), json_object_get(t, "endpoint_address"));
		copy_str(lt->addr6, sizeof(lt->addr6), json_object_get(t, "address6"));
		copy_str(lt->client_ns, sizeof(lt->client_ns),
			 json_object_get(t, "client_namespace"));
		lt->container_port =
			(uint16_t)json_integer_value(json_object_get(t, "container_port"));
		lt->host_port = (uint16_t)json_integer_value(json_object_get(t, "host_port"));
		lt->ep_port = (uint16_t)json_integer_value(json_object_get(t, "endpoint_port"));
		lt->proxy_pid[0] = (int)json_integer_value(
			json_object_get(json_object_get(t, "docker_proxy_pids"), "tcp"));
		lt->proxy_pid[1] = (int)json_integer_value(
			json_object_get(json_object_get(t, "docker_proxy_pids"), "udp"));
		lt->proxy_pid[2] = (int)json_integer_value(
			json_object_get(json_object_get(t, "docker_proxy_pids"), "tcp6"));
		lt->proxy_pid[3] = (int)json_integer_value(
			json_object_get(json_object_get(t, "docker_proxy_pids"), "udp6"));
		/* A state file written before "protocols" published both. */
		lt->protos = json_object_get(t, "protocols") ? 0 : LAB_PROTO_TCP | LAB_PROTO_UDP;
		{
			size_t k;
			json_t *p;

			json_array_foreach(json_object_get(t, "protocols"), k, p)
				lt->protos |=
					!strcmp(json_string_value(p) ? json_string_value(p) : "",
						"udp")
						? LAB_PROTO_UDP
						: LAB_PROTO_TCP;
		}
	}
	lab->state_written = true;
	if (out)
		*out = doc;
	else
		json_decref(doc);
	return 0;
}

int state_list(char (*ids)[LAB_ID_LEN + 1], size_t max, size_t *count)
{
	struct dirent *de;
	DIR *d;

	*count = 0;
	d = opendir(STATE_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len != LAB_ID_LEN + 5 || strcmp(de->d_name + LAB_ID_LEN, ".json"))
			continue;
		if (*count < max)
			snprintf(ids[*count], LAB_ID_LEN + 1, "%.*s", LAB_ID_LEN, de->d_name);
		(*count)++;
	}
	closedir(d);
	return 0;
}

size_t state_others_live(struct state_other *others, size_t n, size_t max)
{
	char ids[STATE_MAX_LABS][LAB_ID_LEN + 1], path[256];
	size_t count = 0;

	if (state_list(ids, STATE_MAX_LABS, &count))
		return n;
	for (size_t i = 0; i < count && i < STATE_MAX_LABS && n < max; i++) {
		json_t *doc;
		bool seen = false;

		for (size_t k = 0; k < n; k++)
			seen |= !strcmp(others[k].lab, ids[i]);
		if (seen || state_path(ids[i], path, sizeof(path)))
			continue;
		doc = json_load_file(path, 0, NULL);
		if (doc && state_owner_alive(doc) &&
		    json_integer_value(json_object_get(doc, "owner_pid")) != getpid()) {
			snprintf(others[n].lab, sizeof(others[n].lab), "%.*s", LAB_ID_LEN, ids[i]);
			others[n].owner_pid = json_integer_value(json_object_get(doc, "owner_pid"));
			copy_str(others[n].kind, sizeof(others[n].kind),
				 json_object_get(doc, "kind"));
			n++;
		}
		json_decref(doc);
	}
	return n;
}
