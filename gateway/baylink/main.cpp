// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include <exception>

#include "baylink/gateway/cli.h"

int main(int argc, char** argv) {
  try {
    return baylink::gateway::RunCli(argc, argv, stdout, stderr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "baylink: fatal: %s\n", e.what());
    return 1;
  }
}
