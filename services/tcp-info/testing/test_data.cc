#include "services/tcp-info/testing/test_data.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mlab::tcpinfo::testing {

std::string SharedTestData(absl::string_view relative) {
  std::vector<std::string> candidates;
  if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
    candidates.push_back(absl::StrCat(srcdir, "/mlab_node/external/shared_testdata/", relative));
    candidates.push_back(absl::StrCat(srcdir, "/shared_testdata/", relative));
  }
  candidates.push_back(absl::StrCat("external/shared_testdata/", relative));
  candidates.push_back(absl::StrCat("../shared_testdata/", relative));
  for (const std::string& path : candidates) {
    if (access(path.c_str(), R_OK) == 0) return path;
  }
  return candidates.front();
}

}  // namespace mlab::tcpinfo::testing
