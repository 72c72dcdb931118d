#!/bin/bash
# SPDX-License-Identifier: MIT
# The layout's rules, checked on the tree (make test runs this; no build needed):
#  1. Layers, lowest first: include < netns < bench < harness/common <
#     harness/lab < harness/reports < harness/measure < harness/cli. A file
#     includes project headers of its own layer or lower ones only (so netns/
#     and bench/ include nothing from harness/, and include/ only itself).
#     Module headers are named by their path from the top ("netns/rt.h");
#     include/'s by their path inside it ("nsbench/rr_wire.h", -Iinclude).
#     Generated headers (the BPF skeleton, build-gen/) are the build's, not a layer's.
#  2. No circle of includes between modules (a module: X.c with X.h).
#  3. Only the CLI prints: outside harness/cli/ no printf, puts, putchar,
#     perror, vprintf, dprintf or log_*(), and no stdout or stderr. Library code
#     writes only to the FILE * its caller gives it, and speaks through
#     harness/common/notice.h.
#  4. Every script that starts with #! (scripts/, .ci/) is executable in git,
#     so that a clean clone runs it as make does (./scripts/NAME.sh).
set -u
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
LAYERS=(include netns bench harness/common harness/lab harness/reports harness/measure harness/cli)
fail=0

layer_of() {
	local i
	for i in "${!LAYERS[@]}"; do
		case "$1" in "${LAYERS[$i]}"/*) echo "$i"; return ;; esac
	done
	echo -1
}

sources=$(git ls-files -co --exclude-standard -- 'include/*.h' 'netns/*.[ch]' 'bench/*.[ch]' \
	'harness/*.[ch]' | sort -u)
[ -n "$sources" ] || die "no sources found"

# 1. Includes go down the layers.
tmp_dir
edges=$tmp/edges
: >"$edges"
for f in $sources; do
	[ -f "$f" ] || continue
	lf=$(layer_of "$f")
	while IFS= read -r inc; do
		if [ -f "$inc" ] && [ -f "include/$inc" ]; then
			echo "layout: $f includes \"$inc\", which names a file at the top and in include/" >&2
			fail=1
			continue
		fi
		[ -f "$inc" ] || [ ! -f "include/$inc" ] || inc=include/$inc
		[ -f "$inc" ] || { echo "layout: $f includes \"$inc\", which is neither a path from the top nor one in include/" >&2; fail=1; continue; }
		li=$(layer_of "$inc")
		if [ "$li" -lt 0 ]; then
			echo "layout: $f includes \"$inc\", outside the layers" >&2
			fail=1
		elif [ "$li" -gt "$lf" ]; then
			echo "layout: $f (${LAYERS[$lf]}) includes $inc from ${LAYERS[$li]}, a layer above" >&2
			fail=1
		fi
		a=${f%.*} b=${inc%.*}
		[ "$a" = "$b" ] || echo "$a $b" >>"$edges"
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | grep -v '\.skel\.h$' | grep -v '^build-gen/')
done

# 2. No circle: tsort names the modules of a loop.
if ! loops=$(tsort "$edges" 2>&1 >/dev/null) || [ -n "$loops" ]; then
	echo "layout: modules include each other in a circle:" >&2
	echo "$loops" | sed 's/^/  /' >&2
	fail=1
fi

# 3. Only the CLI prints (comment lines aside).
printing='(^|[^_[:alnum:]])(printf|puts|putchar|perror|vprintf|dprintf|log_(err|warn|info|debug|msg))[[:space:]]*\(|(^|[^_[:alnum:]])std(out|err)([^_[:alnum:]]|$)'
for f in $sources; do
	case "$f" in harness/cli/*) continue ;; esac
	[ -f "$f" ] || continue
	hits=$(grep -nE "$printing" "$f" | grep -vE '^[0-9]+:[[:space:]]*(/\*|\*|//)')
	if [ -n "$hits" ]; then
		echo "layout: $f prints; only harness/cli/ may:" >&2
		echo "$hits" | sed 's/^/  /' >&2
		fail=1
	fi
done

# 4. Scripts with #! are executable as committed (the index's mode, not the checkout's).
while read -r mode _ _ f; do
	[ "$mode" = 100755 ] && continue
	if [ "$(head -c 2 "$f")" = '#!' ]; then
		echo "layout: $f starts with #! but is not executable in git (git update-index --chmod=+x)" >&2
		fail=1
	fi
done < <(git ls-files -s -- 'scripts/*' '.ci/*')

if [ "$fail" -ne 0 ]; then
	die "FAILED (the rules are at the top of scripts/check-layout.sh)"
fi
echo "check-layout: $(echo "$sources" | wc -l) files: includes go down the layers, no circle, only harness/cli/ prints, scripts executable"
