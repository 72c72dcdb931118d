// SPDX-License-Identifier: MIT
/*
 * The nsbench binary as users and scripts meet it: exit status 2 and nothing
 * created on bad input, the privilege message, the --json contract, and
 * nothing left after topo down, SIGINT, SIGTERM, or SIGKILL plus clean.
 */
#include "testlib.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>

#include "harness/lab/clean.h"
#include "harness/reports/results.h"
#include "netns/netns.h"
#include "netns/probe.h"

/* A shell command line: its exit status, stdout and stderr. */
static int run_sh(const char *line, char **out, char **err)
{
	char cmd[1200], errfile[] = "/tmp/nsbench-test-XXXXXX";
	int status, fd;

	fd = mkstemp(errfile);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s 2>%s", line, errfile);
	*out = tl_capture(cmd, &status);
	snprintf(cmd, sizeof(cmd), "cat %s; rm -f %s", errfile, errfile);
	*err = tl_capture(cmd, NULL);
	return status;
}

/* nsbench ARGS: its exit status, stdout and stderr. */
static int run(const char *args, char **out, char **err)
{
	char line[1024];

	snprintf(line, sizeof(line), NSB " %s", args);
	return run_sh(line, out, err);
}

/* run() with the command's pid in *PID (the shell execs nsbench: one pid). */
static int run_pid(const char *args, long long *pid, char **out, char **err)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "sh -c 'echo $$ >&2; exec " NSB " %s'", args);
	st = run_sh(cmd, out, err);
	*pid = atoll(*err);
	memmove(*err, strchr(*err, '\n') + 1, strlen(strchr(*err, '\n') + 1) + 1);
	return st;
}

/* A state file under /run/nsbench names PID as its owner. */
static bool owns_a_lab(long long pid)
{
	char ids[STATE_MAX_LABS][LAB_ID_LEN + 1], path[64];
	size_t n = 0;
	bool found = false;

	state_list(ids, STATE_MAX_LABS, &n);
	for (size_t i = 0; i < n && i < STATE_MAX_LABS; i++) {
		json_t *doc;

		snprintf(path, sizeof(path), "%s/%.*s.json", STATE_DIR, LAB_ID_LEN, ids[i]);
		doc = json_load_file(path, 0, NULL);
		found |= json_integer_value(json_object_get(doc, "owner_pid")) == pid;
		json_decref(doc);
	}
	return found;
}

static void test_bad_input(void **state)
{
	static const char *const bad[] = {
		"topo up nosuchmode",
		"topo up bridge --tasks 0",
		"topo up bridge --tasks 241",
		"topo up bridge --tasks x",
		"topo up bridge --port 70000",
		"topo up bridge --port 0",
		"topo up bridge --port 80,,81",
		"topo up awsvpc --vpc-subnet 198.18.0.0",
		"topo up awsvpc --vpc-subnet 300.18.0.0/24",
		"topo up awsvpc --vpc-subnet 198.18.0.0/31",
		"topo up awsvpc --macvlan-mode sideways",
		"topo up host --security-group",
		"topo up bridge --security-group",
		"measure host tcp_rr --security-group",
		"run --modes host,bridge --security-group",
		"explain bridge --security-group",
		"topo up",
		"topo up bridge extra",
		"topo up bridge --frobnicate",
		"topo up bridge --port 80,81",
		"topo up awsvpc --tasks 2 --port 80,81,82",
		"topo down --links --netns nosuchlab",
		"topo down --netns",
		"topo sideways",
		"nosuchcommand",
		"clean extra",
		"doctor extra",
		"help nosuchcommand",
		"measure bridge",
		"measure bridge tcp_rrr",
		"measure sideways tcp_rr",
		"measure bridge tcp_rr --duration 0",
		"measure bridge tcp_rr --duration -1",
		"measure bridge tcp_rr --duration abc",
		"measure bridge tcp_stream --duration 1.5",
		"measure bridge tcp_rr --req 0",
		"measure bridge tcp_rr --resp 70000",
		"measure bridge udp_rr --req 4",
		"measure bridge udp --rate 10",
		"measure bridge udp --rate fast",
		"measure bridge tcp_stream --streams 0",
		"measure bridge tcp_stream --window 512",
		"measure bridge tcp_stream --window 2X",
		"measure host udp_rr --window 2M",
		"measure bridge udp_rr --req 70000",
		"measure bridge tcp_rr --req 65M",
		"measure bridge tcp_rr --timeout-ms 0",
		"measure bridge tcp_rr --cpu both",
		"measure bridge tcp_rr --cpus 0,4095",
		"measure host tcp_rr --cpu same --cpus 0,1",
		"measure host tcp_rr --cpu split --cpus 1,1",
		"measure host tcp_rr --cpu free --cpus 1,1",
		"measure host tcp_rr --cpus 1,1 --cpu free",
		"measure bridge tcp_rr --path sideways",
		"measure none tcp_rr --path ingress",
		"measure host tcp_rr --path intra-host",
		"measure host tcp_rr --omit 0",
		"measure host tcp_rr --rate 1G",
		"measure host tcp_stream --rate 1G",
		"measure host tcp_stream --warmup 1",
		"measure host udp --req 100",
		"measure host tcp_crr --streams 2",
		"measure host tcp_rr --lab abcdef --vpc-mtu 9001",
		"measure host tcp_rr --lab abcdef --bridge-mtu 9001",
		"measure host tcp_rr --lab abcdef --wire veth",
		"measure host tcp_rr --lab abcdef --trunking",
		"topo up awsvpc --vpc-mtu 67",
		"topo up awsvpc --vpc-mtu 65536",
		"topo up bridge --vpc-mtu 1400",
		"topo up bridge --vpc-mtu 9001 --bridge-mtu 9002",
		"run --modes bridge --bridge-mtu 9001 --vpc-mtu 1500",
		"measure awsvpc tcp_rr --wire fiber",
		"explain awsvpc --wire",
		"measure awsvpc tcp_rr --lab abcdef --security-group",
		"measure host tcp_rr --lab abcdef --hot-path",
		"measure bridge tcp_rr --hot-path",
		"measure host tcp_stream --histogram",
		"measure host tcp_crr --interval 0",
		"measure host udp_rr --hot-path --samples x.txt",
		"run --reps 0",
		"run --reps x",
		"explain host --rounds 3 --instance bare",
		"explain none --duration 2",
		"explain bridge --path egress --rr-duration 1",
		"explain bridge --no-ladder --rounds 3",
		"run --modes sideways",
		"run --modes bridge,bridge",
		"run --paths loopback",
		"run --tests tcp_stream,",
		"run --quick --full",
		"run --duration 0",
		"run --rate slow",
		"run --tests tcp_rr --rate 1G",
		"run --streams 4",
		"run --tests tcp_rr,tcp_crr --window 1M",
		"run --window 0",
		"run --window 2G",
		"run extra",
		"claims --only \"\"",
		"claims --only ,",
		"claims --only ,,",
		"compare",
		"compare only-one.json",
		"compare a.json b.json --format yaml",
		"compare a.json b.json --fail-above x",
		"compare a.json b.json --format",
		"report a.json -o",
		"report a.json --output",
		"measure host tcp_rr --duration",
		"topo up bridge --tasks",
		"claims --only",
		"run --modes",
		"explain host --path",
		"measure host tcp_rr --ip 5",
		"measure host tcp_rr --ip 4,4",
		"measure host tcp_rr --ip ''",
		"measure host tcp_rr --ip",
		"measure host udp_rr --ip 6 --per-hop",
		"run --ip 4,6,4",
		"topo up host --ip x",
	};
	/* Labs ECS would refuse: the reason stands alone, without the usage text. */
	static const char *const refused[] = {
		"topo up awsvpc --tasks 3 --max-enis 3",
		"topo up bridge --tasks 2",
		"topo up host --tasks 2 --port 80",
		"topo up bridge --tasks 7 --bridge-subnet 198.19.0.0/29",
		"topo up bridge --tasks 7 --port 80,81,82,83,84,85,86 --bridge-subnet "
		"198.19.0.0/29",
		"run --quick --modes awsvpc --tasks 4 --max-enis 3 --tests tcp_rr",
		/*
		 * IPv6 where a mode has none: a bridge task's own address (its hostPort
		 * answers through docker-proxy, which must be on), none's loopback.
		 */
		"measure bridge tcp_rr --ip 6 --path egress",
		"measure bridge-dynamic tcp_rr --ip 4,6 --path agent",
		"measure bridge tcp_rr --ip 6 --userland-proxy off",
		"run --quick --modes host,bridge --ip 6 --userland-proxy off",
		"measure none tcp_rr --ip 6",
		"measure host tcp_rr --ip 6 --path agent",
		"measure host tcp_rr --ip 6 --path loopback",
		"run --quick --ip 4,6",
		"topo up none --ip 4,6",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) + sizeof(refused) / sizeof(refused[0]);
	     i++) {
		bool usage = i < sizeof(bad) / sizeof(bad[0]);
		const char *args = usage ? bad[i] : refused[i - sizeof(bad) / sizeof(bad[0])];
		char *out, *err;
		long long pid;
		int st;

		/* Its pid first: a lab it made would carry it, whoever else runs labs now. */
		st = run_pid(args, &pid, &out, &err);
		if (st != 2)
			print_error("'%s' exited %d: %s\n", args, st, err);
		assert_int_equal(st, 2);
		/*
		 * One line of reason, then one saying where the command's options are
		 * (the commands' list for an unknown command); not after a refusal, whose
		 * reason stands alone. Never the whole help after an error (issue 29).
		 */
		assert_true(strncmp(err, "nsbench: error: ", 16) == 0);
		{
			const char *try = strstr(err, "\nTry 'nsbench ");
			bool pointer = try || strstr(err, "Usage: nsbench [-v|-q]");

			if (usage != pointer)
				print_error("'%s': %s\n", args, err);
			assert_int_equal(usage, pointer);
			if (try) {
				assert_non_null(strstr(try, " --help' for its options.\n"));
				assert_null(strchr(try + 1, '\n') + 1 < err + strlen(err)
						    ? strchr(try + 1, '\n') + 1
						    : NULL);
				assert_null(strstr(err, "Usage:"));
			}
		}
		assert_false(owns_a_lab(pid));
		free(out);
		free(err);
	}
}

