#!/bin/sh
# SPDX-License-Identifier: MIT
# `make run`: every mode's lab, brought up, shown and taken down again.
# (The traffic engines and `nsbench run` build on these labs.)
set -eu
cd "$(dirname "$0")/.."
for mode in awsvpc bridge bridge-dynamic host none; do
	echo "=== $mode"
	out=$(./nsbench topo up "$mode" --tasks 2 --port 5201,5202 --max-enis 3)
	echo "$out" | grep -v '^remove with'
	id=$(echo "$out" | sed -n 's/^lab \([0-9a-f]*\) .*/\1/p')
	./nsbench topo down "$id"
done
