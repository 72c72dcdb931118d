/* SPDX-License-Identifier: MIT */
/*
 * What nsbench is: its version and the commit it was built from, which the
 * Makefile passes (-DNSBENCH_VERSION, -DNSBENCH_COMMIT); these stand in for a
 * build without them.
 */
#ifndef NSB_VERSION_H
#define NSB_VERSION_H

#ifndef NSBENCH_VERSION
#define NSBENCH_VERSION "0.0.0"
#endif
#ifndef NSBENCH_COMMIT
#define NSBENCH_COMMIT "unknown"
#endif

#endif
