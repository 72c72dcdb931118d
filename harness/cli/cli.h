/* SPDX-License-Identifier: MIT */
#ifndef NSB_CLI_H
#define NSB_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "harness/measure/schedule.h"
#include "bench/measurement.h"
#include "harness/lab/model.h"
#include "harness/lab/options.h"
#include "harness/lab/path.h"

#define EXIT_USAGE 2
/* Measured, but undecided: claims left inconclusive, run's --target not met. */
#define EXIT_INCONCLUSIVE 3

extern const char *prog_name;

int topo_main(int argc, char **argv);
int clean_main(int argc, char **argv);
int doctor_main(int argc, char **argv);
int measure_main(int argc, char **argv);
int run_main(int argc, char **argv);
int compare_main(int argc, char **argv);
int claims_main(int argc, char **argv);
int calibrate_main(int argc, char **argv);
int report_main(int argc, char **argv);
int explain_main(int argc, char **argv);

/* The modes' names, from the lab: "awsvpc, bridge, bridge-dynamic, host, none". */
/* A command's usage text; "{modes}" in it stands for lab_mode_names(). */
void cli_show_usage(FILE *f, const char *usage);
/* Prints "nsbench: error: <what>" and the command's usage; returns EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * The last case of every command's getopt switch (short options ":h", so that
 * a missing value is ':'): 'h' (--help) prints USAGE and gives 0; ':' is
 * "CMD: option 'X' needs a value", anything else "CMD: unknown option", and
 * EXIT_USAGE.
 */
int cli_option_end(int c, const char *cmd, const char *usage, char **argv);
/* TEXT as a mode, a path, a CPU placement (--cpu); 0, or EXIT_USAGE after saying why not. */
int cli_mode_arg(const char *usage, const char *text, enum lab_mode *m);
int cli_path_arg(const char *usage, const char *text, enum lab_path *p);
int cli_cpu_option(const char *usage, const char *text, enum bench_placement *p);
/*
 * --schedule NAME into *S: 0, or EXIT_USAGE after saying why not (an unknown
 * name; duet where this process may run on one CPU only).
 */
int cli_schedule_option(const char *usage, const char *text, enum schedule *s);
/* --window B (K/M/G suffixes) into *WINDOW; 0, or EXIT_USAGE after saying why not. */
int cli_window_option(const char *usage, const char *text, int *window);
/* Root or CAP_NET_ADMIN + CAP_SYS_ADMIN; prints what is missing. */
int cli_need_privileges(void);
void cli_install_signals(void);
/* The last component of PATH: how compare and report name the files they read. */
const char *cli_base_name(const char *path);
int cli_signal_exit(void);

/*
 * The lab's options (harness/lab/options.h), the same on every command that
 * builds a lab: CLI_LAB_OPTIONS (or those of CLI_VPC_OPTIONS,
 * CLI_INSTANCE_OPTIONS, CLI_IP_OPTION and CLI_SG_OPTION a command takes) in
 * the getopt table, cli_lab_option() for their values and cli_lab_check()
 * once parsed.
 */
/* clang-format off */
#define CLI_LAB_OPT(name, has_arg, code) {name, has_arg, NULL, code}
#define CLI_VPC_OPTIONS CLI_LAB_OPT("vpc-mtu", required_argument, LAB_OPT_VPC_MTU), \
	CLI_LAB_OPT("bridge-mtu", required_argument, LAB_OPT_BRIDGE_MTU), \
	CLI_LAB_OPT("wire", required_argument, LAB_OPT_WIRE), \
	CLI_LAB_OPT("trunking", no_argument, LAB_OPT_TRUNKING)
#define CLI_INSTANCE_OPTIONS CLI_LAB_OPT("instance", required_argument, LAB_OPT_INSTANCE), \
	CLI_LAB_OPT("userland-proxy", required_argument, LAB_OPT_USERLAND_PROXY)
#define CLI_IP_OPTION CLI_LAB_OPT("ip", required_argument, LAB_OPT_IP)
#define CLI_SG_OPTION CLI_LAB_OPT("security-group", no_argument, LAB_OPT_SECURITY_GROUP)
/* --help, on every command ('h': cli_option_end() shows the usage). */
#define CLI_HELP_OPTION {"help", no_argument, NULL, 'h'}
/* Every lab option: the commands that build a lab of their own and measure it. */
#define CLI_LAB_OPTIONS CLI_VPC_OPTIONS, CLI_INSTANCE_OPTIONS, CLI_IP_OPTION, CLI_SG_OPTION
/* clang-format on */
#define CLI_VPC_USAGE                                                                              \
	"--vpc-mtu N: the VPC's switch, every ENI and awsvpc task (default 9001, as ECS's\n"       \
	"ENIs); --bridge-mtu N: Docker's bridge and its veths (default 1500, at most the\n"        \
	"VPC's); --wire nic (default): links from the VPC deliver frames of the MTU, as a\n"       \
	"NIC does (no segmentation offload on the VPC's side, GRO on the instance's);\n"           \
	"--wire veth: a veth's 64 KB super-packets. --trunking: awsvpc tasks get VLAN\n"           \
	"branches of one trunk ENI (ENI trunking; needs the kernel's 8021q).\n"
#define CLI_INSTANCE_USAGE                                                                         \
	"--instance al2023|al2|bare: what the instance carries besides the tasks (default\n"       \
	"al2023: ecs-init's and Docker 25's rules through iptables-nft; al2: the same through\n"   \
	"iptables-legacy; bare: only the NAT a mode needs); --userland-proxy on|off: Docker's\n"   \
	"docker-proxy per hostPort (default on, as on the ECS-optimized AMI; off under bare).\n"
#define CLI_IP_USAGE                                                                               \
	"--ip 4|6|4,6: the IP families measured (default 4). 6 builds a dual-stack VPC\n"          \
	"(2001:2::/64: the VPC router, the instance and awsvpc tasks get an address in it);\n"     \
	"awsvpc and host have IPv6, bridge (Docker's default bridge) and none do not.\n"
/* Option C's value ARG into O: -1 when C is not a lab option; 0, or EXIT_USAGE after saying why. */
int cli_lab_option(const char *usage, int c, const char *arg, struct lab_options *o);
/* lab_options_check() for MODES (MEASURED: see there): 0, or EXIT_USAGE after saying why. */
int cli_lab_check(const char *usage, const struct lab_options *o, const enum lab_mode *modes,
		  unsigned int n, bool measured);
/* A per-hop measurement (perhop.h) as a text waterfall, one segment per line. */
void cli_print_waterfall(FILE *f, const json_t *ph);

/* measure's answer as text (measure_text.c): a measurement's line; --hot-path's hops. */
void measure_print_result(FILE *f, json_t *res);
void measure_print_hot(FILE *f, json_t *hp);
/* measure's detail on request (measure_detail.c): RES is a measurement's result. */
void measure_print_intervals(FILE *f, json_t *res);
void measure_print_histogram(FILE *f, json_t *res);
/* Whether PATH's folder takes a file, before a lab is built; -errno with WHY. */
int measure_samples_check(const char *path, char *why, size_t len);
/* RES's samples_ns into PATH (us, one a line, in order), replaced by samples_file. */
int measure_write_samples(const char *path, json_t *res, char *why, size_t len);
/* bench_opts.tick: on a terminal, how far the measurement ARG names has come. */
void measure_tick(void *arg, double elapsed_s, double total_s);

#endif
