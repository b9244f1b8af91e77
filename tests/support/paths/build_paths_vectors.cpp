// SPDX-License-Identifier: Apache-2.0
#include "build_paths.h"

namespace baylink::testing {
const char* const kVectorsDir = BAYLINK_VECTORS_DIR;
}  // namespace baylink::testing
