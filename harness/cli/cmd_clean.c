// SPDX-License-Identifier: MIT
/* nsbench clean: what killed runs and `topo up` left behind. */
#include <stdio.h>
#include <string.h>

#include "harness/cli/cli.h"
#include "harness/cli/log.h"
#include "harness/lab/clean.h"

static const char clean_usage[] = "Usage: nsbench clean\n"
				  "Removes every lab that no running nsbench process owns: its\n"
				  "processes, namespaces, /run/netns entries and state file. Labs\n"
				  "that topo up kept on purpose stay (topo down removes them).\n";

int clean_main(int argc, char **argv)
{
	struct clean_report r;
	int ret;

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			cli_show_usage(stdout, clean_usage);
			return 0;
		}
		return cli_usage_error(clean_usage, "clean: unexpected argument '%s'", argv[1]);
	}
	if (cli_need_privileges())
		return 1;
	ret = clean_all(NULL, &r);
	if (ret) {
		log_err("clean: %s", strerror(-ret));
		return 1;
	}
	printf("removed %zu lab%s and %zu stray namespace%s; %zu lab%s owned by running "
	       "nsbench left alone",
	       r.labs_removed, r.labs_removed == 1 ? "" : "s", r.orphan_ns_removed,
	       r.orphan_ns_removed == 1 ? "" : "s", r.labs_skipped, r.labs_skipped == 1 ? "" : "s");
	if (r.labs_kept)
		printf("; %zu lab%s kept by topo up left alone (nsbench topo down removes them)",
		       r.labs_kept, r.labs_kept == 1 ? "" : "s");
	putchar('\n');
	if (r.probes_left > 0)
		printf("%d nsbench BPF probe program%s still loaded%s\n", r.probes_left,
		       r.probes_left == 1 ? "" : "s",
		       r.labs_skipped ? " (a running nsbench may own them)" : "");
	return r.errors ? 1 : 0;
}
