// SPDX-License-Identifier: MIT
/* nsbench topo up|show|down: a lab to poke at by hand, or for scripts (--json). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cli/cli.h"
#include "harness/cli/log.h"
#include "harness/common/parse.h"
#include "harness/lab/build.h"
#include "harness/lab/clean.h"
#include "harness/lab/lab.h"
#include "harness/lab/mode.h"
#include "harness/lab/state.h"
#include "netns/rt.h"

static const char topo_usage[] =
	"Usage: nsbench topo up MODE [--tasks N] [--port P[,P...]] [--max-enis N]\n"
	"                            [--macvlan-mode M] [--vpc-subnet CIDR]\n"
	"                            [--bridge-subnet CIDR] [--security-group] [--json] [--hold]\n"
	"                            [--vpc-mtu N] [--bridge-mtu N] [--wire nic|veth] "
	"[--trunking]\n"
	"                            [--instance P] [--userland-proxy on|off] [--ip 4|6|4,6]\n"
	"       nsbench topo show [LAB...] [--json]\n"
	"       nsbench topo down [--links|--netns] [LAB...]\n"
	"MODE: {modes} (bridge: a static hostPort)\n"
	"--port gives the tasks' containerPort (default 5201); a list gives one per task.\n"
	"A bridge task publishes it over tcp (ECS's default protocol); P/udp over udp,\n"
	"P/tcp+udp over both (two port mappings: what measure --lab needs for UDP tests).\n"
	"--max-enis N models the instance's ENI limit (the primary counts: N-1 awsvpc tasks).\n"
	"--hold keeps the lab until SIGINT/SIGTERM, then removes it.\n"
	"--security-group: awsvpc tasks accept new inbound connections on their port only\n"
	"(nftables on the netdev ingress hook of the task's ENI link eni-tN in the\n"
	"instance, where its frames pass).\n" CLI_VPC_USAGE CLI_INSTANCE_USAGE
	"--ip 4,6 (or 6) builds a dual-stack VPC (2001:2::/64), for measure --lab --ip 6.\n"
	"Without LAB, down removes every lab that topo up left. By default the lab's\n"
	"links go in one kernel batch; --links deletes them one by one and --netns\n"
	"leaves them to namespace deletion (both slower; for comparison).\n";

static void print_lab_text(json_t *doc, FILE *f)
{
	json_t *ns = json_object_get(doc, "namespaces"), *v, *tasks;
	size_t i;

	tasks = json_object_get(doc, "tasks");
	fprintf(f, "lab %s (%zu task%s)\n", json_string_value(json_object_get(doc, "lab")),
		json_array_size(tasks), json_array_size(tasks) == 1 ? "" : "s");
	fprintf(f, "namespaces:\n  vpc   %s\n  inst  %s\n",
		json_string_value(json_object_get(ns, "vpc")),
		json_string_value(json_object_get(ns, "inst")));
	json_array_foreach(json_object_get(ns, "tasks"), i, v)
		fprintf(f, "  task  %s\n", json_string_value(v));
	v = json_object_get(doc, "instance");
	if (v) {
		json_t *nf = json_object_get(json_object_get(v, "bridge_nf_call"), "iptables");
		const char *ipt = json_string_value(json_object_get(v, "iptables"));

		fprintf(f, "instance: %s%s%s%s, userland proxy %s, bridge-nf-call-iptables %s\n",
			json_string_value(json_object_get(v, "profile")), ipt ? " (iptables-" : "",
			ipt ? ipt : "", ipt ? ")" : "",
			json_is_true(json_object_get(v, "userland_proxy")) ? "on" : "off",
			json_is_integer(nf) ? (json_integer_value(nf) ? "1" : "0")
					    : "absent (br_netfilter not loaded)");
	}
	fprintf(f, "interfaces:\n");
	json_array_foreach(json_object_get(doc, "interfaces"), i, v) {
		const char *addr = json_string_value(json_object_get(v, "address"));

		/* Names up to IFNAMSIZ - 1 (sw-eni-t1, ecs-bridge), kinds up to "macvlan". */
		const char *addr6 = json_string_value(json_object_get(v, "address6"));

		fprintf(f, "  %-5s %-18s %-15s %-8s %s%s%s\n",
			json_string_value(json_object_get(v, "role")),
			json_string_value(json_object_get(v, "namespace")),
			json_string_value(json_object_get(v, "name")),
			json_string_value(json_object_get(v, "kind")), addr ? addr : "-",
			addr6 ? " " : "", addr6 ? addr6 : "");
	}
	fprintf(f, "tasks:\n");
	json_array_foreach(tasks, i, v) {
		json_int_t hp = json_integer_value(json_object_get(v, "host_port"));
		char hp_s[8] = "-";

		if (hp)
			snprintf(hp_s, sizeof(hp_s), "%lld", (long long)hp);
		fprintf(f, "  %-4s %-14s ns %-18s addr %-12s containerPort %-5lld hostPort %-5s",
			json_string_value(json_object_get(v, "name")),
			json_string_value(json_object_get(v, "mode")),
			json_string_value(json_object_get(v, "namespace")),
			json_string_value(json_object_get(v, "address")),
			(long long)json_integer_value(json_object_get(v, "container_port")), hp_s);
		fprintf(f, " -> client in %s connects to %s%s",
			json_string_value(json_object_get(v, "client_namespace")),
			json_string_value(json_object_get(v, "endpoint")),
			json_is_true(json_object_get(v, "reachable_from_vpc"))
				? ""
				: " (not reachable from the VPC)");
		if (json_object_get(v, "address6"))
			fprintf(f, ", or [%s]:%lld over IPv6",
				json_string_value(json_object_get(v, "address6")),
				(long long)json_integer_value(json_object_get(v, "endpoint_port")));
		if (json_object_get(v, "docker_proxy_pids")) {
			json_t *pp = json_object_get(v, "docker_proxy_pids");
			const char *key;
			json_t *pid;
			bool first = true;

			/* Those it has: tcp and udp on 0.0.0.0, tcp6 and udp6 on "::". */
			json_object_foreach(pp, key, pid)
				if (json_integer_value(pid)) {
					fprintf(f, "%s %s %lld",
						first ? "; docker-proxy pids" : ",", key,
						(long long)json_integer_value(pid));
					first = false;
				}
		}
		fprintf(f, "\n");
	}
}

