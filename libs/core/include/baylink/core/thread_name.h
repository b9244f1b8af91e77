// SPDX-License-Identifier: Apache-2.0
//
// Names for the threads a Baylink process starts ("producer", "consensus", "http-server", ...), as
// `top -H`, `ps -L`, gdb and perf show them, so that an operator can tell which part of a node
// is busy.
#pragma once

#include <string>
#include <string_view>

namespace baylink::core {

// Names the calling thread. Linux keeps at most 15 bytes: a longer name is cut. Best effort:
// a platform without thread names ignores it.
void NameThisThread(std::string_view name);

// The calling thread's name ("" where the platform keeps none).
std::string ThisThreadName();

}  // namespace baylink::core
