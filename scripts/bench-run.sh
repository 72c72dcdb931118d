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
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
SHAPE=${SHAPE:-10G}
GATE=${GATE:-10}
need_root
tmp_dir
jget() { jq -r "$1" "$2"; }
fail=0

if [ "${SKIP_OVERHEAD:-0}" != 1 ]; then
	t0=$EPOCHREALTIME
	$NSB run --out "$tmp/default" >/dev/null 2>"$tmp/default.log"
	t1=$EPOCHREALTIME
	f=$(ls "$tmp"/default/*.json)
	measured=$(jget .measured_s "$f")
	awk -v a="$t0" -v b="$t1" -v m="$measured" 'BEGIN {
		w = b - a
		printf "overhead: default run took %.1f s for %.1f s of measurement: %.1f%% (goal < 15%%)\n", w, m, (w / m - 1) * 100
		exit (w / m - 1) * 100 >= 15
	}' || fail=1
fi

args="--modes host,bridge,awsvpc --tests tcp_stream,tcp_rr --reps 5 --duration 2 --rr-duration 1"
# shellcheck disable=SC2086 # args holds words
$NSB run $args --out "$tmp/a" >/dev/null 2>&1
# shellcheck disable=SC2086
$NSB run $args --shape-wire "$SHAPE" --out "$tmp/b" >/dev/null 2>&1
# shellcheck disable=SC2086
$NSB run $args --out "$tmp/c" >/dev/null 2>&1
A=$(ls "$tmp"/a/*.json) B=$(ls "$tmp"/b/*.json) C=$(ls "$tmp"/c/*.json)
echo "sensitivity: $args; B with a ${SHAPE}bit/s tbf on the wire (vpc0)"
set +e
$NSB compare "$A" "$B" --fail-above "$GATE" >"$tmp/ab.txt" 2>&1; ab=$?
$NSB compare "$A" "$C" --fail-above "$GATE" >"$tmp/ac.txt" 2>&1; ac=$?
set -e
grep -E "slower|faster" "$tmp/ab.txt" | sed 's/^/  A->B  /'
grep -E "slower|faster" "$tmp/ac.txt" | sed 's/^/  A->C  /'
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
