#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make demo`: Baylink's local three-region network. Starts a Guangdong chain (gd, suite sm),
# a Hong Kong chain (hk, ecdsa) and a Macau chain (mo, ecdsa), 4 validators each, on loopback
# with data under one folder; prints each chain's height as it advances and makes one asset
# transfer on each chain. Ctrl-C stops every node; running it again resumes the same chains.
# Usage: deploy/demo.sh BUILD_DIR [network.sh options]   (BAYLINK_DEMO_DIR sets the folder)
set -euo pipefail
build=${1:-build}
shift || true
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/network.sh" --build "$build" --dir "${BAYLINK_DEMO_DIR:-demo-network}" \
  --chains gd:sm,hk:ecdsa,mo:ecdsa --validators 4 "$@"
