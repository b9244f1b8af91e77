// SPDX-License-Identifier: Apache-2.0
//
// Thread names: set on the calling thread only, cut to the 15 bytes Linux keeps.
#include <doctest/doctest.h>

#include <string>
#include <thread>

#include "baylink/core/thread_name.h"

namespace baylink::core::test {
namespace thread_name_test {
namespace {

TEST_CASE("a thread names itself and no other") {
  const std::string before = ThisThreadName();
  std::string seen;
  std::string cut;
  std::thread worker([&] {
    NameThisThread("producer");
    seen = ThisThreadName();
    NameThisThread("a-name-longer-than-fifteen-bytes");
    cut = ThisThreadName();
  });
  worker.join();
  CHECK(seen == "producer");
  CHECK(cut == "a-name-longer-t");
  CHECK(cut.size() == 15);
  CHECK(ThisThreadName() == before);
}

}  // namespace
}  // namespace thread_name_test
}  // namespace baylink::core::test
