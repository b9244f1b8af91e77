// SPDX-License-Identifier: Apache-2.0
#include "build_paths.h"

namespace baylink::testing {
const char* const kNodeProgram = BAYLINK_NODE_PATH;
}  // namespace baylink::testing
