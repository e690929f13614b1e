#ifndef MLAB_SERVICES_TCP_INFO_TESTING_TEMP_DIR_H_
#define MLAB_SERVICES_TCP_INFO_TESTING_TEMP_DIR_H_

#include <string>
#include <vector>

namespace mlab::tcpinfo::testing {

// A fresh directory under $TEST_TMPDIR (or /tmp), removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  // Under `base` instead, e.g. "/tmp" for unix socket paths, which must be short.
  explicit TempDir(const std::string& base);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Every regular file below `dir`, as paths relative to it, sorted.
std::vector<std::string> ListFiles(const std::string& dir);

// Writes `contents` to `path`, creating parent directories.
void WriteFileOrDie(const std::string& path, const std::string& contents);

}  // namespace mlab::tcpinfo::testing

#endif  // MLAB_SERVICES_TCP_INFO_TESTING_TEMP_DIR_H_
