#ifndef MLAB_SERVICES_TCP_INFO_TESTING_TEMP_DIR_H_
#define MLAB_SERVICES_TCP_INFO_TESTING_TEMP_DIR_H_

#include "lib/testing/temp_dir.h"

namespace mlab::tcpinfo::testing {

using ::mlab::testing::ListFiles;
using ::mlab::testing::TempDir;
using ::mlab::testing::WriteFileOrDie;

}  // namespace mlab::tcpinfo::testing

#endif  // MLAB_SERVICES_TCP_INFO_TESTING_TEMP_DIR_H_