/* Every command's --help, and `help CMD` giving the same: its usage, exit 0. */
static void test_help(void **state)
{
	static const char *const cmds[] = {"run",     "compare", "report", "claims", "topo",
					   "explain", "measure", "clean",  "doctor"};

	(void)state;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char args[64], want[64], *out, *err, *out2, *err2;

		snprintf(args, sizeof(args), "%s --help", cmds[i]);
		snprintf(want, sizeof(want), "Usage: nsbench %s", cmds[i]);
		if (run(args, &out, &err) != 0 || strncmp(out, want, strlen(want)))
			print_error("'%s': %s%s\n", args, out, err);
		assert_int_equal(run(args, &out2, &err2), 0);
		assert_true(strncmp(out, want, strlen(want)) == 0);
		free(out2);
		free(err2);
		snprintf(args, sizeof(args), "help %s", cmds[i]);
		assert_int_equal(run(args, &out2, &err2), 0);
		assert_string_equal(out2, out);
		free(out);
		free(err);
		free(out2);
		free(err2);
	}
}

static void down(const char *id);

/* measure --hot-path: text unless --json (it printed JSON always), and only for udp_rr. */
static void test_measure_hot_path(void **state)
{
	char *out, *err;
	json_t *doc;

	(void)state;
	SKIP_UNLESS_ROOT();
	assert_int_equal(run("measure host udp_rr --hot-path", &out, &err), 0);
	assert_non_null(
		strstr(out, "host ingress hot path (2000 udp_rr transactions): vpc:vpc0 ("));
	assert_non_null(strstr(out, "-> inst:eth0 ("));
	assert_non_null(strstr(out, "; the expected path\n"));
	assert_null(strchr(out, '{'));
	free(out);
	free(err);
	assert_int_equal(run("measure host udp_rr --hot-path --json", &out, &err), 0);
	doc = json_loads(out, 0, NULL);
	assert_true(json_is_true(json_object_get(doc, "ok")));
	json_decref(doc);
	free(out);
	free(err);
	assert_root_unchanged();
}

/* -v/-vv/-q after the command as before it (they were unknown options there). */
static void test_verbosity_after_command(void **state)
{
	char *out, *err;
	json_t *doc;

	(void)state;
	SKIP_UNLESS_ROOT();
	assert_int_equal(run("topo up none -vv --json", &out, &err), 0);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_non_null(strstr(err, "nsbench: debug: lab "));
	free(out);
	free(err);
	down(json_string_value(json_object_get(doc, "lab")));
	json_decref(doc);
	/* -q: a run says nothing on stderr but errors (it said what it would do and where). */
	assert_int_equal(run("-q run --quick --modes none --tests tcp_rr --no-hot-path --out "
			     "/tmp/nsbench-quiet-run",
			     &out, &err),
			 0);
	assert_string_equal(err, "");
	assert_non_null(strstr(out, "path loopback"));
	free(out);
	free(err);
	assert_int_equal(system("rm -rf /tmp/nsbench-quiet-run"), 0);
	assert_int_equal(run("compare a.json b.json -q --format", &out, &err), 2);
	assert_non_null(strstr(err, "option '--format' needs a value"));
	free(out);
	free(err);
	assert_root_unchanged();
}

