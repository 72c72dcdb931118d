#!/bin/bash
# SPDX-License-Identifier: MIT
# claims' throughput engine against iperf3's stream (issue 26): under
# `--schedule interleave` claims measures throughput as bulk tcp_rr
# transfers (16 MiB each, 2 MiB buffers both ends) that one client takes in
# turns between two labs. Here, in two held labs (host and bridge), REPS
# rounds of four measurements in turn, each DUR seconds: iperf3's stream
# (`measure tcp_stream --window`) and the bulk transfers (`measure tcp_rr
# --req 16M --resp 1 --window`), on host and on bridge. Printed: per engine
# and mode the median Gbit/s, each engine's bridge/host ratio (geometric
# mean of the rounds' ratios) and the bulk engine's Gbit/s over iperf3's per
# mode.
# Goal: the two engines' bridge/host ratios within 3% of each other (the
# ratio is what claims decides on); the absolute figures are shown, not
# judged (the bulk engine has no iperf3 timers or per-block bookkeeping).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top

REPS=${REPS:-8}
DUR=${DUR:-2}
WINDOW=${WINDOW:-2M}
BULK=${BULK:-16M}
need_root
need_tools jq
build_missing nsbench
tmp_dir

# Both labs held by processes of ours (--hold), as bench-engines.sh does.
declare -A LAB HOLD
cleanup() {
	set +e
	for m in "${!HOLD[@]}"; do
		kill "${HOLD[$m]}" 2>/dev/null && wait "${HOLD[$m]}"
	done
	rm -rf "${tmp:-}" # its own trap replaced tmp_dir's
}
trap cleanup EXIT INT TERM
for m in host bridge; do
	$NSB topo up $m --hold --json >"$tmp/$m.hold" &
	HOLD[$m]=$!
	for _ in $(seq 1 3000); do
		LAB[$m]=$(jq -r '.lab // empty' "$tmp/$m.hold" 2>/dev/null) && [ -n "${LAB[$m]}" ] && break
		kill -0 "${HOLD[$m]}" 2>/dev/null || die "topo up $m failed"
		sleep 0.01
	done
	[ -n "${LAB[$m]}" ] || die "no $m lab from topo up --hold"
done

# Gbit/s of one measurement: ENGINE (stream or bulk) on MODE.
gbps() {
	if [ "$1" = stream ]; then
		$NSB measure "$2" tcp_stream --lab "${LAB[$2]}" --window "$WINDOW" --duration "$DUR" \
			--json | jq '.metrics.throughput_bps / 1e9'
	else
		$NSB measure "$2" tcp_rr --lab "${LAB[$2]}" --window "$WINDOW" --req "$BULK" --resp 1 \
			--duration "$DUR" --json |
			jq '.rr.request_bytes * 8 / (.metrics.mean_us * 1e-6) / 1e9'
	fi
}

for r in $(seq 1 "$REPS"); do
	line="  round $r:"
	for e in stream bulk; do
		for m in host bridge; do
			v=$(gbps $e $m)
			echo "$r $e $m $v" >>"$tmp/rows"
			line="$line $e/$m $(printf '%.2f' "$v")"
		done
	done
	echo "$line"
done

echo
awk '
	{ g[$2 " " $3] = g[$2 " " $3] " " $4; v[$1, $2, $3] = $4; n = ($1 > n ? $1 : n) }
	function med(s,   a, k, i, j, t) {
		k = split(s, a, " ")
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		for (e = 1; e <= 2; e++) {
			en = e == 1 ? "stream" : "bulk"; s = 0
			for (r = 1; r <= n; r++) s += log(v[r, en, "bridge"] / v[r, en, "host"])
			ratio[en] = exp(s / n)
			printf "%-7s host %6.2f Gbit/s, bridge %6.2f Gbit/s (medians); bridge/host %.3f\n",
				en, med(g[en " host"]), med(g[en " bridge"]), ratio[en]
		}
		printf "bulk over stream: host %.3f, bridge %.3f\n",
			med(g["bulk host"]) / med(g["stream host"]), med(g["bulk bridge"]) / med(g["stream bridge"])
		d = ratio["bulk"] / ratio["stream"]
		printf "the engines'"'"' bridge/host ratios: %.3f apart (goal within 0.97-1.03)\n", d
		exit (d >= 0.97 && d <= 1.03) ? 0 : 1
	}' "$tmp/rows"
