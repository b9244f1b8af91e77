// SPDX-License-Identifier: Apache-2.0
//
// Paths of this checkout that tests and benchmarks need at run time: the built node program
// and the test vectors. Each is compiled into its own one-line translation unit
// (build_paths_node.cpp, build_paths_vectors.cpp), so that only those two tiny objects depend on
// where the tree is checked out, and the compiler cache serves every other object to a clone
// at another path.
#pragma once

namespace baylink::testing {

// Absolute path of the `baylink-node` program of this build (library baylink_node_path).
extern const char* const kNodeProgram;
// Absolute path of tests/vectors (library baylink_vectors_dir).
extern const char* const kVectorsDir;

}  // namespace baylink::testing
