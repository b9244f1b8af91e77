#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Idle cost of the three-region network (issue target: all 12 nodes <= 10% of one core).
# Starts deploy/network.sh (gd on sm, hk and mo on ecdsa, 4 validators each) in a fresh
# folder without the demonstration transfers, lets it settle, then reads the CPU time of every
# node process from /proc over a window and prints it as a share of one core.
# Usage: bench/network_idle.sh [BUILD_DIR] [WINDOW_SECONDS]
set -euo pipefail
build=${1:-build}
window=${2:-60}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/baylink-idle-XXXXXX)
"$here/deploy/network.sh" --build "$build" --dir "$dir" --no-transfer \
  --seconds $((window + 40)) >"$dir/launcher.log" 2>&1 &
launcher=$!
sleep 25  # every chain makes its first blocks and goes idle (a heartbeat every 10 s)
pids=$(pgrep -f "baylink-node run --config $dir/" || true)
count=$(echo "$pids" | wc -w)
ticks() {
  local total=0 p
  for p in $pids; do
    # utime and stime: fields 14 and 15 of /proc/PID/stat (the command may hold spaces, so
    # count from the closing parenthesis).
    read -r u s < <(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12, $13}')
    total=$((total + u + s))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)
t0=$(ticks)
sleep "$window"
t1=$(ticks)
kill -TERM "$launcher" 2>/dev/null || true
wait "$launcher" 2>/dev/null || true
awk -v d=$((t1 - t0)) -v hz="$hz" -v w="$window" -v n="$count" \
  'BEGIN { printf "network idle: %d nodes used %.2f%% of one core over %d s (%.2f%% per node)\n", n, 100 * d / hz / w, w, 100 * d / hz / w / n }'
rm -rf "$dir"