/* --cpus alone says the placement, and the result records what the endpoints ran on. */
static void test_cpus_placement(void **state)
{
	static const struct {
		const char *cpus, *policy;
		int client, server;
	} cases[] = {{"0,1", "split", 0, 1}, {"1,1", "same", 1, 1}};
	cpu_set_t set;

	(void)state;
	SKIP_UNLESS_ROOT();
	if (sched_getaffinity(0, sizeof(set), &set) || !CPU_ISSET(0, &set) || !CPU_ISSET(1, &set)) {
		print_message("SKIP: needs CPUs 0 and 1\n");
		skip();
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cmd[128], *out, *err;
		json_t *doc, *pl;

		snprintf(cmd, sizeof(cmd), "measure host tcp_rr --cpus %s --duration 0.2 --json",
			 cases[i].cpus);
		assert_int_equal(run(cmd, &out, &err), 0);
		doc = json_loads(out, 0, NULL);
		assert_non_null(doc);
		pl = json_object_get(doc, "placement");
		assert_string_equal(json_string_value(json_object_get(pl, "policy")),
				    cases[i].policy);
		assert_int_equal(json_integer_value(json_object_get(pl, "client_cpu")),
				 cases[i].client);
		assert_int_equal(json_integer_value(json_object_get(pl, "server_cpu")),
				 cases[i].server);
		json_decref(doc);
		free(out);
		free(err);
	}
	assert_root_unchanged();
}

/* Options that do not apply are refused by name, with why (a sample of the table above). */
static void test_refusals_name_the_option(void **state)
{
	static const struct {
		const char *args, *says;
	} cases[] = {
		{"topo up host --security-group", "--security-group applies to awsvpc tasks"},
		{"measure bridge tcp_rr --security-group", "bridge tasks have none"},
		{"run --modes host,bridge --security-group", "--modes has no awsvpc"},
		{"measure host tcp_rr --omit 1", "--omit applies to the libiperf tests"},
		{"measure host tcp_stream --rate 1G", "--rate applies to udp"},
		{"measure host udp_rr --window 2M", "--window applies to the libiperf tests"},
		{"measure host tcp_stream --window 512", "--window '512': auto, or 1024 bytes"},
		{"measure host udp_rr --window auto", "--window applies to the libiperf tests"},
		{"run --tests tcp_rr --window 1M", "--window applies to the libiperf tests"},
		{"run --window 2X", "--window '2X': auto, or 1024 bytes"},
		{"topo up bridge --port 80,81", "--port gives 2 ports for 1 task"},
		{"explain host --rounds 3 --instance bare",
		 "--rounds applies to the ladder, which host on path ingress has not"},
		{"compare a.json b.json --format", "compare: option '--format' needs a value"},
		{"report a.json -o", "report: option '-o' needs a value"},
		{"topo down --links --netns nosuchlab", "--links or --netns, not both"},
		/* A lab that does not exist is not said to exist (issue 29). */
		{"measure host tcp_rr --lab abcdef --vpc-mtu 9001",
		 "lab abcdef: no such lab (nsbench topo show lists them)"},
		{"measure bridge tcp_rr extra", "measure: unexpected argument 'extra'"},
		{"measure host tcp_rr --ip 6 --vpc-mtu 1000 --bridge-mtu 1000",
		 "IPv6 needs an MTU of at least 1280 bytes"},
		{"topo up host --ip 4,6 --vpc-mtu 1279 --bridge-mtu 1000",
		 "IPv6 needs an MTU of at least 1280 bytes"},
		/* --trunking where no awsvpc task is (it was accepted and recorded as trunked). */
		{"run --quick --modes host --trunking", "--trunking applies to awsvpc tasks"},
		{"run --quick --modes host,bridge --trunking", "--modes has none"},
		{"topo up host --trunking", "host mode has none"},
		{"measure bridge tcp_rr --trunking", "bridge mode has none"},
		{"explain bridge --trunking", "bridge mode has none"},
		{"explain bridge --schedule duet --cpu split", "--cpu does not apply"},
		/* A window the namespaces cannot grant, refused before a lab is built. */
		{"run --window 500M", "above what the lab's namespaces grant a socket"},
		{"measure host tcp_stream --window 500M", "net.core.rmem_max"},
		/* --samples' destination is checked before a lab is built (it was after). */
		{"measure host tcp_rr --samples /tmp", "--samples /tmp: a folder, not a file"},
		{"measure host tcp_rr --samples /proc/nope.txt", "cannot create a file in /proc"},
		{"explain bridge --schedule random --no-ladder",
		 "--schedule applies to the ladder"},
		{"run --paths foo", "ingress, egress, intra-host, local, agent"},
		{"topo up bridge --vpc-mtu 1400",
		 "the bridge's MTU (1500) is above the VPC's (1400)"},
		{"topo up awsvpc --vpc-mtu 67", "--vpc-mtu '67': 68 to 65535 bytes"},
		{"measure awsvpc tcp_rr --wire fiber", "--wire 'fiber': nic or veth"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out, *err;
		int st = run(cases[i].args, &out, &err);

		if (st != 2 || !strstr(err, cases[i].says))
			print_error("'%s' exited %d: %s\n", cases[i].args, st, err);
		assert_int_equal(st, 2);
		assert_non_null(strstr(err, cases[i].says));
		free(out);
		free(err);
	}
}

static void test_conflict_messages(void **state)
{
	char *out, *err;

	(void)state;
	assert_int_equal(run("topo up bridge --tasks 2 --port 8080", &out, &err), 2);
	assert_non_null(strstr(err, "hostPort 8080"));
	assert_non_null(strstr(err, "t1"));
	assert_non_null(strstr(err, "t2"));
	/* With the way out, and nothing else. */
	assert_non_null(strstr(err, "give each task its port: --port 8080,8081"));
	assert_null(strstr(err, "Usage"));
	free(out);
	free(err);
	assert_int_equal(run("topo up awsvpc --tasks 3 --max-enis 3", &out, &err), 2);
	assert_non_null(strstr(err, "ENI limit"));
	assert_non_null(strstr(err, "--tasks 2"));
	assert_non_null(strstr(err, "--max-enis 4"));
	free(out);
	free(err);
}

static void test_not_root(void **state)
{
	char dir[] = "/tmp/nsbench-nobody-XXXXXX", cmd[512], *out;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	/* A copy nobody may run, wherever this checkout lives (/root is 0700). */
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "chmod 755 %s && cp " NSB " %s/ && chmod 755 %s/nsbench", dir,
		 dir, dir);
	assert_int_equal(system(cmd), 0);
	/* As nobody, with no capabilities: a clear reason, nothing else. */
	snprintf(cmd, sizeof(cmd),
		 "cd / && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "
		 "--bounding-set=-all %s/nsbench topo up host 2>&1",
		 dir);
	out = tl_capture(cmd, &st);
	if (st != 1)
		print_error("exit %d: %s\n", st, out);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, "needs root"));
	assert_non_null(strstr(out, "CAP_NET_ADMIN"));
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static json_t *topo_json(const char *args)
{
	char cmd[256], *out, *err;
	json_error_t jerr;
	json_t *doc;
	int st;

	snprintf(cmd, sizeof(cmd), "topo up %s --json", args);
	st = run(cmd, &out, &err);
	if (st)
		print_error("%s: %s\n", cmd, err);
	assert_int_equal(st, 0);
	doc = json_loads(out, 0, &jerr);
	assert_non_null(doc);
	free(out);
	free(err);
	return doc;
}

