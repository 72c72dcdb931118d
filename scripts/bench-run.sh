#!/bin/bash
# SPDX-License-Identifier: MIT
# The harness's own figures (issue 4):
#  1. overhead: wall time of a default `nsbench run` against the sum of its
#     measurement durations (goal: under 15%);
#  2. sensitivity: three runs of the same labs, the second with a tbf on the
#     wire; `compare --fail-above GATE` must flag A->B and must not flag A->C.
#     GATE (default 10%) has to sit above the drift between two identical runs
#     on the machine, which this script measures and prints (A->C).
set -euo pipefail
cd "$(dirname "$0")/.."
NSB=./nsbench
SHAPE=${SHAPE:-10G}
GATE=${GATE:-10}
[ "$(id -u)" -eq 0 ] || { echo "bench-run: needs root" >&2; exit 1; }
dir=$(mktemp -d /tmp/nsbench-bench-run-XXXXXX)
trap 'rm -rf "$dir"' EXIT
jget() { jq -r "$1" "$2"; }
fail=0

if [ "${SKIP_OVERHEAD:-0}" != 1 ]; then
	t0=$EPOCHREALTIME
	$NSB run --out "$dir/default" >/dev/null 2>"$dir/default.log"
	t1=$EPOCHREALTIME
	f=$(ls "$dir"/default/*.json)
	measured=$(jget .measured_s "$f")
	awk -v a="$t0" -v b="$t1" -v m="$measured" 'BEGIN {
		w = b - a
		printf "overhead: default run took %.1f s for %.1f s of measurement: %.1f%% (goal < 15%%)\n", w, m, (w / m - 1) * 100
		exit (w / m - 1) * 100 >= 15
	}' || fail=1
fi

args="--modes host,bridge,awsvpc --tests tcp_stream,tcp_rr --reps 5 --duration 2 --rr-duration 1"
$NSB run $args --out "$dir/a" >/dev/null 2>&1
$NSB run $args --shape-wire "$SHAPE" --out "$dir/b" >/dev/null 2>&1
$NSB run $args --out "$dir/c" >/dev/null 2>&1
A=$(ls "$dir"/a/*.json) B=$(ls "$dir"/b/*.json) C=$(ls "$dir"/c/*.json)
echo "sensitivity: $args; B with a ${SHAPE}bit/s tbf on the wire (vpc0)"
set +e
$NSB compare "$A" "$B" --fail-above "$GATE" >"$dir/ab.txt" 2>&1; ab=$?
$NSB compare "$A" "$C" --fail-above "$GATE" >"$dir/ac.txt" 2>&1; ac=$?
set -e
grep -E "slower|faster" "$dir/ab.txt" | sed 's/^/  A->B  /'
grep -E "slower|faster" "$dir/ac.txt" | sed 's/^/  A->C  /'
# CSV columns: 6 headline, 13 change_pct, 19 verdict.
$NSB compare "$A" "$C" --format csv 2>/dev/null | awk -F, '$19 != "baseline" && NR > 1 && $6 == 1 {
		c = $13 < 0 ? -$13 : $13
		if (c > all) all = c
		if (($19 == "slower" || $19 == "faster") && c > sig) sig = c
	}
	END { printf "drift between identical runs A and C: largest change %.1f%%, largest significant change %.1f%%\n", all, sig }'
echo "A->B (shaped):   compare --fail-above $GATE exit $ab (goal 1: regression flagged)"
echo "A->C (unshaped): compare --fail-above $GATE exit $ac (goal 0: nothing flagged)"
[ $ab -eq 1 ] || fail=1
[ $ac -eq 0 ] || fail=1
exit $fail
