// SPDX-License-Identifier: MIT
/*
 * docker-proxy (root, and the binary: scripts/deps.sh takes it out of Debian's
 * docker.io). Two namespaces of the test's own joined by a veth pair: "inst"
 * (198.18.250.1) runs docker-proxy for host port 18080, "task" (198.18.250.2)
 * an echo server on 5201. TCP and UDP pass through it with the proxy's own
 * connection to the task; a taken port is refused with docker-proxy's message
 * and nothing left; proxy_stop ends it; a SIGKILLed proxy does not keep its
 * namespace from being deleted.
 */
#include "testlib.h"
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include "harness/lab/proxy.h"

#define INST_ADDR "198.18.250.1"
#define TASK_ADDR "198.18.250.2"
#define HOST_PORT 18080
#define TASK_PORT 5201
#define WAIT_MS 5000

static char ns_inst[64], ns_task[64];
static char proxy_why[512];
static int proxy_missing;

/* What one test made: the echo server's pid and its report pipe, the proxy's pid. */
static pid_t server_pid, proxy_pid;
static int server_fd = -1;

#define SKIP_UNLESS_PROXY()                                                                        \
	do {                                                                                       \
		SKIP_UNLESS_ROOT();                                                                \
		if (proxy_missing) {                                                               \
			print_message("SKIP: %s\n", proxy_why);                                    \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Two namespaces, lo up in each, and the veth pair between them. */
static int ns_setup(void **state)
{
	(void)state;
	server_pid = proxy_pid = 0;
	server_fd = -1;
	if (geteuid() != 0 || proxy_missing)
		return 0;
	snprintf(ns_inst, sizeof(ns_inst), "nsb-pxtest-%d-a", (int)getpid());
	snprintf(ns_task, sizeof(ns_task), "nsb-pxtest-%d-b", (int)getpid());
	return run("ip netns add %1$s && ip netns add %2$s && "
		   "ip -n %1$s link set lo up && ip -n %2$s link set lo up && "
		   "ip -n %1$s link add veth0 type veth peer name veth1 netns %2$s && "
		   "ip -n %1$s addr add " INST_ADDR
		   "/30 dev veth0 && ip -n %1$s link set veth0 up && "
		   "ip -n %2$s addr add " TASK_ADDR "/30 dev veth1 && ip -n %2$s link set veth1 up",
		   ns_inst, ns_task);
}

/* Whatever the test left, passed or failed: processes by pid, then the namespaces. */
static int ns_teardown(void **state)
{
	(void)state;
	if (geteuid() != 0 || proxy_missing)
		return 0;
	if (proxy_pid > 0)
		proxy_stop(proxy_pid);
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
	}
	if (server_fd >= 0)
		close(server_fd);
	for (int i = 0; i < 2; i++) {
		const char *ns = i ? ns_task : ns_inst;

		if (netns_exists(ns) > 0) {
			netns_kill_all(ns);
			netns_delete(ns);
		}
	}
	return 0;
}

static int group_setup(void **state)
{
	char dp[PATH_MAX], path[PATH_MAX];

	/* tests/bin/ has no build-tools/ beside it: the checkout's, where the tests run. */
	if (!getenv("NSBENCH_DOCKER_PROXY") &&
	    realpath("build-tools/docker-proxy/docker-proxy", dp))
		setenv("NSBENCH_DOCKER_PROXY", dp, 1);
	proxy_missing = proxy_find(path, sizeof(path), proxy_why, sizeof(proxy_why)) != 0;
	if (!proxy_missing)
		print_message("docker-proxy: %s\n", path);
	return tl_setup_group(state);
}

/* A line of the server's report, without its newline; -ETIMEDOUT after MS. */
static int read_line(int fd, char *buf, size_t len, int ms)
{
	long long deadline = now_ms() + ms;
	size_t have = 0;

	while (have < len - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
		if (read(fd, buf + have, 1) != 1)
			return -EIO;
		if (buf[have] == '\n')
			break;
		have++;
	}
	buf[have] = '\0';
	return 0;
}

/* A socket made in namespace NS (it stays there), with a receive deadline. */
static int socket_in(const char *ns, int type)
{
	struct timeval tv = {WAIT_MS / 1000, 0};
	int saved, fd;

	assert_int_equal(netns_enter(ns, &saved), 0);
	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	assert_int_equal(netns_leave(saved), 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static struct sockaddr_in addr_of(const char *ip, uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};

	inet_pton(AF_INET, ip, &sa.sin_addr);
	return sa;
}

static void report_peer(int out, const struct sockaddr_in *peer)
{
	char line[64], ip[INET_ADDRSTRLEN];
	int n;

	inet_ntop(AF_INET, &peer->sin_addr, ip, sizeof(ip));
	n = snprintf(line, sizeof(line), "peer %s\n", ip);
	if (write(out, line, (size_t)n) != n)
		_exit(3);
}

/* The task's echo server on TASK_PORT: "ready", then "peer ADDR" for each client. */
static _Noreturn void server_run(int out, int type)
{
	struct sockaddr_in sa = addr_of("0.0.0.0", TASK_PORT), peer;
	socklen_t plen = sizeof(peer);
	char buf[2048];
	int saved, fd, one = 1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (netns_enter(ns_task, &saved))
		_exit(1);
	fd = socket(AF_INET, type, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || (type == SOCK_STREAM && listen(fd, 8)))
		_exit(2);
	if (write(out, "ready\n", 6) != 6)
		_exit(3);
	for (;;) {
		ssize_t n;
		int c;

		if (type == SOCK_DGRAM) {
			n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
			if (n <= 0)
				continue;
			report_peer(out, &peer);
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
			continue;
		}
		c = accept(fd, (struct sockaddr *)&peer, &plen);
		if (c < 0)
			continue;
		report_peer(out, &peer);
		while ((n = read(c, buf, sizeof(buf))) > 0)
			if (write(c, buf, (size_t)n) != n)
				break;
		close(c);
	}
}

static void server_start(int type)
{
	char line[64];
	int pfd[2];

	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	server_pid = fork();
	assert_true(server_pid >= 0);
	if (server_pid == 0) {
		close(pfd[0]);
		server_run(pfd[1], type);
	}
	close(pfd[1]);
	server_fd = pfd[0];
	assert_int_equal(read_line(server_fd, line, sizeof(line), WAIT_MS), 0);
	assert_string_equal(line, "ready");
}

static void proxy_up(const char *proto)
{
	int ret = proxy_start(ns_inst, proto, "0.0.0.0", HOST_PORT, TASK_ADDR, TASK_PORT, WAIT_MS,
			      &proxy_pid, proxy_why, sizeof(proxy_why));

	if (ret)
		print_error("proxy_start: %s\n", proxy_why);
	assert_int_equal(ret, 0);
	assert_true(proxy_pid > 0);
}

/* The server saw the inst side's veth address: the proxy's own connection, not the client's. */
static void expect_peer_inst(void)
{
	char line[64];

	assert_int_equal(read_line(server_fd, line, sizeof(line), WAIT_MS), 0);
	assert_string_equal(line, "peer " INST_ADDR);
}

/*
 * `ss -FLAGS` in inst: docker-proxy's pid on both legs, the socket at FRONT
 * (the client's side) and one whose peer is the task's server.
 */
static void expect_ss_legs(const char *flags, const char *front_local)
{
	char cmd[128], want[32], *out, *copy, *line, *save = NULL;
	bool front = false, back = false;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s ss %s", ns_inst, flags);
	snprintf(want, sizeof(want), "pid=%d,", (int)proxy_pid);
	out = tl_capture(cmd, NULL);
	copy = strdup(out);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char local[64], peer[64];

		if (sscanf(line, "%*s %*s %*s %63s %63s", local, peer) != 2 || !strstr(line, want))
			continue;
		front |= !strcmp(local, front_local);
		back |= !strncmp(local, INST_ADDR ":", strlen(INST_ADDR) + 1) &&
			!strcmp(peer, TASK_ADDR ":5201");
	}
	if (!front || !back)
		print_error("%s (docker-proxy is %d):\n%s\n", cmd, (int)proxy_pid, out);
	free(copy);
	free(out);
	assert_true(front);
	assert_true(back);
}

static void test_tcp_through_proxy(void **state)
{
	struct sockaddr_in sa = addr_of("127.0.0.1", HOST_PORT);
	const char msg[] = "through docker-proxy, tcp";
	char buf[64] = "";
	int fd;

	(void)state;
	SKIP_UNLESS_PROXY();
	server_start(SOCK_STREAM);
	proxy_up("tcp");
	fd = socket_in(ns_inst, SOCK_STREAM);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, msg, sizeof(msg)), sizeof(msg));
	assert_int_equal(recv(fd, buf, sizeof(msg), MSG_WAITALL), sizeof(msg));
	assert_string_equal(buf, msg);
	expect_peer_inst();
	/* The client's connection, accepted by docker-proxy; its own to the task. */
	expect_ss_legs("-tnp", "127.0.0.1:18080");
	close(fd);
	assert_root_unchanged();
}

