#!/bin/bash
# SPDX-License-Identifier: MIT
# Sizes, checked on the tree (no build needed):
#  1. Every product file (include/, netns/, bench/, harness/; .c and .h) is at
#     most MAX_FILE lines.
#  2. Every function is at most MAX_FUNC lines: a function being the lines from
#     a '{' in column 0 to the next '}' in column 0, both counted, as this code
#     base formats function bodies (kernel style; .clang-format).
set -u
cd "$(dirname "$0")/.." || exit 1
MAX_FILE=600
MAX_FUNC=150
fail=0

sources=$(git ls-files -co --exclude-standard -- 'include/*.h' 'netns/*.[ch]' 'bench/*.[ch]' \
	'harness/*.[ch]' | sort -u)
[ -n "$sources" ] || { echo "check-size: no sources found" >&2; exit 1; }

nfiles=0
for f in $sources; do
	[ -f "$f" ] || continue
	nfiles=$((nfiles + 1))
	n=$(wc -l <"$f")
	if [ "$n" -gt "$MAX_FILE" ]; then
		echo "size: $f: $n lines (at most $MAX_FILE)" >&2
		fail=1
	fi
	# The function's name: the identifier before '(' on the first line of its
	# signature, the last line before the '{' that starts in column 0.
	long=$(awk -v max="$MAX_FUNC" -v f="$f" '
		/^[^[:space:]#\/*{}]/ { sig = $0 }
		/^\{/ { start = FNR; name = sig; next }
		/^\}/ && start {
			n = FNR - start + 1
			if (n > max) {
				sub(/\(.*/, "", name)
				sub(/.*[^_[:alnum:]]/, "", name)
				printf "size: %s:%d: %s(): %d lines (at most %d)\n", f, start, name, n, max
			}
			start = 0
		}' "$f")
	if [ -n "$long" ]; then
		echo "$long" >&2
		fail=1
	fi
done

if [ "$fail" -ne 0 ]; then
	echo "check-size: FAILED (the rules are at the top of scripts/check-size.sh)" >&2
	exit 1
fi
echo "check-size: $nfiles files: each at most $MAX_FILE lines, each function at most $MAX_FUNC"
