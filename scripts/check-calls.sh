#!/bin/bash
# SPDX-License-Identifier: MIT
# No two files call each other, nor any longer circle of calls: from the built
# objects of the plain build (the Makefile's LIB_OBJS and CLI_OBJS), each file
# that uses a global symbol (function or variable) another file defines depends
# on that file; tsort names the files of any loop. Build first (make nsbench).
set -u
cd "$(dirname "$0")/.." || exit 1

# shellcheck disable=SC2016 # $(...) is make's, expanded by make
objs=$(make -s --no-print-directory --eval='print-objs: ; @echo $(LIB_OBJS) $(CLI_OBJS)' \
	print-objs | tr ' ' '\n' | grep -v '^$')
[ -n "$objs" ] || { echo "check-calls: no objects named by the Makefile" >&2; exit 1; }
missing=0
for o in $objs; do
	[ -f "$o" ] || { echo "check-calls: $o is not built (make nsbench first)" >&2; missing=1; }
done
[ "$missing" -eq 0 ] || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# symbol file, for every global symbol an object defines
for o in $objs; do
	nm -g --defined-only "$o" | awk -v f="${o%.o}.c" 'NF == 3 { print $3, f }'
done | sort -k1,1 >"$tmp/defs"
if dups=$(cut -d' ' -f1 "$tmp/defs" | uniq -d) && [ -n "$dups" ]; then
	echo "check-calls: symbols defined twice:" >&2
	echo "$dups" | sed 's/^/  /' >&2
	exit 1
fi

# symbol user, for every symbol an object uses and does not define
for o in $objs; do
	nm -u "$o" | awk -v f="${o%.o}.c" '{ print $NF, f }'
done | sort -k1,1 >"$tmp/uses"

# user definer, once each: the file-to-file call graph
join "$tmp/uses" "$tmp/defs" | awk '$2 != $3 { print $2, $3 }' | sort -u >"$tmp/edges"

fail=0
if ! loops=$(tsort "$tmp/edges" 2>&1 >/dev/null) || [ -n "$loops" ]; then
	echo "check-calls: files call each other in a circle:" >&2
	# tsort names a loop's files a line each, after "input contains a loop:"
	echo "$loops" | sed 's/^tsort: //' | awk '
		/input contains a loop:$/ { if (l) print "  loop: " l; l = ""; next }
		{ l = l ? l " -> " $0 : $0 }
		END { if (l) print "  loop: " l }' >&2
	# each pair that calls both ways, with what each calls of the other
	awk '{ print $1, $2; print $2, $1 }' "$tmp/edges" | sort | uniq -d |
		awk '$1 < $2' | while read -r a b; do
		echo "  $a <-> $b:" >&2
		for pair in "$a $b" "$b $a"; do
			read -r u d <<<"$pair"
			syms=$(join "$tmp/uses" "$tmp/defs" |
				awk -v u="$u" -v d="$d" '$2 == u && $3 == d { print $1 }' | paste -sd' ')
			echo "    $u uses $syms" >&2
		done
	done
	fail=1
fi

if [ "$fail" -ne 0 ]; then
	echo "check-calls: FAILED (the rule is at the top of scripts/check-calls.sh)" >&2
	exit 1
fi
echo "check-calls: $(echo "$objs" | wc -l) objects, $(wc -l <"$tmp/edges") file-to-file calls, no circle"
