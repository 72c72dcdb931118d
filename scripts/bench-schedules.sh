#!/bin/bash
# SPDX-License-Identifier: MIT
# The schedules of side-by-side rounds measured on this machine (issue 26):
# for each of alternate, random and duet, RUNS runs of `claims --only
# host-fastest` (host, bridge and awsvpc, 12 rounds), A/B as they are and A/A
# with "awsvpc" built as a second host lab (the test build's NSBENCH_BREAK=aa).
# Per schedule and ratio it prints the mean of the runs' paired log ratios
# (A/A: the bias, which should be 0), their per-round spread, the seconds a
# round took, and what decides between schedules: the 95% half-width the
# spread gives at equal measuring time (150 s of rounds), in percent.
# The narrowest unbiased schedule is the one to make the default.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
NSB=./nsbench-test
RUNS=${RUNS:-3}
SCHEDULES=${SCHEDULES:-alternate random duet}
BUDGET_S=${BUDGET_S:-150}
need_root
build_missing nsbench-test
tmp_dir

# One claims document as rows: schedule kind ratio metric run log(x/host) seconds_per_round.
rows() { # FILE SCHEDULE KIND RUN
	jq -r --arg s "$2" --arg k "$3" --arg i "$4" '
		.performance as $p | ($p.seconds / $p.rounds) as $spr |
		["awsvpc", "bridge"][] as $m |
		[["tcp_rr_p50_us", "p50"], ["throughput_bps", "throughput"]][] as $q |
		$p.modes[$m][$q[0]] as $x |
		($p.modes[$m]["host_" + $q[0]] // $p.modes.host[$q[0]]) as $h |
		range(0; $p.rounds) as $r |
		select($x[$r] > 0 and $h[$r] > 0) |
		[$s, $k, ($m + "/host"), $q[1], $i, (($x[$r] / $h[$r]) | log), $spr] | @tsv' "$1"
}

for s in $SCHEDULES; do
	for i in $(seq 1 "$RUNS"); do
		for kind in ab aa; do
			f=$tmp/$s-$kind-$i.json
			if [ $kind = aa ]; then
				NSBENCH_BREAK=aa $NSB claims --only host-fastest --schedule "$s" \
					--format json >"$f" 2>>"$tmp/log" || true
			else
				$NSB claims --only host-fastest --schedule "$s" --format json \
					>"$f" 2>>"$tmp/log" || true
			fi
			rows "$f" "$s" "$kind" "$i" >>"$tmp/rows.tsv"
			echo "  $s $kind run $i: $(jq -r '.performance | "\(.rounds) rounds in \(.seconds | floor) s, steal up to \(.noise.steal_max_pct)%"' "$f")"
		done
	done
done

# Per schedule, kind and ratio: the mean of the runs' mean log ratios (A/A:
# the bias), the spread of those means between runs, the per-round sd within
# a run (pooled), seconds per round, and the 95% half-width that sd gives at
# BUDGET_S seconds of rounds (1.96 sd / sqrt(rounds that fit), in percent).
echo
printf '%-10s %-3s %-12s %-10s %6s %8s %8s %8s %7s %10s\n' schedule ab ratio metric rounds \
	"mean%" "runs-sd%" "sd%" "s/round" "+/-%@${BUDGET_S}s"
sort -t"$(printf '\t')" -k1,1 -k2,2 -k3,3 -k4,4 -k5,5n "$tmp/rows.tsv" | awk -F'\t' -v B="$BUDGET_S" '
	function run_end() {
		if (rn < 2) return
		rm = rs / rn; within += rss - rn * rm * rm; dfw += rn - 1
		nm++; ms += rm; mss += rm * rm; n += rn
	}
	function flush() {
		run_end()
		if (dfw < 1) return
		sd = sqrt(within / dfw); spr = t / n; m = ms / nm
		bsd = nm > 1 ? sqrt((mss - nm * m * m) / (nm - 1)) : 0
		hw = 1.96 * sd / sqrt(B / spr)
		printf "%-10s %-3s %-12s %-10s %6d %+8.2f %8.2f %8.2f %7.1f %10.2f\n", k1, k2, k3, k4,
			n, (exp(m) - 1) * 100, bsd * 100, sd * 100, spr, (exp(hw) - 1) * 100
	}
	{ key = $1 FS $2 FS $3 FS $4
	  if (key != last) { flush(); n = within = dfw = nm = ms = mss = t = 0; rn = rs = rss = 0
		last = key; lastrun = $5; k1 = $1; k2 = $2; k3 = $3; k4 = $4 }
	  if ($5 != lastrun) { run_end(); rn = rs = rss = 0; lastrun = $5 }
	  rn++; rs += $6; rss += $6 * $6; t += $7 }
	END { flush() }'