struct port_list {
	uint16_t *ports;
	unsigned int *protos;
	unsigned int max, n;
};

/* P, P/tcp, P/udp or P/tcp+udp: a port mapping's protocol (tcp unless it says). */
static int port_item(const char *tok, void *arg)
{
	struct port_list *l = arg;
	const char *slash = strchr(tok, '/');
	char num[16];

	if (l->n >= l->max || (slash ? (size_t)(slash - tok) : strlen(tok)) >= sizeof(num))
		return -EINVAL;
	snprintf(num, sizeof(num), "%.*s", (int)(slash ? slash - tok : (long)strlen(tok)), tok);
	if (parse_port(num, &l->ports[l->n]))
		return -EINVAL;
	if (!slash || !strcmp(slash, "/tcp"))
		l->protos[l->n] = LAB_PROTO_TCP;
	else if (!strcmp(slash, "/udp"))
		l->protos[l->n] = LAB_PROTO_UDP;
	else if (!strcmp(slash, "/tcp+udp") || !strcmp(slash, "/udp+tcp"))
		l->protos[l->n] = LAB_PROTO_TCP | LAB_PROTO_UDP;
	else
		return -EINVAL;
	l->n++;
	return 0;
}

static int parse_ports(const char *text, uint16_t *ports, unsigned int *protos, unsigned int max,
		       unsigned int *n)
{
	struct port_list l = {ports, protos, max, 0};
	int ret = parse_csv(text, port_item, &l);

	*n = l.n;
	return ret;
}