static void down(const char *id)
{
	char cmd[128], *out, *err;

	snprintf(cmd, sizeof(cmd), "topo down %s", id);
	assert_int_equal(run(cmd, &out, &err), 0);
	free(out);
	free(err);
	assert_int_equal(tl_leftovers(id), 0);
}

/* The contract scripts rely on, and the endpoint it names really answers. */
/*
 * doctor --json: one object that parses, with the kernel, privileges, every
 * feature, every mode (available or the reason), leftovers and the noise;
 * its exit status is the text's.
 */
static void test_doctor_json(void **state)
{
	static const char *const modes[] = {"awsvpc", "bridge", "bridge-dynamic", "host", "none"};
	json_t *doc, *m, *checks, *c;
	json_error_t err;
	char *out;
	size_t i;
	int st;

	(void)state;
	SKIP_UNLESS_ROOT();
	out = tl_capture(NSB " doctor --json 2>/dev/null", &st);
	doc = json_loads(out, 0, &err);
	if (!doc)
		print_error("not JSON (%s): %s\n", err.text, out);
	assert_non_null(doc);
	assert_int_equal(st, json_is_true(json_object_get(doc, "ok")) ? 0 : 1);
	assert_true(json_is_string(json_object_get(json_object_get(doc, "kernel"), "release")));
	assert_true(json_is_true(json_object_get(doc, "privileges")));
	/* veth, bridge, macvlan, nf_tables NAT, and 802.1Q VLAN (only --trunking's: a note). */
	assert_int_equal(json_object_size(json_object_get(doc, "features")), 5);
	assert_true(json_is_boolean(json_object_get(
		json_object_get(json_object_get(doc, "features"), "802.1Q VLAN"), "available")));
	assert_true(json_is_boolean(json_object_get(
		json_object_get(json_object_get(doc, "features"), "veth"), "available")));
	assert_int_equal(json_array_size(json_object_get(doc, "modes")), 5);
	json_array_foreach(json_object_get(doc, "modes"), i, m) {
		assert_string_equal(json_string_value(json_object_get(m, "mode")), modes[i]);
		assert_true(json_is_boolean(json_object_get(m, "available")));
		/* An unavailable mode says why. */
		assert_true(json_is_true(json_object_get(m, "available")) ||
			    json_is_string(json_object_get(m, "reason")));
	}
	assert_true(json_is_integer(json_object_get(json_object_get(doc, "leftovers"), "crashed")));
	assert_true(json_is_number(json_object_get(json_object_get(doc, "noise"), "steal_pct")));
	assert_true(json_is_boolean(json_object_get(json_object_get(doc, "noise"), "noisy")));
	checks = json_object_get(doc, "checks");
	assert_true(json_array_size(checks) > 10);
	json_array_foreach(checks, i, c)
		assert_non_null(
			strstr("ok fail note", json_string_value(json_object_get(c, "status"))));
	/* Nothing but the object on stdout: no text line slipped through. */
	assert_null(strstr(out, "modes:"));
	assert_null(strstr(out, "advice:"));
	json_decref(doc);
	free(out);
}

static void test_json_contract(void **state)
{
	static const char *const modes[] = {"awsvpc", "bridge", "bridge-dynamic", "host", "none"};

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t m = 0; m < 5; m++) {
		char args[64];
		json_t *doc, *ns, *tasks, *t;
		size_t i;

		snprintf(args, sizeof(args), "%s --tasks 2 --port 7001,7002", modes[m]);
		doc = topo_json(args);
		ns = json_object_get(doc, "namespaces");
		assert_true(json_is_string(json_object_get(doc, "lab")));
		assert_true(netns_exists(json_string_value(json_object_get(ns, "vpc"))));
		assert_true(netns_exists(json_string_value(json_object_get(ns, "inst"))));
		assert_int_equal(json_array_size(json_object_get(ns, "tasks")), m == 3 ? 0 : 2);
		tasks = json_object_get(doc, "tasks");
		assert_int_equal(json_array_size(tasks), 2);
		json_array_foreach(tasks, i, t) {
			const char *tns = json_string_value(json_object_get(t, "namespace"));
			const char *cns = json_string_value(json_object_get(t, "client_namespace"));
			const char *ep = json_string_value(json_object_get(t, "endpoint_address"));
			int cport = (int)json_integer_value(json_object_get(t, "container_port"));
			int eport = (int)json_integer_value(json_object_get(t, "endpoint_port"));
			char epstr[32];

			assert_string_equal(json_string_value(json_object_get(t, "mode")),
					    modes[m]);
			assert_int_equal(cport, 7001 + (int)i);
			snprintf(epstr, sizeof(epstr), "%s:%d", ep, eport);
			assert_string_equal(json_string_value(json_object_get(t, "endpoint")),
					    epstr);
			assert_true(netns_exists(tns));
			assert_int_equal(probe_tcp(tns, "0.0.0.0", (uint16_t)cport, cns, ep,
						   (uint16_t)eport, 2000),
					 0);
			if (m == 4)
				assert_false(
					json_is_true(json_object_get(t, "reachable_from_vpc")));
			else
				assert_string_equal(cns,
						    json_string_value(json_object_get(ns, "vpc")));
		}
		down(json_string_value(json_object_get(doc, "lab")));
		json_decref(doc);
	}
	assert_root_unchanged();
}

/* Starts `topo up --hold` of two tasks, returns its pid once the lab is up, and the lab id. */
static pid_t start_hold(const char *mode, char id[16])
{
	pid_t pid = tl_hold_start(NSB, mode, true, id);

	assert_true(id[0] != '\0');
	assert_true(tl_leftovers(id) > 0);
	return pid;
}

