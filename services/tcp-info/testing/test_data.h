#ifndef MLAB_SERVICES_TCP_INFO_TESTING_TEST_DATA_H_
#define MLAB_SERVICES_TCP_INFO_TESTING_TEST_DATA_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mlab::tcpinfo::testing {

// The path of `relative` (e.g. "tcp-info/netlink/testdata/testdata.zst") inside the
// @shared_testdata repository, as the test's runfiles hold it.
std::string SharedTestData(absl::string_view relative);

}  // namespace mlab::tcpinfo::testing

#endif  // MLAB_SERVICES_TCP_INFO_TESTING_TEST_DATA_H_
