// SPDX-License-Identifier: MIT
/*
 * A real dockerd in a lab's instance namespace (engine.h). Checked here
 * (shared/NOTES.md): dockerd 20.10.24 with its usr/bin and usr/sbin first on
 * PATH starts its own containerd; entered into the namespace with setns alone
 * it finds the cgroup mounts; its docker0, rules, ip_forward and proxies stay
 * in that namespace. Stopping it: the containers first (docker rm -f), then
 * SIGTERM (it stops containerd and the shims). The shims are re-parented to
 * PID 1, which here reaps nothing: the ones that exit stay zombies, so only
 * live processes count as leftovers.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/common/daemonize.h"
#include "harness/lab/engine.h"
#include "harness/lab/state.h"
#include "harness/lab/sweep.h"
#include "netns/netns.h"
#include "netns/nsexec.h"

#define ENGINE_START_MS 30000
#define ENGINE_STOP_MS 15000
#define ENGINE_MAX_TASKS 4

static const char *const programs[] = {
	"usr/sbin/dockerd",
	"usr/bin/docker",
	"usr/bin/containerd",
	"usr/sbin/runc",
	"usr/bin/containerd-shim-runc-v2",
	"usr/sbin/docker-proxy",
};

/*
 * Folders outside its roots that the engine makes whatever its flags
 * (dockerd: /run/docker/plugins; the runc shim: /run/containerd/s for its
 * sockets), deepest first: those that did not exist before it started are
 * listed in DIR/made and removed, when empty, after it stops.
 */
static const char *const outside[] = {"/run/docker/plugins", "/run/docker", "/run/containerd/s",
				      "/run/containerd", "/etc/docker"};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static bool has_programs(const char *root, char *missing, size_t len)
{
	char p[PATH_MAX + 64];

	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, programs[i]);
		if (access(p, X_OK)) {
			snprintf(missing, len, "%s", p);
			return false;
		}
	}
	return true;
}