/* A stand-in endpoint: a process parked in a lab namespace. */
static pid_t park_in(const char *ns)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int saved;

		if (netns_enter(ns, &saved))
			_exit(1);
		pause();
		_exit(0);
	}
	return pid;
}

static void expect_signal_teardown(int sig)
{
	char id[16], ns[64];
	pid_t pid, parked;
	int status;

	pid = start_hold("bridge", id);
	snprintf(ns, sizeof(ns), "nsb-%s-t1", id);
	parked = park_in(ns);
	usleep(100000);
	assert_int_equal(kill(pid, sig), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(tl_leftovers(id), 0);
	/* The endpoint inside the lab was ended by pid. */
	assert_int_equal(waitpid(parked, &status, 0), parked);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_root_unchanged();
}

static void test_sigint(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	expect_signal_teardown(SIGINT);
}

static void test_sigterm(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	expect_signal_teardown(SIGTERM);
}

/* How many labs `topo show` marks with FLAG (true), other than A and B (either may be NULL). */
static int labs_where(const char *flag, const char *a, const char *b)
{
	char *out, *err;
	json_t *all, *doc;
	size_t i;
	int n = 0;

	assert_int_equal(run("topo show --json", &out, &err), 0);
	all = json_loads(out, 0, NULL);
	assert_true(json_is_array(all));
	json_array_foreach(all, i, doc) {
		const char *id = json_string_value(json_object_get(doc, "lab"));

		n += json_is_true(json_object_get(doc, flag)) && id && (!a || strcmp(id, a)) &&
		     (!b || strcmp(id, b));
	}
	json_decref(all);
	free(out);
	free(err);
	return n;
}

/* The keeper of test_sigkill_then_clean, ended by its teardown if an assertion stopped it. */
static pid_t sigkill_keeper;

static int teardown_keeper(void **state)
{
	if (sigkill_keeper > 0) {
		kill(sigkill_keeper, SIGTERM);
		waitpid(sigkill_keeper, NULL, 0);
		sigkill_keeper = 0;
	}
	return tl_teardown_test(state);
}

static void test_sigkill_then_clean(void **state)
{
	char id[16], ns[64], other[16], want[96], *out, *err;
	pid_t pid, parked, keeper;
	int status, owned;

	(void)state;
	SKIP_UNLESS_ROOT();
	/* A lab whose owner still runs must survive clean. */
	keeper = start_hold("host", other);
	sigkill_keeper = keeper;
	pid = start_hold("awsvpc", id);
	snprintf(ns, sizeof(ns), "nsb-%s-t2", id);
	parked = park_in(ns);
	usleep(100000);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(tl_leftovers(id) > 0);

	/* The keeper's lab, and any that another worker's running nsbench holds. */
	owned = labs_where("owner_running", NULL, NULL);
	assert_true(owned >= 1);
	snprintf(want, sizeof(want), "%d lab%s owned by running nsbench left alone", owned,
		 owned == 1 ? "" : "s");
	assert_int_equal(run("clean", &out, &err), 0);
	assert_non_null(strstr(out, want));
	free(out);
	free(err);
	assert_int_equal(tl_leftovers(id), 0);
	assert_int_equal(waitpid(parked, &status, 0), parked);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_true(tl_leftovers(other) > 0);

	kill(keeper, SIGTERM);
	assert_int_equal(waitpid(keeper, &status, 0), keeper);
	sigkill_keeper = 0;
	assert_int_equal(tl_leftovers(other), 0);
	assert_root_unchanged();
}

static void test_clean_stray_namespace(void **state)
{
	char *out, *err;

	(void)state;
	SKIP_UNLESS_ROOT();
	/* A run killed before it wrote anything but a namespace. */
	assert_int_equal(netns_create("nsb-0dead0-vpc"), 0);
	assert_int_equal(run("clean", &out, &err), 0);
	assert_non_null(strstr(out, "1 stray namespace"));
	assert_false(netns_exists("nsb-0dead0-vpc"));
	free(out);
	free(err);
	assert_int_equal(tl_leftovers("0dead0"), 0);
}

/* The CLI's own paths: an error half-way, and a signal half-way through building. */
static void test_fault_and_signal_while_building(void **state)
{
	static const struct {
		const char *env;
		int status;
		const char *msg;
	} cases[] = {
		{"NSBENCH_FAIL_AFTER=5", 1, "fault injected"},
		{"NSBENCH_FAIL_AFTER=20", 1, "fault injected"},
		{"NSBENCH_FAIL_AFTER=12:2", 130, "interrupted while"},
		{"NSBENCH_FAIL_AFTER=25:15", 143, "interrupted while"},
	};
	size_t before = clean_count_leftovers();

	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cmd[256], *out;
		int st;

		snprintf(cmd, sizeof(cmd),
			 "%s " NSB_TEST " topo up bridge-dynamic --tasks 3 2>&1 >/dev/null",
			 cases[i].env);
		out = tl_capture(cmd, &st);
		if (st != cases[i].status || !strstr(out, cases[i].msg))
			print_error("%s: exit %d: %s\n", cases[i].env, st, out);
		assert_int_equal(st, cases[i].status);
		assert_non_null(strstr(out, cases[i].msg));
		free(out);
		assert_int_equal(clean_count_leftovers(), before);
	}
	/* The production binary ignores the hook: the same environment builds the lab. */
	{
		char *out = tl_capture("NSBENCH_FAIL_AFTER=5 " NSB " topo up host --json "
				       "2>/dev/null | jq -r .lab",
				       NULL);
		char cmd[128];
		int st;

		out[strcspn(out, "\n")] = '\0';
		assert_int_equal(strlen(out), LAB_ID_LEN);
		snprintf(cmd, sizeof(cmd), NSB " topo down %s 2>&1", out);
		free(tl_capture(cmd, &st));
		assert_int_equal(st, 0);
		free(out);
		assert_int_equal(clean_count_leftovers(), before);
	}
	assert_root_unchanged();
}

static void test_topo_down_all_and_show(void **state)
{
	json_t *a, *b;
	char *out, *err, ida[16], idb[16];

	(void)state;
	SKIP_UNLESS_ROOT();
	a = topo_json("none");
	b = topo_json("bridge-dynamic --tasks 3");
	snprintf(ida, sizeof(ida), "%s", json_string_value(json_object_get(a, "lab")));
	snprintf(idb, sizeof(idb), "%s", json_string_value(json_object_get(b, "lab")));
	assert_int_equal(run("topo show", &out, &err), 0);
	assert_non_null(strstr(out, ida));
	assert_non_null(strstr(out, idb));
	free(out);
	free(err);
	assert_int_equal(run("topo down nosuch", &out, &err), 1);
	assert_non_null(strstr(err, "no such lab"));
	free(out);
	free(err);
	/*
	 * `topo down` without a lab removes every kept lab on the machine: where
	 * another worker keeps one (a shared runner), the test removes its own and
	 * is skipped rather than take that lab away.
	 */
	if (labs_where("kept", ida, idb)) {
		down(ida);
		down(idb);
		json_decref(a);
		json_decref(b);
		print_message("skipped: another kept lab exists, which topo down would remove\n");
		skip();
	}
	assert_int_equal(run("topo down", &out, &err), 0);
	free(out);
	free(err);
	assert_int_equal(tl_leftovers(ida), 0);
	assert_int_equal(tl_leftovers(idb), 0);
	json_decref(a);
	json_decref(b);
	assert_root_unchanged();
}

