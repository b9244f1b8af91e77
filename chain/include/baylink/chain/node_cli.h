// SPDX-License-Identifier: Apache-2.0
//
// The `baylink-node` command line: keygen, init, run. Lives in the library so tests drive
// it without an executable; baylink-node's main only calls RunNodeCli.
#pragma once

namespace baylink::chain {

// Runs the command in argv. Returns the process exit code: 0 success, 1 failure (the
// message was printed to stderr), 2 bad usage (the usage was printed).
int RunNodeCli(int argc, char** argv);

}  // namespace baylink::chain