/* What would let ECS place the tasks that topo up asked for, or "". */
static void refusal_fix(enum lab_mode mode, const struct lab_config *cfg, unsigned int tasks,
			unsigned int nports, uint16_t port, char *buf, size_t len)
{
	size_t off;
	bool bridged = mode_bridged(mode), fixed = mode_static_port(mode);

	buf[0] = '\0';
	/* Static bridge tasks on one port conflict before the subnet fills. */
	if (bridged && (!fixed || nports > 1) && tasks + 1 > ip4_net_hosts(&cfg->bridge_net)) {
		snprintf(buf, len, "; a larger --bridge-subnet (a /%u holds %u tasks)",
			 cfg->bridge_net.plen, ip4_net_hosts(&cfg->bridge_net) - 1);
	} else if (mode_own_eni(mode) && cfg->max_enis && tasks > cfg->max_enis - 1) {
		snprintf(buf, len, "; fewer tasks (--tasks %u) or more ENIs (--max-enis %u)",
			 cfg->max_enis - 1, tasks + 1);
	} else if (fixed && nports == 1 && tasks > 1 && port + tasks - 1 <= 65535) {
		off = (size_t)snprintf(buf, len, "; give each task its port: --port %u", port);
		for (unsigned int i = 1; i < tasks && i < 4 && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, ",%u", port + i);
		if (tasks > 4 && off < len)
			snprintf(buf + off, len - off, ",...,%u", port + tasks - 1);
		if (bridged && off < len)
			snprintf(buf + strlen(buf), len - strlen(buf),
				 " (or bridge-dynamic: hostPorts from the ephemeral range)");
	}
}

/* Builds LAB (planned), says what it is, and keeps it: in a state file, or until a signal (HOLD).
 */
static int bring_up(struct lab *lab, const char *mode_arg, bool json, bool hold)
{
	json_t *doc;
	int ret;

	cli_install_signals();
	ret = lab_up(lab);
	if (ret) {
		log_err("lab %s (%s): %s", lab->id, mode_arg, lab->err);
		lab_free(lab);
		return ret == -EINTR ? cli_signal_exit() : 1;
	}
	if (!hold) {
		/* Left up on purpose once whole: clean and doctor tell it from a crash's remains.
		 */
		lab->kept = true;
		ret = state_write(lab);
		if (ret)
			log_warn("lab %s: state file: %s", lab->id, strerror(-ret));
	}
	doc = state_describe(lab);
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		print_lab_text(doc, stdout);
		if (!hold)
			printf("remove with: nsbench topo down %s\n", lab->id);
	}
	json_decref(doc);
	fflush(stdout);
	if (hold) {
		while (!lab_stop)
			pause();
		ret = lab_down(lab, LAB_TEARDOWN_GROUP);
		lab_free(lab);
		if (ret) {
			log_err("lab %s: teardown: %s", lab->id, strerror(-ret));
			return 1;
		}
		return 0;
	}
	lab_free(lab);
	return 0;
}