/* topo show A B shows both (it showed B only), in text and as a JSON array; a missing one is named.
 */
static void test_topo_show_several(void **state)
{
	json_t *a, *b, *doc;
	char *out, *err, ida[16], idb[16], cmd[128];

	(void)state;
	SKIP_UNLESS_ROOT();
	a = topo_json("none");
	b = topo_json("host");
	snprintf(ida, sizeof(ida), "%s", json_string_value(json_object_get(a, "lab")));
	snprintf(idb, sizeof(idb), "%s", json_string_value(json_object_get(b, "lab")));
	json_decref(a);
	json_decref(b);
	snprintf(cmd, sizeof(cmd), "topo show %s %s", ida, idb);
	assert_int_equal(run(cmd, &out, &err), 0);
	assert_non_null(strstr(out, ida));
	assert_non_null(strstr(out, idb));
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd), "topo show %s %s --json", idb, ida);
	assert_int_equal(run(cmd, &out, &err), 0);
	doc = json_loads(out, 0, NULL);
	assert_int_equal(json_array_size(doc), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 0), "lab")), idb);
	assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 1), "lab")), ida);
	json_decref(doc);
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd), "topo show %s nosuch", ida);
	assert_int_equal(run(cmd, &out, &err), 1);
	assert_non_null(strstr(out, ida));
	assert_non_null(strstr(err, "lab nosuch: no such lab"));
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd), "topo down %s %s", ida, idb);
	assert_int_equal(run(cmd, &out, &err), 0);
	free(out);
	free(err);
	assert_int_equal(tl_leftovers(ida), 0);
	assert_int_equal(tl_leftovers(idb), 0);
	assert_root_unchanged();
}

/*
 * A lab topo up kept (no --hold) is told apart from a killed run's remains:
 * 'kept' in its state, in topo show and in doctor's count; one whose owner
 * was SIGKILLed is 'gone', a leftover for clean.
 */
static void test_topo_kept_lab(void **state)
{
	char cmd[128], id[16], gone[16], *out, *err;
	size_t kept_before, kept, left;
	json_t *doc;
	pid_t hold;
	int status;

	(void)state;
	SKIP_UNLESS_ROOT();
	clean_count_crashed(&kept_before);
	doc = topo_json("none");
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(doc, "lab")));
	json_decref(doc);
	snprintf(cmd, sizeof(cmd), "topo show %s --json", id);
	assert_int_equal(run(cmd, &out, &err), 0);
	doc = json_loads(out, 0, NULL);
	assert_true(json_is_true(json_object_get(doc, "kept")));
	json_decref(doc);
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd), "topo show %s", id);
	assert_int_equal(run(cmd, &out, &err), 0);
	assert_non_null(strstr(out, "owner: kept by topo up (nsbench topo down "));
	free(out);
	free(err);
	left = clean_count_crashed(&kept);
	assert_true(kept >= kept_before + 1);
	/* A lab option with --lab of a lab that exists: refused as built already. */
	snprintf(cmd, sizeof(cmd), "measure none tcp_rr --lab %s --vpc-mtu 9001", id);
	assert_int_equal(run(cmd, &out, &err), 2);
	assert_non_null(strstr(err, "--vpc-mtu applies to a lab measure builds; lab "));
	assert_non_null(strstr(err, "exists already"));
	free(out);
	free(err);
	/* A run killed with its lab up: not kept, a leftover. */
	hold = tl_hold_start(NSB, "none", false, gone);
	assert_int_equal(kill(hold, SIGKILL), 0);
	assert_int_equal(waitpid(hold, &status, 0), hold);
	snprintf(cmd, sizeof(cmd), "topo show %s", gone);
	assert_int_equal(run(cmd, &out, &err), 0);
	assert_non_null(strstr(out, "owner: gone (pid "));
	free(out);
	free(err);
	assert_true(clean_count_crashed(&kept) >= left + 1);
	assert_int_equal(clean_lab(gone, false, LAB_TEARDOWN_GROUP), 0);
	down(id);
	assert_int_equal(tl_leftovers(gone), 0);
	assert_root_unchanged();
}

/* Writes a results document with these tcp_stream throughputs (Gbit/s) to PATH. */
static void crafted_file(const char *path, const double *gbps, size_t n)
{
	json_t *doc = results_new(json_pack("{s:i}", "reps", (int)n));
	json_t *e = results_entry(doc, "bridge", "ingress", "tcp_stream");

	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			json_object_get(e, "reps"),
			json_pack("{s:{s:f}}", "metrics", "throughput_bps", gbps[i] * 1e9));
	results_summarize(doc);
	assert_int_equal(json_dump_file(doc, path, JSON_INDENT(1)), 0);
	json_decref(doc);
}

/*
 * Real files from two machines (tests/fixtures: a 2-vCPU VM and a 16-CPU box,
 * other kernel builds): host throughput +139% with every repetition of B
 * above A's is "faster" (it was "no significant change, p = 1.000"); the
 * ratios to host lead; the gate reads only them.
 */
#define FIX_VM "tests/fixtures/vm-6.18.44-fc-v669-20261127T224345Z.json"
#define FIX_BOX "tests/fixtures/vm-6.18.44-fc-v657-gpu-20261127T224727Z.json"