static void test_udp_through_proxy(void **state)
{
	struct sockaddr_in sa = addr_of("127.0.0.1", HOST_PORT);
	const char msg[] = "through docker-proxy, udp";
	char buf[64] = "";
	int fd;

	(void)state;
	SKIP_UNLESS_PROXY();
	server_start(SOCK_DGRAM);
	proxy_up("udp");
	fd = socket_in(ns_inst, SOCK_DGRAM);
	assert_int_equal(sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&sa, sizeof(sa)),
			 sizeof(msg));
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), sizeof(msg));
	assert_string_equal(buf, msg);
	expect_peer_inst();
	/* Replies leave through the socket bound to the host port (udp_proxy.go replyLoop). */
	expect_ss_legs("-uanp", "0.0.0.0:18080");
	close(fd);
	assert_root_unchanged();
}

static void test_port_taken(void **state)
{
	struct sockaddr_in sa = addr_of("0.0.0.0", HOST_PORT);
	pid_t pids[4];
	size_t n = 1;
	int fd, ret;

	(void)state;
	SKIP_UNLESS_PROXY();
	fd = socket_in(ns_inst, SOCK_STREAM);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	ret = proxy_start(ns_inst, "tcp", "0.0.0.0", HOST_PORT, TASK_ADDR, TASK_PORT, WAIT_MS,
			  &proxy_pid, proxy_why, sizeof(proxy_why));
	print_message("refused: %s\n", proxy_why);
	assert_int_equal(ret, -EADDRINUSE);
	/* Its own words (main.go writes net.ListenTCP's error after "1\n"). */
	assert_non_null(
		strstr(proxy_why, "listen tcp4 0.0.0.0:18080: bind: address already in use"));
	assert_int_equal(proxy_pid, 0);
	assert_int_equal(netns_pids(ns_inst, pids, 4, &n), 0);
	assert_int_equal(n, 0);
	/* Not even a zombie: it was reaped. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	close(fd);
	assert_root_unchanged();
}

static void test_stop(void **state)
{
	char path[64];
	pid_t pids[4];
	size_t n = 1;
	long long t0, ms;

	(void)state;
	SKIP_UNLESS_PROXY();
	proxy_up("tcp");
	snprintf(path, sizeof(path), "/proc/%d", (int)proxy_pid);
	assert_int_equal(access(path, F_OK), 0);
	t0 = now_ms();
	assert_int_equal(proxy_stop(proxy_pid), 0);
	ms = now_ms() - t0;
	/* Gone either way (SIGTERM, or SIGKILL after the grace): no timing is asserted. */
	print_message("proxy_stop: %lld ms\n", ms);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(netns_pids(ns_inst, pids, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(proxy_stop(proxy_pid), -ESRCH);
	proxy_pid = 0;
	assert_root_unchanged();
}

static void test_sigkill_then_delete(void **state)
{
	struct sockaddr_in sa = addr_of("127.0.0.1", HOST_PORT);
	char buf[8];
	int fd;

	(void)state;
	SKIP_UNLESS_PROXY();
	server_start(SOCK_STREAM);
	proxy_up("tcp");
	/* A connection through it, open when it dies. */
	fd = socket_in(ns_inst, SOCK_STREAM);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(recv(fd, buf, 1, MSG_WAITALL), 1);
	assert_int_equal(kill(proxy_pid, SIGKILL), 0);
	assert_int_equal(waitpid(proxy_pid, NULL, 0), proxy_pid);
	proxy_pid = 0;
	/* The client sees its connection end. */
	assert_int_equal(recv(fd, buf, 1, 0), 0);
	close(fd);
	assert_int_equal(netns_delete(ns_inst), 0);
	assert_int_equal(netns_exists(ns_inst), 0);
	assert_root_unchanged();
}

/* Refusals made before or instead of exec: no process, a reason. */
static void test_refusals(void **state)
{
	char path[PATH_MAX], *env = getenv("NSBENCH_DOCKER_PROXY");
	int ret;

	(void)state;
	SKIP_UNLESS_PROXY();
	ret = proxy_start(ns_inst, "icmp", "0.0.0.0", HOST_PORT, TASK_ADDR, TASK_PORT, WAIT_MS,
			  &proxy_pid, proxy_why, sizeof(proxy_why));
	assert_int_equal(ret, -EINVAL);
	ret = proxy_start("nsb-pxtest-none", "tcp", "0.0.0.0", HOST_PORT, TASK_ADDR, TASK_PORT,
			  WAIT_MS, &proxy_pid, proxy_why, sizeof(proxy_why));
	print_message("no namespace: %s\n", proxy_why);
	assert_int_equal(ret, -ENOENT);
	assert_non_null(strstr(proxy_why, "not started: nsb-pxtest-none"));
	env = env ? strdup(env) : NULL;
	setenv("NSBENCH_DOCKER_PROXY", "/nonexistent/docker-proxy", 1);
	ret = proxy_find(path, sizeof(path), proxy_why, sizeof(proxy_why));
	if (env)
		setenv("NSBENCH_DOCKER_PROXY", env, 1);
	else
		unsetenv("NSBENCH_DOCKER_PROXY");
	free(env);
	assert_int_equal(ret, -ENOENT);
	assert_non_null(strstr(proxy_why, "NSBENCH_DOCKER_PROXY=/nonexistent/docker-proxy"));
	assert_int_equal(proxy_pid, 0);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_through_proxy, ns_setup, ns_teardown),
		cmocka_unit_test_setup_teardown(test_udp_through_proxy, ns_setup, ns_teardown),
		cmocka_unit_test_setup_teardown(test_port_taken, ns_setup, ns_teardown),
		cmocka_unit_test_setup_teardown(test_stop, ns_setup, ns_teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_then_delete, ns_setup, ns_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, ns_setup, ns_teardown),
	};

	tl_filter_from_env();
	return cmocka_run_group_tests(tests, group_setup, tl_teardown_group);
}
