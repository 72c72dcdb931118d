#!/bin/bash
# SPDX-License-Identifier: MIT
# Every command's options, in the three places a user reads them, are the same
# list (make test runs this, through integ_ci):
#  1. the usage lines of `nsbench CMD --help` (its "Usage:" block);
#  2. bash completion (share/bash-completion/nsbench), asked as a shell would;
#  3. the man page nsbench(8), which names every one of them.
# A mismatch prints the command and the option, and the script exits 1.
# It sources no scripts/lib.sh: integ_ci runs a copy of it alone, in a tree of its own.
set -u
cd "$(dirname "$0")/.."
NSB=${NSB:-./nsbench}
COMPLETION=/usr/share/bash-completion/bash_completion
[ -x "$NSB" ] || { echo "check-options: build $NSB first" >&2; exit 1; }
[ -f "$COMPLETION" ] || { echo "SKIP: check-options needs bash-completion" >&2; exit 4; }
fail=0

# The words before the options, per command: what completion needs to offer them.
declare -A WORDS=([run]="run" [compare]="compare a.json" [report]="report a.json"
	[claims]="claims" [calibrate]="calibrate" [topo]="topo up bridge" [explain]="explain bridge"
	[measure]="measure host tcp_rr" [clean]="clean" [doctor]="doctor")

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

man_has() { # OPTION: named in the man page (groff writes -- as \-\-)
	grep -qF -- "$(echo "$1" | sed 's/-/\\-/g')" share/man/nsbench.8
}

for cmd in "${!WORDS[@]}"; do
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
	for o in $u; do
		man_has "$o" || { echo "$cmd: $o is not in the man page"; fail=1; }
	done
done
[ $fail = 0 ] && echo "check-options: every command's usage lines, completion and man page agree"
exit $fail
