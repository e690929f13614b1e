#ifndef MLAB_LIB_TESTING_TEMP_DIR_H_
#define MLAB_LIB_TESTING_TEMP_DIR_H_

#include <string>
#include <string_view>
#include <vector>

namespace mlab::testing {

// Where ShortTempDir puts its directories: unix socket paths must fit sun_path (108 bytes), and
// Bazel's $TEST_TMPDIR can be longer than that alone.
inline constexpr char kShortTempBase[] = "/tmp";

// A fresh directory for a test's files, removed with its contents on destruction. Aborts when it
// cannot be made: no test can go on without it.
class TempDir {
 public:
  // Under $TEST_TMPDIR, else /tmp.
  TempDir();
  // Under `base`.
  explicit TempDir(const std::string& base);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/relative.
  std::string File(std::string_view relative) const;
  // Writes `content` byte for byte to path()/relative, making its directories; returns the path.
  // Aborts when it cannot.
  std::string WriteFile(std::string_view relative, std::string_view content) const;

 private:
  std::string path_;
};

// A TempDir under kShortTempBase, for tests that bind unix sockets in it.
class ShortTempDir : public TempDir {
 public:
  ShortTempDir() : TempDir(kShortTempBase) {}
};

// Writes `content` byte for byte to `path`, making its directories; aborts when it cannot.
void WriteFileOrDie(const std::string& path, std::string_view content);

// Every regular file under `dir`, as paths relative to it, sorted; what vanishes meanwhile (a
// service under test at work) is skipped (spool::RegularFilesBelow).
std::vector<std::string> ListFiles(const std::string& dir);

}  // namespace mlab::testing

#endif  // MLAB_LIB_TESTING_TEMP_DIR_H_
