#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts a local Baylink network: several regional chains, each with its own validators
# running PBFT on loopback, data under one folder. Prints each chain's height as it advances,
# makes one asset transfer on each chain, and runs until Ctrl-C, which stops every node
# cleanly. Running it again with the same folder resumes the same chains.
set -euo pipefail

usage() {
  cat <<TXT
usage: deploy/network.sh [options]
  --build DIR         build folder with chain/baylink-node and gateway/baylink (default build)
  --dir DIR           data folder of the network (default ./network)
  --chains LIST       comma-separated chain:suite pairs (default gd:sm,hk:ecdsa,mo:ecdsa)
  --validators N      validators per chain, 1..16 (default 4)
  --base-port P       first port; chain c, validator v use P+100c+10v .. +2 (default 27000)
  --block-interval-ms N   target time between blocks under load (default 1000)
  --heartbeat-ms N    an idle chain makes a block this often (default 10000)
  --no-transfer       do not make the demonstration transfers
  --seconds N         stop by itself after N seconds (default: run until Ctrl-C)
  --help              this text
TXT
}

build=build
dir=network
chains="gd:sm,hk:ecdsa,mo:ecdsa"
validators=4
base_port=27000
interval=1000
heartbeat=10000
transfer=1
seconds=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --chains) chains=$2; shift 2 ;;
    --validators) validators=$2; shift 2 ;;
    --base-port) base_port=$2; shift 2 ;;
    --block-interval-ms) interval=$2; shift 2 ;;
    --heartbeat-ms) heartbeat=$2; shift 2 ;;
    --no-transfer) transfer=0; shift ;;
    --seconds) seconds=$2; shift 2 ;;
    --help|-h) usage; exit 0 ;;
    *) echo "network.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$validators" in ''|*[!0-9]*) echo "network.sh: --validators needs a number" >&2; exit 2 ;; esac
if [ "$validators" -lt 1 ] || [ "$validators" -gt 16 ]; then
  echo "network.sh: --validators must be 1..16" >&2; exit 2
fi
node_bin=$build/chain/baylink-node
cli_bin=$build/gateway/baylink
for bin in "$node_bin" "$cli_bin"; do
  [ -x "$bin" ] || { echo "network.sh: $bin is missing; build first (make build)" >&2; exit 1; }
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

IFS=, read -r -a chain_list <<<"$chains"
pids=()
names=()

stop_all() {
  trap - INT TERM
  echo
  echo "stopping ${#pids[@]} nodes..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped; data in $dir (run again to resume)"
}
trap 'stop_all; exit 0' INT TERM

port_of() { echo $((base_port + 100 * $1 + 10 * $2 + $3)); }

# ---- set up each chain once (a second run finds it and resumes) --------------------------
ci=0
for entry in "${chain_list[@]}"; do
  chain=${entry%%:*}
  suite=${entry#*:}
  cdir=$dir/$chain
  if [ ! -f "$cdir/genesis.json" ]; then
    echo "creating chain $chain ($suite) with $validators validators in $cdir"
    mkdir -p "$cdir"
    keys=()
    for ((v = 0; v < validators; v++)); do
      mkdir -p "$cdir/v$v"
      "$node_bin" keygen --suite "$suite" --out "$cdir/v$v/validator.key" >/dev/null
      keys+=(--validator-key "$cdir/v$v/validator.key")
    done
    "$node_bin" init --chain-id "$chain" --suite "$suite" "${keys[@]}" --out "$cdir/init" \
      --block-interval-ms "$interval" --heartbeat-ms "$heartbeat" >/dev/null
    mv "$cdir/init/genesis.json" "$cdir/genesis.json"
    rm -rf "$cdir/init"
  fi
  for ((v = 0; v < validators; v++)); do
    peers=""
    peer_rpc=""
    for ((w = 0; w < validators; w++)); do
      [ "$w" -eq "$v" ] && continue
      peers+="${peers:+, }\"tcp://127.0.0.1:$(port_of $ci $w 2)\""
      peer_rpc+="${peer_rpc:+, }\"127.0.0.1:$(port_of $ci $w 0)\""
    done
    cat >"$cdir/v$v/node.json" <<JSON
{
  "data_dir": "data",
  "genesis": "../genesis.json",
  "validator_key": "validator.key",
  "rpc": { "address": "127.0.0.1", "port": $(port_of $ci $v 0), "threads": 1 },
  "events": { "endpoint": "tcp://127.0.0.1:$(port_of $ci $v 1)" },
  "consensus": {
    "listen": "tcp://127.0.0.1:$(port_of $ci $v 2)",
    "peers": [ $peers ],
    "peer_rpc": [ $peer_rpc ]
  }
}
JSON
    "$node_bin" run --config "$cdir/v$v/node.json" >>"$cdir/v$v/node.log" 2>&1 &
    pids+=($!)
    names+=("$chain/v$v")
  done
  ci=$((ci + 1))
done
echo "started ${#pids[@]} nodes; logs in $dir/<chain>/v<N>/node.log; Ctrl-C stops them"

height_of() {  # chain index -> height reported by its first live validator, or "-"
  local c=$1 v out
  for ((v = 0; v < validators; v++)); do
    if out=$("$cli_bin" --node "127.0.0.1:$(port_of "$c" "$v" 0)" --timeout-ms 1000 chain info 2>/dev/null); then
      echo "$out" | awk '$1 == "height:" || $1 == "height" {print $2; exit}'
      return
    fi
  done
  echo "-"
}

demo_transfer() {  # chain index, chain name
  local c=$1 chain=$2 node key to
  node="127.0.0.1:$(port_of "$c" 0 0)"
  key=$dir/$chain/v0/validator.key
  to=0x00000000000000000000000000000000000000b1
  "$cli_bin" --node "$node" asset create --key "$key" --symbol DEMO >/dev/null 2>&1 || true
  if "$cli_bin" --node "$node" asset mint --key "$key" --symbol DEMO --to \
       "$(awk -F'"' '/"address"/ {print $4}' "$key")" --amount 1000 >/dev/null 2>&1 &&
     "$cli_bin" --node "$node" asset transfer --key "$key" --symbol DEMO --to "$to" \
       --amount 10 >/dev/null 2>&1; then
    echo "$chain: transferred 10 DEMO to $to; its balance is now $("$cli_bin" --node "$node" asset balance --symbol DEMO --owner "$to" 2>/dev/null | tail -1)"
  else
    echo "$chain: the demonstration transfer did not complete (see $dir/$chain/v0/node.log)"
  fi
}

start=$(date +%s)
transferred=0
while true; do
  sleep 2
  line=""
  ready=1
  ci=0
  for entry in "${chain_list[@]}"; do
    h=$(height_of $ci)
    line+="${entry%%:*}=$h  "
    [ "$h" = "-" ] && ready=0
    ci=$((ci + 1))
  done
  echo "$(date +%H:%M:%S)  heights: $line"
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "node ${names[$i]} exited; see its node.log" >&2
      unset 'pids[i]'
    fi
  done
  if [ "$transfer" -eq 1 ] && [ "$transferred" -eq 0 ] && [ "$ready" -eq 1 ]; then
    transferred=1
    ci=0
    for entry in "${chain_list[@]}"; do
      demo_transfer $ci "${entry%%:*}" &
      ci=$((ci + 1))
    done
  fi
  if [ "$seconds" -gt 0 ] && [ $(($(date +%s) - start)) -ge "$seconds" ]; then
    stop_all
    exit 0
  fi
done
