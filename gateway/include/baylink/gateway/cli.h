// SPDX-License-Identifier: Apache-2.0
//
// The `baylink` command line (DESIGN §2 gateway/): keys, chain status, assets and
// transactions, against one node over its JSON-RPC interface. It lives in the library so
// tests drive it without an executable; baylink's main only calls RunCli.
//
//   baylink [--node HOST:PORT] [--timeout-ms N] <command> [options]
//
// Commands: key new, chain info, asset create|mint|transfer|balance|supply, tx get, help.
// `--help` after any prefix of a command prints the usage of what it names. The full usage
// text is the one RunCli prints for `baylink --help`.
//
// Trust: the command trusts the node it is pointed at for what it reports (heights,
// balances, receipts); it checks only that the answers decode and match the request (the
// transaction hash the node returns is the one signed). Verifying them against validator
// signatures is the light client's job (light-clients/), which the gateway service uses.
#pragma once

#include <cstdio>

namespace baylink::gateway {

// Runs the command in argv (argv[0] is the program name). Results go to `out`, one
// "name value" pair per line (balance prints the bare amount); errors go to `err` as
// "baylink: <what was wrong and what to do>".
// Returns the process exit code: 0 success, 1 failure (the node cannot be reached, refuses
// the request, a committed transaction failed, a file cannot be read or written), 2 bad
// usage (an unknown command or option, a missing or malformed value; the command's usage
// follows the message).
// Thread safety: any thread; calls share nothing.
int RunCli(int argc, char** argv, std::FILE* out, std::FILE* err);

}  // namespace baylink::gateway