int engine_find(char *root, size_t len, char *why, size_t wlen)
{
	const char *env = getenv("NSBENCH_DOCKER_ENGINE");
	char self[PATH_MAX], cand[PATH_MAX + 64], missing[PATH_MAX + 64] = "", *slash;
	ssize_t n;

	if (env && *env) {
		if (!has_programs(env, missing, sizeof(missing))) {
			snprintf(why, wlen, "NSBENCH_DOCKER_ENGINE=%s: no %s", env, missing);
			return -ENOENT;
		}
		snprintf(root, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	/* The checkout's copy: beside the binary, or up to two levels above (tests/bin/). */
	for (int up = 0; up < 3 && (slash = strrchr(self, '/')); up++) {
		*slash = '\0';
		snprintf(cand, sizeof(cand), "%s/build-tools/docker-engine", self);
		if (has_programs(cand, missing, sizeof(missing))) {
			if ((size_t)snprintf(root, len, "%s", cand) >= len)
				return -ENAMETOOLONG;
			return 0;
		}
	}
	snprintf(why, wlen,
		 "the Docker engine is not in build-tools/docker-engine/ beside this binary or "
		 "above it (NSBENCH_DOCKER_ENGINE unset): run scripts/deps.sh, which takes "
		 "dockerd, containerd and runc out of Debian's docker.io, containerd and runc "
		 "packages (never installed)");
	return -ENOENT;
}

void engine_task_netns(const char *id, unsigned int i, char *name, size_t len)
{
	snprintf(name, len, "nsb-%s-c%u", id, i);
}

static void engine_paths(struct engine *e, const char *id)
{
	snprintf(e->id, sizeof(e->id), "%s", id);
	snprintf(e->dir, sizeof(e->dir), "%s/%s.engine", STATE_DIR, id);
}

/* The end of dockerd's log: the lines that say why it stopped. */
static void log_tail(const struct engine *e, char *why, size_t len)
{
	char path[128], buf[4096];
	size_t used = strlen(why);
	FILE *f;
	long size;

	snprintf(path, sizeof(path), "%s/dockerd.log", e->dir);
	f = fopen(path, "re");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > 600 ? size - 600 : 0, SEEK_SET);
	size = (long)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[size > 0 ? size : 0] = '\0';
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			*c = ' ';
	if (used < len)
		snprintf(why + used, len - used, "; dockerd's log ends: %s", buf);
}

int engine_docker(const struct engine *e, const char *const *args, char *out, size_t olen,
		  char *why, size_t len)
{
	char docker[PATH_MAX + 32], sock[96], conf[80];
	const char *argv[24];
	size_t n = 0;
	char *text = NULL;
	int ret;

	if (!e->root[0] || !e->ns[0]) {
		snprintf(why, len, "the engine's tree or namespace is gone");
		return -ENOENT;
	}
	snprintf(docker, sizeof(docker), "%s/usr/bin/docker", e->root);
	snprintf(sock, sizeof(sock), "unix://%s/docker.sock", e->dir);
	snprintf(conf, sizeof(conf), "%s/cli", e->dir);
	argv[n++] = docker;
	argv[n++] = "--config";
	argv[n++] = conf;
	argv[n++] = "-H";
	argv[n++] = sock;
	for (size_t i = 0; args[i] && n < sizeof(argv) / sizeof(argv[0]) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	ret = nsexec_run(e->ns, (char *const *)argv, NULL, &text, why, len);
	if (!ret && out) {
		size_t k = text ? strlen(text) : 0;

		while (k && (text[k - 1] == '\n' || text[k - 1] == ' '))
			k--;
		snprintf(out, olen, "%.*s", (int)k, text ? text : "");
	}
	free(text);
	return ret;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static _Noreturn void child(const struct engine *e, const char *bip, unsigned int mtu)
{
	char path[PATH_MAX * 2 + 64], dockerd[PATH_MAX + 32], a[8][128];
	int fd, saved;

	/* Its own session; none of our ignored signals or mask (SIGTERM must stop it). */
	daemonize_child();
	/* Our end is its end: SIGTERM stops its containers, containerd and shims. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	snprintf(path, sizeof(path), "%s/dockerd.log", e->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || netns_enter(e->ns, &saved))
		_exit(126);
	dup2(fd, 1);
	dup2(fd, 2);
	fd = open("/dev/null", O_RDONLY);
	dup2(fd, 0);
	close_range(3, ~0U, 0);
	snprintf(path, sizeof(path), "%s/usr/bin:%s/usr/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
		 e->root, e->root);
	setenv("PATH", path, 1);
	snprintf(dockerd, sizeof(dockerd), "%s/usr/sbin/dockerd", e->root);
	snprintf(a[0], sizeof(a[0]), "%s/daemon.json", e->dir);
	snprintf(a[1], sizeof(a[1]), "%s/data", e->dir);
	snprintf(a[2], sizeof(a[2]), "%s/exec", e->dir);
	snprintf(a[3], sizeof(a[3]), "unix://%s/docker.sock", e->dir);
	snprintf(a[4], sizeof(a[4]), "%s/docker.pid", e->dir);
	snprintf(a[5], sizeof(a[5]), "%s", bip);
	snprintf(a[6], sizeof(a[6]), "nsbench-%s", e->id);
	snprintf(a[7], sizeof(a[7]), "%u", mtu);
	execl(dockerd, dockerd, "--config-file", a[0], "--data-root", a[1], "--exec-root", a[2],
	      "-H", a[3], "--pidfile", a[4], "--bip", a[5], "--cgroup-parent", a[6], "--mtu", a[7],
	      "--log-level", "warn", (char *)NULL);
	_exit(127);
}

int engine_start(struct engine *e, const char *id, const char *ns, const char *bip,
		 unsigned int mtu, char *why, size_t len)
{
	static const char *const version[] = {"version", "--format", "{{.Server.Version}}", NULL};
	char path[128], msg[256];
	long long deadline;
	int ret, st;

	engine_paths(e, id);
	snprintf(e->ns, sizeof(e->ns), "%s", ns);
	e->pid = 0;
	e->version[0] = '\0';
	ret = engine_find(e->root, sizeof(e->root), why, len);
	if (ret)
		return ret;
	if (mkdir(STATE_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(e->dir, 0700) < 0) {
		ret = -errno;
		snprintf(why, len, "%s: %s", e->dir, strerror(errno));
		return ret;
	}
	/* Its trust key in its folder, not /etc/docker/key.json. */
	snprintf(path, sizeof(path), "%s/daemon.json", e->dir);
	{
		char conf[160];

		snprintf(conf, sizeof(conf), "{\"deprecated-key-path\": \"%s/key.json\"}\n",
			 e->dir);
		ret = write_file(path, conf);
	}
	if (!ret) {
		char made[256] = "";

		for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
			if (access(outside[i], F_OK))
				snprintf(made + strlen(made), sizeof(made) - strlen(made), "%s\n",
					 outside[i]);
		snprintf(path, sizeof(path), "%s/made", e->dir);
		ret = write_file(path, made);
	}
	snprintf(path, sizeof(path), "%s/cli", e->dir);
	if (!ret && mkdir(path, 0700) < 0)
		ret = -errno;
	if (ret) {
		snprintf(why, len, "%s: %s", e->dir, strerror(-ret));
		engine_stop(e);
		return ret;
	}
	e->pid = fork();
	if (e->pid < 0) {
		ret = -errno;
		e->pid = 0;
		snprintf(why, len, "fork: %s", strerror(-ret));
		engine_stop(e);
		return ret;
	}
	if (e->pid == 0)
		child(e, bip, mtu);
	deadline = now_ms() + ENGINE_START_MS;
	for (;;) {
		if (waitpid(e->pid, &st, WNOHANG) == e->pid) {
			e->pid = 0;
			snprintf(why, len, "dockerd exited (%s %d) before its API answered",
				 WIFEXITED(st) ? "status" : "signal",
				 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			log_tail(e, why, len);
			engine_stop(e);
			return -EIO;
		}
		if (!engine_docker(e, version, e->version, sizeof(e->version), msg, sizeof(msg)))
			return 0;
		if (now_ms() > deadline) {
			snprintf(why, len, "dockerd's API did not answer within %d s (%s)",
				 ENGINE_START_MS / 1000, msg);
			log_tail(e, why, len);
			engine_stop(e);
			return -ETIMEDOUT;
		}
		sleep_ms(200);
	}
}

int engine_image(const struct engine *e, char *why, size_t len)
{
	/* An empty tar: two 512-byte blocks of zeros. */
	static const char empty[1024];
	char path[128];
	const char *args[] = {"import", path, "nsbench:empty", NULL};
	int fd, ret;

	snprintf(path, sizeof(path), "%s/empty.tar", e->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, empty, sizeof(empty)) != (ssize_t)sizeof(empty)) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(why, len, "%s: %s", path, strerror(-ret));
		return ret;
	}
	close(fd);
	ret = engine_docker(e, args, NULL, 0, why, len);
	unlink(path);
	return ret;
}

int engine_task(const struct engine *e, const char *name, const char *proto, uint16_t host_port,
		uint16_t container_port, const char *netns, char *ip, size_t iplen, char *why,
		size_t len)
{
	char publish[64], id[128], pidip[96];
	const char *run[24] = {"run",	       "-d",  "--name",	      name, "-v",
			       "/usr:/usr:ro", "-v",  "/lib:/lib:ro", "-v", "/lib64:/lib64:ro",
			       "--tmpfs",      "/tmp"};
	size_t n = 12;
	const char *inspect[] = {"inspect", "-f", "{{.State.Pid}} {{.NetworkSettings.IPAddress}}",
				 id, NULL};
	long pid = 0;
	int ret;

	snprintf(publish, sizeof(publish), "%u:%u/%s", host_port, container_port, proto);
	if (host_port) {
		run[n++] = "-p";
		run[n++] = publish;
	}
	run[n++] = "nsbench:empty";
	run[n++] = "/usr/bin/sleep";
	run[n++] = "infinity";
	run[n] = NULL;
	ret = engine_docker(e, run, id, sizeof(id), why, len);
	if (!ret)
		ret = engine_docker(e, inspect, pidip, sizeof(pidip), why, len);
	if (ret)
		return ret;
	{
		char addr[64];

		if (sscanf(pidip, "%ld %63s", &pid, addr) != 2 || pid <= 0) {
			snprintf(why, len, "docker inspect %s: '%s'", name, pidip);
			return -EPROTO;
		}
		snprintf(ip, iplen, "%s", addr);
	}
	ret = netns_attach(netns, (pid_t)pid);
	if (ret)
		snprintf(why, len, "naming %s's namespace %s: %s", name, netns, strerror(-ret));
	return ret;
}

size_t engine_live_processes(void)
{
	pid_t pids[64];
	char needle[] = STATE_DIR "/";
	size_t n = 0, k = sweep_pids(needle, "/nsbench-", pids, 64);

	/* Only an engine's: its directory ends in .engine. */
	for (size_t i = 0; i < k; i++) {
		char line[4096];

		sweep_cmdline(pids[i], line, sizeof(line));
		if (strstr(line, ".engine/") || sweep_in_cgroup(pids[i], "/nsbench-"))
			n++;
	}
	return n;
}

/* The folders outside its roots it made (DIR/made), when empty. */
static void remove_made(const struct engine *e)
{
	char path[128], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/made", e->dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
			if (!strcmp(line, outside[i]))
				rmdir(line);
	}
	fclose(f);
}

/* dockerd's pid, from its pid file, when it still runs as this engine's. */
static pid_t daemon_pid(const struct engine *e)
{
	char path[128], line[4096];
	FILE *f;
	long pid = 0;

	snprintf(path, sizeof(path), "%s/docker.pid", e->dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 1 || !sweep_live((pid_t)pid))
		return 0;
	sweep_cmdline((pid_t)pid, line, sizeof(line));
	return strstr(line, "dockerd") && strstr(line, e->dir) ? (pid_t)pid : 0;
}

static bool wait_gone(pid_t pid, bool child, long long deadline)
{
	while (now_ms() < deadline) {
		if (child && waitpid(pid, NULL, WNOHANG) == pid)
			return true;
		if (!child && !sweep_live(pid))
			return true;
		sleep_ms(50);
	}
	return false;
}

int engine_stop(struct engine *e)
{
	static const char *const ps[] = {"ps", "-aq", NULL};
	char ids[4096], why[256], cg[64], name[40];
	pid_t pid = e->pid > 0 ? e->pid : daemon_pid(e), pids[64];
	bool child = e->pid > 0;
	int ret = 0;

	snprintf(cg, sizeof(cg), "/nsbench-%s/", e->id);
	if (pid > 0 && sweep_live(pid)) {
		/* The containers first, as an operator would: docker rm -f each. */
		if (!engine_docker(e, ps, ids, sizeof(ids), why, sizeof(why))) {
			char *save = NULL;

			for (char *tok = strtok_r(ids, "\n", &save); tok;
			     tok = strtok_r(NULL, "\n", &save)) {
				const char *rm[] = {"rm", "-f", tok, NULL};

				engine_docker(e, rm, NULL, 0, why, sizeof(why));
			}
		}
		kill(pid, SIGTERM);
		if (!wait_gone(pid, child, now_ms() + ENGINE_STOP_MS)) {
			kill(pid, SIGKILL);
			wait_gone(pid, child, now_ms() + 2000);
		}
	} else if (child) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	e->pid = 0;
	/* Whatever of its tree still runs: by pid, SIGKILL, until none is left. */
	for (int round = 0; round < 20; round++) {
		size_t n = sweep_pids(e->dir, cg, pids, 64);

		if (!n)
			break;
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		sleep_ms(50);
		if (round == 19)
			ret = -EBUSY;
	}
	sweep_unmount_under(e->dir);
	for (unsigned int i = 1; i <= ENGINE_MAX_TASKS; i++) {
		engine_task_netns(e->id, i, name, sizeof(name));
		if (netns_exists(name))
			netns_delete(name);
	}
	{
		char cgname[48];

		snprintf(cgname, sizeof(cgname), "nsbench-%s", e->id);
		sweep_cgroups(cgname);
	}
	remove_made(e);
	if (sweep_tree(e->dir) && !ret)
		ret = -EBUSY;
	return ret;
}

int engine_remove(const char *id)
{
	struct engine e = {0};
	char why[256];

	engine_paths(&e, id);
	/* Without its tree the CLI cannot run: dockerd then gets SIGTERM straight away. */
	if (engine_find(e.root, sizeof(e.root), why, sizeof(why)))
		e.root[0] = '\0';
	snprintf(e.ns, sizeof(e.ns), "nsb-%s-inst", id);
	if (!netns_exists(e.ns))
		e.ns[0] = '\0';
	return engine_stop(&e);
}

bool engine_present(const char *id)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s.engine", STATE_DIR, id);
	return access(path, F_OK) == 0;
}

size_t engine_list(char (*ids)[16], size_t max)
{
	DIR *d = opendir(STATE_DIR);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		const char *dot = strrchr(de->d_name, '.');

		if (dot && !strcmp(dot, ".engine") && (size_t)(dot - de->d_name) < 16)
			snprintf(ids[n++], 16, "%.*s", (int)(dot - de->d_name), de->d_name);
	}
	closedir(d);
	return n;
}
