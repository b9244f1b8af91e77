# SPDX-License-Identifier: Apache-2.0
# Quick start: `make test` and `make demo` (README.md). Both install missing Debian packages.

JOBS     ?= $(shell nproc)
BUILD    ?= build
ASAN     ?= build-asan
FUZZ     ?= build-fuzz
FUZZRUNS ?= 20000
CMAKE_GEN = -G Ninja
# Debug information of the normal build: line tables (files and lines in backtraces, perf
# profiles and test failures) build the tree about a third faster than full debug information;
# `make DEBUG_INFO=-g ...` keeps variables and types for gdb.
DEBUG_INFO ?= -g1

.PHONY: all deps build build-asan build-fuzz test test-asan fuzz-smoke bench demo clean

all: build

deps:
	./deploy/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 $(DEBUG_INFO) -DNDEBUG" \
	  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 $(DEBUG_INFO) -DNDEBUG"
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(ASAN) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DBAYLINK_SANITIZE=ON \
	  -DBAYLINK_BUILD_BENCH=OFF -DBAYLINK_BUILD_E2E=OFF
	cmake --build $(ASAN) -j $(JOBS)

build-fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DBAYLINK_BUILD_FUZZ=ON -DBAYLINK_BUILD_TESTS=OFF -DBAYLINK_BUILD_BENCH=OFF
	cmake --build $(FUZZ) -j $(JOBS) --target fuzz_all

fuzz-smoke: build-fuzz
	./tests/fuzz/run-smoke.sh $(FUZZ) $(FUZZRUNS)

test-asan: build-asan
	ctest --test-dir $(ASAN) -L 'unit|integration' -j $(JOBS) --output-on-failure

# Every test: fuzz targets for a fixed number of inputs, unit and integration tests under
# AddressSanitizer + UBSan (the e2e programs are not built there), then the whole suite (unit,
# integration, e2e) on the normal build.
test: build fuzz-smoke test-asan
	ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure

bench: build
	./deploy/run-bench.sh $(BUILD)

demo: build
	./deploy/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ)
