#ifndef MLAB_LIB_FLAGS_TEMP_DIR_H_
#define MLAB_LIB_FLAGS_TEMP_DIR_H_

#include <string>
#include <string_view>

namespace mlab::flags {

// A fresh directory under $TEST_TMPDIR (or /tmp) for test files, removed with its contents on
// destruction. Aborts if it cannot be created: tests cannot proceed without it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes content byte for byte to path()/name and returns the full path.
  std::string WriteFile(std::string_view name, std::string_view content) const;

 private:
  std::string path_;
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_TEMP_DIR_H_
