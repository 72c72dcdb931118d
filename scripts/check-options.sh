#!/bin/bash
# SPDX-License-Identifier: MIT
# Every command's options, in the three places a user reads them, are the same
# list (make test runs this, through integ_ci):
#  1. the usage lines of `nsbench CMD --help` (its "Usage:" block);
#  2. bash completion (share/bash-completion/nsbench), asked as a shell would;
#  3. the command's man page, share/man/nsbench-CMD.8 (as ip-netns(8) is
#     iproute2's page for `ip netns`): every option of the usage lines is named
#     there, and every option the page describes (an item of a .TP list) is one
#     of the usage lines'.
# The commands are those `nsbench --help` lists; each has a page, and
# nsbench(8) names each page. A mismatch prints the command and the option, and
# the script exits 1.
# It sources no scripts/lib.sh: integ_ci runs a copy of it alone, in a tree of its own.
set -u
cd "$(dirname "$0")/.."
NSB=${NSB:-./nsbench}
COMPLETION=/usr/share/bash-completion/bash_completion
MAN=share/man
[ -x "$NSB" ] || { echo "check-options: build $NSB first" >&2; exit 1; }
[ -f "$COMPLETION" ] || { echo "SKIP: check-options needs bash-completion" >&2; exit 4; }
fail=0

# The words before the options, per command: what completion needs to offer them.
declare -A WORDS=([run]="run" [compare]="compare a.json" [report]="report a.json"
	[claims]="claims" [calibrate]="calibrate" [topo]="topo up bridge" [explain]="explain bridge"
	[measure]="measure host tcp_rr" [clean]="clean" [doctor]="doctor")

commands() { # the commands of `nsbench --help`, one a line
	"$NSB" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1; next } on { exit }' |
		sort -u
}

usage_opts() { # CMD: the options of its usage lines, one a line
	"$NSB" "$1" --help | awk 'NR == 1 || /^ +(\[|nsbench)/ { print; next } { exit }' |
		grep -o -- '--[a-z0-9-]*' | sort -u
}

completion_opts() { # CMD: what completion offers after "--"
	bash -c "source $COMPLETION; source share/bash-completion/nsbench;
		COMP_WORDS=(nsbench ${WORDS[$1]} --); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1));
		COMP_LINE=\"\${COMP_WORDS[*]}\"; COMP_POINT=\${#COMP_LINE}; COMPREPLY=(); _nsbench;
		printf '%s\n' \"\${COMPREPLY[@]}\"" | grep -- '^--' | grep -vx -- '--help' | sort -u
}

man_has() { # PAGE OPTION: named in the page (groff writes -- as \-\-)
	grep -qF -- "$(echo "$2" | sed 's/-/\\-/g')" "$1"
}

man_items() { # PAGE: the options its .TP items describe, one a line
	awk '/^\.TP/ { getline; print }' "$1" | sed 's/\\-/-/g' | grep -o -- '--[a-z0-9-]*' | sort -u
}

listed=$(commands)
[ -n "$listed" ] || { echo "check-options: $NSB --help lists no command" >&2; exit 1; }
while read -r o; do
	[ -n "$o" ] || continue
	echo "check-options: $o is a command of $NSB --help, but not of this script"
	fail=1
done < <(comm -23 <(echo "$listed") <(printf '%s\n' "${!WORDS[@]}" | sort))

for cmd in "${!WORDS[@]}"; do
	page=$MAN/nsbench-$cmd.8
	u=$(usage_opts "$cmd")
	c=$(completion_opts "$cmd")
	while read -r o; do
		[ -n "$o" ] || continue
		echo "$cmd: $o is in its usage lines but not in bash completion"
		fail=1
	done < <(comm -23 <(echo "$u") <(echo "$c"))
	while read -r o; do
		[ -n "$o" ] || continue
		echo "$cmd: $o is offered by bash completion but not in its usage lines"
		fail=1
	done < <(comm -13 <(echo "$u") <(echo "$c"))
	if [ ! -f "$page" ]; then
		echo "$cmd: its man page $page is missing"
		fail=1
		continue
	fi
	man_has "$MAN/nsbench.8" "nsbench-$cmd" ||
		{ echo "$cmd: nsbench(8) does not name nsbench-$cmd(8)"; fail=1; }
	for o in $u; do
		man_has "$page" "$o" || { echo "$cmd: $o is not in its man page $page"; fail=1; }
	done
	while read -r o; do
		[ -n "$o" ] || continue
		echo "$cmd: $page describes $o, which is not in its usage lines"
		fail=1
	done < <(comm -13 <(echo "$u") <(man_items "$page"))
done
[ $fail = 0 ] &&
	echo "check-options: every command's usage lines, completion and man page nsbench-CMD.8 agree"
exit $fail
