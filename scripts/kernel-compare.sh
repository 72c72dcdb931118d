#!/bin/sh
# SPDX-License-Identifier: MIT
# Compare kernels on one machine: `nsbench run` with the user's options under
# each kernel, each in its own guest (scripts/kernel-guest.sh), in interleaved
# rounds (A B C, A B C, ...) so that the machine's drift hits every kernel
# alike; one results file per kernel and round, then `nsbench compare
# --by-kernel` over them all.
#
#   kernel-compare.sh [--kernels "5.10 6.1 6.12"] [--rounds N] [--out DIR]
#                     [--accel auto|kvm|tcg] [--pin CPUS] [--smp N] [--mem MB]
#                     [--timeout S] [-- RUN_OPTIONS...]
#
# RUN_OPTIONS go to `nsbench run` unchanged (default: --quick); --out is this
# script's. run fixes the streams' window at 2 MiB or rmem_max where less:
# 212992 bytes (the old default) in a 6.12 guest, 2 MiB on 6.18, whose
# rmem_max is 4 MiB (compare warns when files differ in it). Pass --window 208K to give every kernel the same,
# or --window auto to compare how each kernel autotunes. Figures are performance figures only under KVM (a CPU with VT-x or
# AMD-V): under TCG every kernel works but is emulated, each results file says
# so (host.virt "tcg"), and compare decides nothing on them. --pin 2,3 pins the
# guest's vCPU threads, one host CPU each (KVM).
#
# Exit status: compare's (its verdicts say "emulated" under TCG); 1 when a
# round failed; 2 for a bad argument or a kernel that cannot be fetched.
# --out (a new or empty folder) gets one folder per round and kernel,
# roundR-kernelK/, each with that round's results file.
set -eu

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
die_status=2
kernels="5.10 6.1 6.12" rounds=3 out="" guest_opts="" timeout=1800

while [ $# -gt 0 ]; do
	case "$1" in
	--kernels) kernels=${2:?--kernels takes a list}; shift 2 ;;
	--rounds) rounds=${2:?--rounds takes a number}; shift 2 ;;
	--out) out=${2:?--out takes a folder}; shift 2 ;;
	--accel | --pin | --smp | --mem) guest_opts="$guest_opts $1 ${2:?$1 takes a value}"; shift 2 ;;
	--timeout) timeout=${2:?--timeout takes seconds}; shift 2 ;;
	--) shift; break ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
	*) die "unknown option $1 (nsbench run's options go after --)" ;;
	esac
done
case "$rounds" in '' | *[!0-9]* | 0) die "--rounds takes a whole number from 1" ;; esac
[ -n "$kernels" ] || die "--kernels: no kernel"
for a in "$@"; do
	case "$a" in --out | --out=*) die "--out is kernel-compare's own: give it before --" ;; esac
done
[ $# -gt 0 ] || set -- --quick
[ -x "$top/nsbench" ] || die "no $top/nsbench: build it first (make)"

out=${out:-$top/results/kernels-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
case "$out" in *[[:space:]]*) die "--out: a folder without spaces, please" ;; esac
[ -z "$(ls -A "$out")" ] || die "$out is not empty: give a new folder"

# Every kernel is fetched before the first round: a missing one stops nothing halfway.
for k in $kernels; do
	"$here/kernel-guest.sh" fetch "$k" >/dev/null
done

files="" n=0 total=$(( rounds * $(echo "$kernels" | wc -w) ))
for r in $(seq 1 "$rounds"); do
	for k in $kernels; do
		n=$((n + 1))
		say "round $r/$rounds, kernel $k ($n of $total)"
		# shellcheck disable=SC2086
		# A folder per kernel and round: the file a round wrote is the one there.
		dir="$out/round$r-kernel$k"
		mkdir -p "$dir"
		if ! (cd "$top" && "$here/kernel-guest.sh" run --timeout "$timeout" $guest_opts \
			--share "$out" "$k" -- ./nsbench run "$@" --out "$dir" >"$out/.last.log" 2>&1); then
			tail -n 20 "$out/.last.log" >&2
			rm -f "$out/.last.log"
			die "round $r under kernel $k failed (results so far in $out)" 1
		fi
		f=$(ls "$dir"/*.json 2>/dev/null || true)
		[ "$(echo "$f" | wc -w)" -eq 1 ] || die "round $r under kernel $k wrote no results file, or several, in $dir" 1
		files="$files $f"
	done
done
rm -f "$out/.last.log"
say "$total results files in $out/round*-kernel*/"
# The first kernel's first round first: it is compare's A.
# shellcheck disable=SC2086
exec "$top/nsbench" compare --by-kernel $files
