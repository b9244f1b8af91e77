#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make demo`: runs Baylink's main job on a local network.
# Usage: deploy/demo.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
cat <<TXT
Baylink demo
------------
The foundation is built in $build: core chain types, the sm and ecdsa crypto suites and
Merkle proofs, with their tests (make test) and benchmarks (make bench).

The local three-region network (gd on the sm suite, hk and mo on ecdsa, 4 validators each)
needs the chain node and consensus, which are not built yet; this command will start it
once they are. Nothing was started.
TXT
exit 0
