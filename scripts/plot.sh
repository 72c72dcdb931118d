#!/bin/bash
# SPDX-License-Identifier: MIT
# A chart of the modes side by side, one series per results file (per kernel,
# say), bars at the median with min-max error bars, through gnuplot.
#   scripts/plot.sh [-m METRIC] [-t TEST] [-p PATH] [-n TASKS] [-o OUT.svg|OUT.png] A.json [B.json ...]
# METRIC: throughput_bps (default; shown in Gbit/s), tps, p50_us, p99_us.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top 2>/dev/null || true
metric=throughput_bps test= path=ingress out=nsbench.svg tasks=1
while getopts "m:t:p:o:n:" opt; do
	case $opt in
	m) metric=$OPTARG ;;
	t) test=$OPTARG ;;
	p) path=$OPTARG ;;
	o) out=$OPTARG ;;
	n) tasks=$OPTARG ;;
	*) echo "usage: $0 [-m METRIC] [-t TEST] [-p PATH] [-n TASKS] [-o OUT] A.json [B.json ...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "at least one results file" 2
command -v gnuplot >/dev/null || die "needs gnuplot (Debian package gnuplot-nox)"
if [ -z "$test" ]; then
	case $metric in
	throughput_bps) test=tcp_stream ;;
	tps) test=tcp_crr ;;
	*) test=tcp_rr ;;
	esac
fi
files=("$@")
[ ${#files[@]} -eq 1 ] && files+=("$1") # compare needs two; the second is ignored below
nseries=$#
tmp_dir
"$NSB" compare --format csv "${files[@]}" >"$tmp/all.csv"

scale=1 unit=$metric
case $metric in
throughput_bps) scale=1e-9 unit="Gbit/s" ;;
tps) unit="transactions/s" ;;
p50_us|p99_us) unit="${metric%_us} latency, us" ;;
esac

# One row per mode: median min max for each file, in file order. Paths other
# than the asked one are skipped, except loopback for none mode. Compare's CSV
# columns: 1 mode, 2 tasks, 3 path, 4 test, 5 metric, 8 median, 10 min, 11 max,
# 19 verdict, 24 family (IPv4's rows only: an IPv6 row is a test of its own).
awk -F, -v m="$metric" -v t="$test" -v p="$path" -v n="$nseries" -v s="$scale" -v nt="$tasks" '
	NR > 1 && $5 == m && $4 == t && ($3 == p || $3 == "loopback") && $2 == nt &&
	($24 == "" || $24 == "ipv4") {
		if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 }
		idx = ++count[$1]
		if (idx <= n && $19 != "missing") row[$1, idx] = sprintf("%g %g %g", $8 * s, $10 * s, $11 * s)
	}
	END {
		for (i = 1; i <= k; i++) {
			line = order[i]
			for (j = 1; j <= n; j++) line = line " " ((order[i], j) in row ? row[order[i], j] : "NaN NaN NaN")
			print line
		}
	}' "$tmp/all.csv" >"$tmp/data"
[ -s "$tmp/data" ] || die "no $test $metric on path $path in these files"

plots=
for j in $(seq 1 "$nseries"); do
	col=$((2 + (j - 1) * 3))
	label=$(basename "${!j}" .json)
	plots+="${plots:+, }'$tmp/data' using $col:$((col + 1)):$((col + 2)):xtic(1) title '$label'"
done
case $out in
*.png) term="pngcairo size 1000,600 noenhanced" ;;
*) term="svg size 1000,600 noenhanced" ;;
esac
gnuplot <<-EOT
	set terminal $term
	set output '$out'
	set title "nsbench: $test $metric, path $path (median, min-max over repetitions)"
	set ylabel "$unit"
	set yrange [0:*]
	set style data histogram
	set style histogram errorbars gap 2 lw 1
	set style fill solid 0.6 border -1
	set key outside bottom center horizontal
	set grid ytics
	plot $plots
EOT
echo "plot: $out"
