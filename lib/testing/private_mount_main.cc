// main() of :small_filesystem tests: the mount namespace comes first, while this process still
// has a single thread, then gtest.
#include "gtest/gtest.h"
#include "lib/testing/small_filesystem.h"

int main(int argc, char** argv) {
  mlab::testing::internal::EnterPrivateMountNamespace();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