static void test_compare_fixtures(void **state)
{
	char *out, *first;
	int st;

	(void)state;
	out = tl_run(0, NSB " compare " FIX_VM " " FIX_BOX " 2>/dev/null");
	assert_non_null(strstr(out, "different machines"));
	/* The first row of the table is a ratio to host. */
	first = strstr(out, "\nawsvpc");
	assert_non_null(first);
	assert_true(strstr(first, "_vs_host") < strchr(first + 1, '\n'));
	assert_non_null(strstr(out, "host            ingress   tcp_stream   throughput_bps "));
	free(out);
	out = tl_capture(NSB " compare " FIX_VM " " FIX_BOX " --format csv 2>/dev/null | "
			     "awk -F, '$1 == \"host\" && $4 == \"tcp_stream\" && "
			     "$5 == \"throughput_bps\" && $19 != \"baseline\" { print $19 }'",
			 &st);
	assert_string_equal(out, "faster\n");
	free(out);
	/* bridge-dynamic's throughput_vs_host fell 20% on the box: the gate at 5% trips. */
	out = tl_run(1, NSB " compare " FIX_VM " " FIX_BOX " --fail-above 5 2>&1 >/dev/null");
	assert_non_null(strstr(out, "in a ratio to host"));
	/* The failing gate names where: mode, path, test, metric and file (issue 29). */
	assert_non_null(strstr(out, "bridge-dynamic ingress tcp_stream throughput_vs_host (B)"));
	free(out);
	out = tl_capture(NSB " compare " FIX_VM " " FIX_BOX " --format json --fail-above 5 "
			     "2>/dev/null | jq -r '.gate.worst | "
			     "\"\\(.mode) \\(.metric) \\(.file)\"'",
			 &st);
	assert_string_equal(out, "bridge-dynamic throughput_vs_host 1\n");
	free(out);
	/* A file compared with itself passes, and says that it tells nothing. */
	out = tl_run(0, NSB " compare " FIX_VM " " FIX_VM " --fail-above 5 2>&1 >/dev/null");
	assert_non_null(strstr(out, "are the same measurement"));
	free(out);
	out = tl_run(0, NSB " compare " FIX_VM " " FIX_BOX " --fail-above 30 2>&1");
	free(out);
	/* --format json: one object that jq parses, the rows' fields and the gate's outcome. */
	out = tl_run(0, NSB " compare " FIX_VM " " FIX_BOX " --format json --fail-above 5 "
			    "2>/dev/null | jq -r '.gate.result, (.rows | length), "
			    "(.rows[] | select(.mode == \"bridge-dynamic\" and .test == "
			    "\"tcp_stream\" and .metric == \"throughput_vs_host\") | "
			    ".files[1] | \"\\(.verdict) \\(.change.pct < -20) "
			    "\\(.change.ci95_high < 1) \\(.value > 0)\")'");
	assert_string_equal(out, "fails\n136\nslower true true true\n");
	free(out);
	/* The other way round every absolute figure is "slower" by half: machines, not kernels. */
	out = tl_capture(NSB " compare " FIX_BOX " " FIX_VM " --fail-above 5 2>&1", &st);
	assert_non_null(strstr(out, "slower"));
	assert_int_equal(st, 0);
	free(out);
}

/*
 * The same real files as measured in QEMU guests (host.virt set with jq): under
 * TCG compare shows them, says why it decides nothing, and refuses the gate
 * with exit 2 whichever side the emulated file is on; as KVM guests they are
 * compared and gated exactly as the files above.
 */
