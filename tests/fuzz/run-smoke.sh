#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target of a fuzz build for a fixed number of inputs.
# Usage: tests/fuzz/run-smoke.sh BUILD_DIR [RUNS]
set -euo pipefail
build=${1:?usage: run-smoke.sh BUILD_DIR [RUNS]}
runs=${2:-20000}
list="$build/fuzz_targets.txt"
[ -f "$list" ] || { echo "run-smoke: $list not found; configure with -DBAYLINK_BUILD_FUZZ=ON" >&2; exit 1; }
IFS=";" read -r -a targets < "$list" || true  # the list has no final newline
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Start from valid encodings (tests/fuzz/make_seeds.cpp) so short runs reach deep code.
"$build/tests/fuzz/make_seeds" "$work" > /dev/null
failed=0
for t in "${targets[@]}"; do
  exe=$(find "$build" -type f -name "$t" -perm -u+x | head -1)
  if [ -z "$exe" ]; then echo "run-smoke: $t not built" >&2; failed=1; continue; fi
  mkdir -p "$work/$t"
  if "$exe" -runs="$runs" -seed=1 -max_len=4096 -artifact_prefix="$work/$t/" "$work/$t" \
       > "$work/$t.log" 2>&1; then
    echo "fuzz $t: $runs inputs, no failure"
  else
    echo "fuzz $t: FAILED (log follows)"; tail -40 "$work/$t.log"; failed=1
  fi
done
exit $failed
