#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the micro-benchmarks with repetitions and prints medians (docs/benchmarks.md).
# Usage: deploy/run-bench.sh BUILD_DIR [extra Google Benchmark flags]
set -euo pipefail
build=${1:?usage: run-bench.sh BUILD_DIR [flags]}
shift || true
for b in crypto_bench merkle_bench lightclient_bench; do
  echo "== $b"
  "$build/bench/$b" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_display_aggregates_only=true "$@" | grep -E 'median|^Benchmark|^-' || true
done