static int topo_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{"tasks", required_argument, NULL, 't'},
		{"port", required_argument, NULL, 'p'},
		{"max-enis", required_argument, NULL, 'e'},
		{"macvlan-mode", required_argument, NULL, 'm'},
		{"vpc-subnet", required_argument, NULL, 'V'},
		{"bridge-subnet", required_argument, NULL, 'B'},
		{"json", no_argument, NULL, 'j'},
		{"hold", no_argument, NULL, 'H'},
		CLI_LAB_OPTIONS,
		CLI_HELP_OPTION,
		{0},
	};
	uint16_t ports[LAB_MAX_TASKS] = {LAB_DEFAULT_PORT};
	unsigned int protos[LAB_MAX_TASKS] = {LAB_PROTO_TCP};
	unsigned int nports = 1;
	unsigned long tasks = 1, enis = 0;
	struct lab_options lo;
	struct lab_config cfg;
	bool json = false, hold = false;
	enum lab_mode mode;
	struct lab lab;
	int c, ret;

	lab_config_default(&cfg);
	lab_options_default(&lo);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_uint(optarg, 1, LAB_MAX_TASKS, &tasks))
				return cli_usage_error(topo_usage,
						       "--tasks '%s': a number from 1 to %d",
						       optarg, LAB_MAX_TASKS);
			break;
		case 'p':
			if (parse_ports(optarg, ports, protos, LAB_MAX_TASKS, &nports))
				return cli_usage_error(topo_usage,
						       "--port '%s': ports from 1 to 65535, "
						       "comma-separated, each with /tcp, /udp or "
						       "/tcp+udp",
						       optarg);
			break;
		case 'e':
			if (parse_uint(optarg, 1, 1000, &enis))
				return cli_usage_error(topo_usage,
						       "--max-enis '%s': a number from 1 to 1000",
						       optarg);
			cfg.max_enis = (unsigned int)enis;
			break;
		case 'm':
			if (!rt_macvlan_mode_known(optarg))
				return cli_usage_error(topo_usage, "--macvlan-mode '%s': one of %s",
						       optarg, rt_macvlan_mode_list());
			snprintf(cfg.macvlan_mode, sizeof(cfg.macvlan_mode), "%s", optarg);
			break;
		case 'V':
		case 'B':
			if (ip4_net_parse(optarg, c == 'V' ? &cfg.vpc_net : &cfg.bridge_net))
				return cli_usage_error(
					topo_usage,
					"%s '%s': an IPv4 prefix such as "
					"198.18.0.0/24 (/8 to /29)",
					c == 'V' ? "--vpc-subnet" : "--bridge-subnet", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'H':
			hold = true;
			break;
		default:
			if (lab_option_is(c)) {
				if (cli_lab_option(topo_usage, c, optarg, &lo))
					return EXIT_USAGE;
				break;
			}
			return cli_option_end(c, "topo up", topo_usage, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(topo_usage, "topo up: which mode?");
	if (optind + 1 < argc)
		return cli_usage_error(topo_usage, "topo up: unexpected argument '%s'",
				       argv[optind + 1]);
	if (cli_mode_arg(topo_usage, argv[optind], &mode))
		return EXIT_USAGE;
	if (nports > tasks)
		return cli_usage_error(topo_usage,
				       "--port gives %u ports for %lu task%s: one per task (add "
				       "--tasks %u)",
				       nports, tasks, tasks == 1 ? "" : "s", nports);
	if (cfg.vpc_net.base == cfg.bridge_net.base)
		return cli_usage_error(topo_usage, "the VPC and bridge subnets must differ");
	if (cli_lab_check(topo_usage, &lo, &mode, 1, false))
		return EXIT_USAGE;
	lab_options_config(&lo, &cfg);

	ret = lab_init(&lab, &cfg, "topo");
	if (ret)
		return cli_usage_error(topo_usage, "the address plan leaves no room for the lab");
	for (unsigned long i = 0; i < tasks; i++) {
		uint16_t port = ports[i < nports ? i : nports - 1];

		ret = lab_plan_task(&lab, mode, port);
		if (!ret)
			lab.tasks[lab.ntasks - 1].protos = protos[i < nports ? i : nports - 1];
		if (ret) {
			char fix[160];

			/* ECS's refusal stands alone, with the way out when there is one. */
			refusal_fix(mode, &cfg, (unsigned int)tasks, nports, ports[0], fix,
				    sizeof(fix));
			return cli_usage_error(NULL, "%s%s", lab.err, fix);
		}
	}
	if (cli_need_privileges())
		return 1;

	return bring_up(&lab, argv[optind], json, hold);
}

static int topo_show(int argc, char **argv)
{
	char ids[STATE_MAX_LABS][LAB_ID_LEN + 1];
	bool json = false;
	const char *want = NULL;
	json_t *all;
	size_t n = 0;
	int rc = 0;

	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		CLI_HELP_OPTION,
		{0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else
			return cli_option_end(c, "topo show", topo_usage, argv);
	}
	/* Every LAB named, in the order given; without one, every lab. */
	if (optind >= argc) {
		state_list(ids, STATE_MAX_LABS, &n);
		if (n > STATE_MAX_LABS)
			n = STATE_MAX_LABS;
	}
	all = json_array();
	for (size_t i = 0; i < (optind < argc ? (size_t)(argc - optind) : n); i++) {
		const char *id = optind < argc ? argv[optind + (int)i] : ids[i];
		struct lab lab;
		json_t *doc;

		if (state_load(id, &lab, &doc)) {
			if (optind < argc) {
				log_err("lab %s: no such lab (nsbench topo show lists them)", id);
				rc = 1;
			}
			continue;
		}
		json_object_set_new(doc, "owner_running", json_boolean(state_owner_alive(doc)));
		json_array_append_new(all, doc);
	}
	want = argc - optind == 1 ? argv[optind] : NULL;
	if (rc && json_array_size(all) == 0) {
		/* None of the labs asked for is there: nothing to show. */
	} else if (json) {
		json_dumpf(want ? json_array_get(all, 0) : all, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else if (json_array_size(all) == 0) {
		printf("no labs\n");
	} else {
		size_t i;
		json_t *doc;

		json_array_foreach(all, i, doc) {
			const char *id = json_string_value(json_object_get(doc, "lab"));
			long long pid = json_integer_value(json_object_get(doc, "owner_pid"));

			print_lab_text(doc, stdout);
			if (json_is_true(json_object_get(doc, "owner_running")))
				printf("owner: running (pid %lld)\n\n", pid);
			else if (json_is_true(json_object_get(doc, "kept")))
				printf("owner: kept by topo up (nsbench topo down %s removes "
				       "it)\n\n",
				       id);
			else
				printf("owner: gone (pid %lld): what a killed or crashed run left; "
				       "nsbench clean removes it\n\n",
				       pid);
		}
	}
	json_decref(all);
	return rc;
}

static int topo_down(int argc, char **argv)
{
	struct clean_report r;
	int rc = 0, ret;

	static const struct option opts[] = {
		{"links", no_argument, NULL, 'l'},
		{"netns", no_argument, NULL, 'n'},
		CLI_HELP_OPTION,
		{0},
	};
	enum lab_teardown how = LAB_TEARDOWN_GROUP;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		enum lab_teardown want = c == 'l' ? LAB_TEARDOWN_LINKS : LAB_TEARDOWN_NETNS;

		if (c != 'l' && c != 'n')
			return cli_option_end(c, "topo down", topo_usage, argv);
		if (how != LAB_TEARDOWN_GROUP && how != want)
			return cli_usage_error(topo_usage,
					       "topo down: --links or --netns, not both");
		how = want;
	}
	if (how != LAB_TEARDOWN_GROUP && optind == argc)
		return cli_usage_error(topo_usage,
				       "topo down: --links and --netns apply to the labs named; "
				       "without LAB every lab goes the default way");
	if (cli_need_privileges())
		return 1;
	if (optind == argc) {
		ret = clean_all("topo", &r);
		if (ret) {
			log_err("topo down: %s", strerror(-ret));
			return 1;
		}
		printf("%zu lab%s removed\n", r.labs_removed, r.labs_removed == 1 ? "" : "s");
		return r.errors ? 1 : 0;
	}
	for (int i = optind; i < argc; i++) {
		ret = clean_lab(argv[i], false, how);
		if (ret == -ENOENT) {
			log_err("lab %s: no such lab (nsbench topo show lists them)", argv[i]);
			rc = 1;
		} else if (ret == -EBUSY) {
			log_err("lab %s: its owner is still running; end it (it removes its lab)",
				argv[i]);
			rc = 1;
		} else if (ret) {
			log_err("lab %s: %s", argv[i], strerror(-ret));
			rc = 1;
		} else {
			printf("lab %s removed\n", argv[i]);
		}
	}
	return rc;
}

int topo_main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(topo_usage, "topo: up, show or down?");
	if (!strcmp(argv[1], "up"))
		return topo_up(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return topo_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "down"))
		return topo_down(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_show_usage(stdout, topo_usage);
		return 0;
	}
	return cli_usage_error(topo_usage, "topo: unknown action '%s'", argv[1]);
}
