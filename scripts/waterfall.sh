#!/bin/sh
# SPDX-License-Identifier: MIT
# The per-hop waterfall as an SVG picture (gnuplot):
#   scripts/waterfall.sh IN.json [OUT.svg] [MODE/PATH]
# IN: `nsbench explain --json`, `nsbench measure --per-hop --json`, or a results
# file of `nsbench run --per-hop` (MODE/PATH picks its entry, e.g. bridge/ingress;
# the first by default). Each segment of the round trip is a bar at the median
# time it starts (the medians before it, added up) and as long as its median:
# blue between two probes, grey what no hop accounts for (sockets, stacks,
# wake-ups), green the server itself.
set -eu
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

in=${1:?usage: waterfall.sh IN.json [OUT.svg] [MODE/PATH]}
out=${2:-waterfall.svg}
key=${3:-}
tmp_dir

jq -r --arg key "$key" '
	(if has("waterfall") then .waterfall
	 elif has("per_hop") then
		(.per_hop | if $key != "" then .[$key] else (to_entries[0].value) end)
	 else . end) as $w
	| if ($w.segments | length) == 0 then error("no per-hop segments in this file") else . end
	| ($w.mode + " " + $w.path + ", " + $w.test + ": median segments, "
	   + ($w.stitched | tostring) + " transactions") as $title
	| $title,
	  ($w.segments as $s
	   | foreach range(0; $s | length) as $i (0; . + $s[$i].p50_us;
		[$i, (. - $s[$i].p50_us), $s[$i].p50_us, $s[$i].part,
		 ($s[$i].from + " -> " + $s[$i].to)])
	   | @tsv)' "$in" >"$tmp/all"

head -n 1 "$tmp/all" >"$tmp/title"
tail -n +2 "$tmp/all" >"$tmp/data"
n=$(wc -l <"$tmp/data")
height=$((160 + 26 * n))

gnuplot <<GP
set terminal svg size 1100,$height dynamic noenhanced font "sans,11"
set output "$out"
set datafile separator "\t"
set title "$(sed 's/"/\\"/g' "$tmp/title")"
set xlabel "microseconds from the client's send"
set yrange [-$n:1]
set ytics nomirror
set xtics nomirror
set grid xtics
set key above horizontal
set style fill solid 0.8 noborder
set lmargin 52
plot "$tmp/data" using (strcol(4) eq "hop" ? \$2 + \$3 / 2 : 1/0):(-\$1):(\$3 / 2):(0.35):ytic(5) \
	with boxxyerror lc rgb "#2b6cb0" title "between two probes (a hop)", \
     "" using (strcol(4) eq "stack" ? \$2 + \$3 / 2 : 1/0):(-\$1):(\$3 / 2):(0.35):ytic(5) \
	with boxxyerror lc rgb "#a0aec0" title "no hop accounts for it (socket, stack, wake-up)", \
     "" using (strcol(4) eq "server" ? \$2 + \$3 / 2 : 1/0):(-\$1):(\$3 / 2):(0.35):ytic(5) \
	with boxxyerror lc rgb "#38a169" title "the server"
GP
echo "$out"
