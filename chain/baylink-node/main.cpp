// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "baylink/chain/node_cli.h"

int main(int argc, char** argv) {
#if defined(__GLIBC__)
  // glibc gives threads that allocate at once arenas of their own, up to eight per core, and
  // a freed block serves only its own arena: after a burst of load the node's threads kept
  // hundreds of MiB spread over a dozen arenas (a 1M-account node idled at 545 MiB after
  // 100,000 transfers; 97-133 MiB with one arena per core and the node's idle trim, see
  // Node::Start). An operator's MALLOC_ARENA_MAX wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) {
    mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  }
#endif
  try {
    return baylink::chain::RunNodeCli(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "baylink-node: fatal: %s\n", e.what());
    return 1;
  }
}