static void test_compare_emulated(void **state)
{
	char dir[] = "/tmp/nsbench-virt-XXXXXX", cmd[1024], *out;
	int st;

	(void)state;
	if (system("command -v jq >/dev/null 2>&1")) {
		print_message("SKIP: needs jq (make deps installs it)\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "jq '.host.virt = \"tcg\" | .host.hypervisor = \"TCGTCGTCGTCG\"' " FIX_BOX
		 " > %s/box-tcg.json && jq '.host.virt = \"kvm\"' " FIX_BOX " > %s/box-kvm.json"
		 " && jq '.host.virt = \"kvm\"' " FIX_VM " > %s/vm-kvm.json",
		 dir, dir, dir);
	assert_int_equal(system(cmd), 0);

	/* The gate at 5% that trips on the real files: refused, with the reason. */
	out = tl_run(2, NSB " compare " FIX_VM " %s/box-tcg.json --fail-above 5 2>&1", dir);
	assert_non_null(strstr(out, "box-tcg.json was measured on an emulated CPU (host.virt "
				    "\"tcg\"), so --fail-above cannot gate on it: emulated (TCG) "
				    "figures are not performance figures"));
	assert_non_null(strstr(out, "Note: B (box-tcg.json) was measured on an emulated CPU"));
	assert_non_null(strstr(out, "B vs A: not judged (emulated)."));
	assert_null(strstr(out, "regression of"));
	free(out);
	/* An emulated baseline is refused as well. */
	out = tl_run(2, NSB " compare %s/box-tcg.json " FIX_VM " --fail-above 30 2>&1 >/dev/null",
		     dir);
	assert_non_null(strstr(out, "box-tcg.json was measured on an emulated CPU"));
	free(out);
	/* Without a gate: the table, every verdict "emulated", exit 0. */
	snprintf(cmd, sizeof(cmd),
		 NSB " compare " FIX_VM " %s/box-tcg.json --format csv "
		     "2>/dev/null | awk -F, 'NR > 1 && $19 != \"baseline\" { print $19 }' | "
		     "sort -u",
		 dir);
	out = tl_capture(cmd, &st);
	assert_string_equal(out, "emulated\n");
	free(out);

	/* KVM guests: as the real files, "faster" and the 20% ratio regression gated. */
	snprintf(cmd, sizeof(cmd),
		 NSB " compare %s/vm-kvm.json %s/box-kvm.json --format csv "
		     "2>/dev/null | awk -F, '$1 == \"host\" && $4 == \"tcp_stream\" && "
		     "$5 == \"throughput_bps\" && $19 != \"baseline\" { print $19 }'",
		 dir, dir);
	out = tl_capture(cmd, &st);
	assert_string_equal(out, "faster\n");
	free(out);
	out = tl_run(1, NSB " compare %s/vm-kvm.json %s/box-kvm.json --fail-above 5 2>&1", dir,
		     dir);
	assert_non_null(strstr(out, "virt kvm"));
	assert_non_null(strstr(out, "in a ratio to host"));
	assert_null(strstr(out, "emulated"));
	free(out);
	out = tl_run(0, NSB " compare %s/vm-kvm.json %s/box-kvm.json --fail-above 30 2>/dev/null",
		     dir, dir);
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_compare_cli(void **state)
{
	static const double base[] = {10.0, 10.1, 9.9}, slow[] = {9.0, 9.1, 8.9};
	static const double noisy[] = {9.0, 11.0, 7.0};
	char dir[] = "/tmp/nsbench-cmp-XXXXXX", a[128], b[128], c[128], bad[128], cmd[1024];
	static const struct {
		const char *name, *content;
	} malformed[] = {
		{"notjson.json", "hello"},
		{"truncated.json", "{\"schema_version\": 1, \"nsbench\": {\"ver"},
		{"schema2.json", "{\"schema_version\": 2}"},
		{"nofields.json", "{\"schema_version\": 1, \"nsbench\": {}, \"host\": "
				  "{\"kernel_release\": \"x\"}, \"config\": {}}"},
		{"badentry.json", "{\"schema_version\": 1, \"nsbench\": {}, \"host\": "
				  "{\"kernel_release\": \"x\"}, \"config\": {}, "
				  "\"results\": [{\"mode\": \"host\"}]}"},
		{"empty.json", ""},
		{"noresults.json", "{\"schema_version\": 1, \"nsbench\": {}, \"host\": "
				   "{\"kernel_release\": \"x\"}, \"config\": {}, \"results\": []}"},
	};
	bool vg = system("command -v valgrind >/dev/null 2>&1") == 0;
	char *out;
	int st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.json", dir);
	snprintf(b, sizeof(b), "%s/b.json", dir);
	snprintf(c, sizeof(c), "%s/c.json", dir);
	crafted_file(a, base, 3);
	crafted_file(b, slow, 3);
	crafted_file(c, noisy, 3);

	/* A tight 10% regression trips the gate at 5%, not at 15%. */
	out = tl_run(1, NSB " compare %s %s --fail-above 5 2>&1", a, b);
	assert_non_null(strstr(out, "slower"));
	assert_non_null(strstr(out, "-10.0%"));
	free(out);
	out = tl_run(0, NSB " compare %s %s --fail-above 15 2>&1", a, b);
	free(out);
	/* The same drop inside wide noise: inconclusive, the gate stays open. */
	out = tl_run(0, NSB " compare %s %s --fail-above 5 2>&1", a, c);
	assert_non_null(strstr(out, "inconclusive (~"));
	assert_null(strstr(out, " slower"));
	free(out);
	/*
	 * One repetition each (two --quick files), 14% slower: the gate cannot judge
	 * and says so, exit 2, in the Markdown summary too; without it, exit 0.
	 */
	{
		static const double one[] = {10.0}, one_slow[] = {8.6};
		char a1[160], b1[160];

		snprintf(a1, sizeof(a1), "%s/a1.json", dir);
		snprintf(b1, sizeof(b1), "%s/b1.json", dir);
		crafted_file(a1, one, 1);
		crafted_file(b1, one_slow, 1);
		out = tl_run(2, NSB " compare %s %s --fail-above 1 2>&1 >/dev/null", a1, b1);
		assert_non_null(strstr(out, "--fail-above cannot decide 1 headline metric(s)"));
		assert_non_null(strstr(out, "bridge ingress tcp_stream throughput_bps (A 1, B 1)"));
		assert_non_null(strstr(out, "at least 2 repetitions per file"));
		free(out);
		out = tl_run(2, NSB " compare %s %s --fail-above 1 --format markdown 2>/dev/null",
			     a1, b1);
		assert_non_null(strstr(out, "**Gate (--fail-above 1%): cannot decide.**"));
		free(out);
		snprintf(cmd, sizeof(cmd), NSB " compare %s %s >/dev/null 2>&1", a1, b1);
		free(tl_capture(cmd, &st));
		assert_int_equal(st, 0);
	}
	/* Three files, CSV and Markdown. */
	out = tl_run(0, NSB " compare %s %s %s --format csv", a, b, c);
	assert_non_null(strstr(out, "mode,tasks,path,test,metric,headline,file,median,gmean,min,"
				    "max,n,change_pct,ratio,ci95_low,ci95_high,p_value,q_value,"
				    "verdict,reps_needed,diff,diff_low,diff_high,family\n"));
	assert_non_null(
		strstr(out, "bridge,1,ingress,tcp_stream,throughput_bps,1,b.json,9000000000,"));
	free(out);
	out = tl_run(0, NSB " compare %s %s --format markdown", a, b);
	assert_non_null(strstr(out, "| bridge"));
	assert_non_null(strstr(out, "|---|"));
	free(out);

	/* The chart: one series per file, as SVG. */
	out = tl_run(0, "scripts/plot.sh -o %s/chart.svg %s %s %s 2>&1", dir, a, b, c);
	free(out);
	out = tl_run(0, "grep -c '<path' %s/chart.svg", dir);
	assert_true(atoi(out) > 3);
	free(out);
	snprintf(cmd, sizeof(cmd), "grep -q '>b<' %s/chart.svg", dir);
	assert_int_equal(system(cmd), 0);

	/* Every kind of malformed file: exit 2, the file and the reason; under valgrind too. */
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		FILE *f;

		snprintf(bad, sizeof(bad), "%s/%s", dir, malformed[i].name);
		f = fopen(bad, "w");
		assert_non_null(f);
		fputs(malformed[i].content, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "%s" NSB " compare %s %s 2>&1",
			 vg ? "valgrind -q --error-exitcode=99 --leak-check=full "
			      "--errors-for-leak-kinds=definite "
			    : "",
			 a, bad);
		out = tl_capture(cmd, &st);
		if (st != 2)
			print_error("%s: exit %d: %s\n", malformed[i].name, st, out);
		assert_int_equal(st, 2);
		assert_non_null(strstr(out, malformed[i].name));
		/* Never a partial table. */
		assert_null(strstr(out, "throughput_bps"));
		free(out);
	}
	/* A measure document and a directory: said to be no results file, not parser talk. */
	{
		FILE *f;

		snprintf(bad, sizeof(bad), "%s/measure.json", dir);
		f = fopen(bad, "w");
		assert_non_null(f);
		fputs("{\"test\": \"tcp_rr\", \"mode\": \"host\", \"metrics\": {}}", f);
		fclose(f);
		out = tl_run(2, NSB " compare %s %s 2>&1", a, bad);
		assert_non_null(strstr(out, "measure.json: not a run results file"));
		free(out);
		out = tl_run(2, NSB " compare %s %s 2>&1", a, dir);
		assert_non_null(strstr(out, ": a directory, not a run results file"));
		free(out);
	}
	out = tl_run(2, NSB " compare %s %s/missing.json 2>&1", a, dir);
	assert_non_null(strstr(out, "No such file"));
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_input, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_compare_cli, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_compare_fixtures, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_compare_emulated, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_conflict_messages, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_cpus_placement, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_help, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_measure_hot_path, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_verbosity_after_command, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_refusals_name_the_option, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_not_root, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_doctor_json, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_json_contract, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_sigint, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_sigterm, tl_setup_test, tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_sigkill_then_clean, tl_setup_test,
						teardown_keeper),
		cmocka_unit_test_setup_teardown(test_clean_stray_namespace, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_fault_and_signal_while_building, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_topo_down_all_and_show, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_topo_show_several, tl_setup_test,
						tl_teardown_test),
		cmocka_unit_test_setup_teardown(test_topo_kept_lab, tl_setup_test,
						tl_teardown_test),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, tl_setup_group, tl_teardown_group);
}
