#!/bin/bash
# SPDX-License-Identifier: MIT
# The CI workflow's compare step, runnable anywhere:
#   scripts/ci-compare.sh BASELINE_DIR CURRENT_DIR [SUMMARY_FILE]
# CURRENT_DIR holds one folder per runner label (nsbench-LABEL/, as the
# workflow's artifacts download), each with that runner's results file.
# BASELINE_DIR holds the baseline of each label: LABEL.json (committed to the
# repository) or nsbench-LABEL/*.json (a previous run's artifacts). Each label
# is compared with its baseline (`nsbench compare --format markdown
# --fail-above $NSBENCH_FAIL_ABOVE`, default 10) into SUMMARY_FILE (default
# $GITHUB_STEP_SUMMARY, else stdout), then all current files side by side.
# Exit 1 when a label regressed beyond the threshold, 2 when a gate cannot
# decide (too few repetitions, an emulated CPU) or a file cannot be read; the
# summary says which.
set -uo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
FAIL_ABOVE=${NSBENCH_FAIL_ABOVE:-10}
base=${1:?usage: ci-compare.sh BASELINE_DIR CURRENT_DIR [SUMMARY]}
cur=${2:?usage: ci-compare.sh BASELINE_DIR CURRENT_DIR [SUMMARY]}
summary=${3:-${GITHUB_STEP_SUMMARY:-/dev/stdout}}
rc=0
all=()

{
	echo "# nsbench: each kernel against its baseline"
	echo
	echo "Gate: a headline metric slower by more than ${FAIL_ABOVE}% (estimate), after"
	echo "Benjamini-Hochberg over the headline metrics; across different machines only the"
	echo "ratios to host mode count."
	echo
} >>"$summary"
for d in "$cur"/nsbench-*/; do
	[ -d "$d" ] || continue
	label=$(basename "$d")
	label=${label#nsbench-}
	now=$(ls "$d"*.json 2>/dev/null | head -1)
	if [ -z "$now" ]; then
		echo "## $label: no results file (the benchmark job failed?)" >>"$summary"
		rc=1
		continue
	fi
	all+=("$now")
	ref=""
	if [ -f "$base/$label.json" ]; then
		ref="$base/$label.json"
	elif ls "$base/nsbench-$label/"*.json >/dev/null 2>&1; then
		ref=$(ls "$base/nsbench-$label/"*.json | head -1)
	fi
	if [ -z "$ref" ]; then
		printf '## %s: no baseline yet\n\nNothing to compare against; this run can become it.\n\n' \
			"$label" >>"$summary"
		continue
	fi
	echo "## $label" >>"$summary"
	echo >>"$summary"
	"$NSB" compare "$ref" "$now" --format markdown --fail-above "$FAIL_ABOVE" \
		>>"$summary" 2>"$cur/.compare-$label.err"
	st=$?
	echo >>"$summary"
	case $st in
	0) echo "**$label: no regression above ${FAIL_ABOVE}%.**" >>"$summary" ;;
	1)
		echo "**$label: REGRESSION** — $(tail -1 "$cur/.compare-$label.err")" >>"$summary"
		rc=1
		;;
	*)
		# Two different exit 2s: a gate that cannot decide (too few repetitions,
		# an emulated CPU) and a file compare cannot read; say which.
		err=$(cat "$cur/.compare-$label.err")
		if grep -qE -- '--fail-above cannot decide|was measured on an emulated CPU' "$cur/.compare-$label.err"; then
			why="the gate cannot decide"
		else
			why="cannot read the results"
		fi
		echo "**$label: $why** — $err" >>"$summary"
		[ $rc -eq 1 ] || rc=2
		;;
	esac
	echo >>"$summary"
	rm -f "$cur/.compare-$label.err"
done
if [ ${#all[@]} -ge 2 ]; then
	{
		echo "# All kernels side by side (for reading, not a gate)"
		echo
		"$NSB" compare "${all[@]}" --format markdown 2>/dev/null
	} >>"$summary"
fi
exit $rc
