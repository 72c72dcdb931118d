/* SPDX-License-Identifier: MIT */
#ifndef NSB_ATOMICFILE_H
#define NSB_ATOMICFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * PATH gets TEXT whole or not at all, fsync'd when SYNC (results must survive
 * a crash; state files on tmpfs need not). A new file is written unnamed
 * (O_TMPFILE) and linked when whole: a kill at any point leaves nothing. An
 * existing one is replaced by a temporary beside it, renamed over. A reader
 * never sees half a file. PHASE names the moment before the link for the
 * test build's kill matrix (testhooks.h).
 */
int atomic_write_file(const char *path, const char *text, size_t len, bool sync,
		      const char *phase);
/* DIR and the parents it lacks, as mkdir -p: 0, or -errno of the first that failed. */
int mkdir_parents(const char *dir, mode_t mode);

#endif
