#include "services/tcp-info/testing/temp_dir.h"

#include <filesystem>
#include <fstream>

#include "glog/logging.h"

namespace mlab::tcpinfo::testing {

void WriteFileOrDie(const std::string& path, const std::string& contents) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << contents;
  CHECK(out.good()) << path;
}

}  // namespace mlab::tcpinfo::testing
