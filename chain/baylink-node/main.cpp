// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include <exception>

#include "baylink/chain/node_cli.h"

int main(int argc, char** argv) {
  try {
    return baylink::chain::RunNodeCli(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "baylink-node: fatal: %s\n", e.what());
    return 1;
  }
}
