# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# What the scripts share; each sources it first:
#   . "$(dirname "$0")/lib.sh"
# POSIX sh (deps.sh, kernel-guest.sh and others run under dash); no `local`,
# so its own variables are named _nsb_*. It sets the variables below and
# defines functions only: it changes no directory and sets no trap by itself.

# The script's name in its messages: bench-lab for scripts/bench-lab.sh.
SCRIPT=$(basename "$0" .sh)
# The scripts' folder and the tree's top, absolute.
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
# The nsbench binary the scripts run: $NSB when the caller set it, else the
# tree's (relative: the scripts run it from the top, after cd_top).
NSB=${NSB:-./nsbench}

# The message on stderr, after the script's name.
say() {
	echo "$SCRIPT: $*" >&2
}

# die MESSAGE [STATUS]: say MESSAGE and exit STATUS; by default $die_status,
# 1 unless the script sets it (the kernel scripts exit 2 for a bad argument).
die() {
	say "$1"
	exit "${2:-${die_status:-1}}"
}

# need_root [WHY]: exit 1 unless run as root ("SCRIPT: needs root (WHY)").
# shellcheck disable=SC2120 # WHY is optional
need_root() {
	[ "$(id -u)" -eq 0 ] || die "needs root${1:+ ($1)}" 1
}

# need_tools TOOL...: exit 1, naming the first one missing, unless every TOOL is on PATH.
need_tools() {
	for _nsb_t in "$@"; do
		command -v "$_nsb_t" >/dev/null || die "needs $_nsb_t" 1
	done
}

# skip MESSAGE: "SKIP: SCRIPT: MESSAGE" on stdout, and exit 4 (a test's SKIP).
skip() {
	echo "SKIP: $SCRIPT: $1"
	exit 4
}

# Into the tree's top, where the scripts run nsbench, make and git.
cd_top() {
	cd "$top" || return
}

# build_missing TARGET...: `make TARGET...` quietly, when one of them is not built.
build_missing() {
	for _nsb_t in "$@"; do
		[ -x "./$_nsb_t" ] || {
			make --no-print-directory "$@" >/dev/null
			return
		}
	done
}

# tmp_dir [NAME]: a new folder /tmp/NAME-XXXXXX (NAME: nsbench-SCRIPT) in
# $tmp, removed when the script exits. One at a time: it is an EXIT trap,
# which the next tmp_dir, or the script's own trap, replaces.
# shellcheck disable=SC2120 # NAME is optional
tmp_dir() {
	tmp=$(mktemp -d "/tmp/${1:-nsbench-$SCRIPT}-XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
}

# wait_listen NS PORT: wait up to about 5 s for a TCP listener on PORT in namespace NS.
wait_listen() {
	for _ in $(seq 1 500); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.01
	done
	say "nothing listens on port $2 in $1"
	return 1
}

# part NAME: NAME is one of the words of $PARTS (the parts of a benchmark to run).
part() {
	case " $PARTS " in *" $1 "*) return 0 ;; esac
	return 1
}

# The median of the numbers on stdin, one a line.
median() {
	sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}

# The count of nsbench's namespaces (nsb-*) on the machine: a benchmark's leftovers.
leftover_netns() {
	_nsb_n=0
	for _nsb_f in /run/netns/nsb-*; do
		[ -e "$_nsb_f" ] && _nsb_n=$((_nsb_n + 1))
	done
	echo "$_nsb_n"
}
