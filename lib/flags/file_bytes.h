#ifndef MLAB_LIB_FLAGS_FILE_BYTES_H_
#define MLAB_LIB_FLAGS_FILE_BYTES_H_

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/flags/flag_traits.h"

namespace mlab::flags {

// FileBytes is flagx.FileBytes: the flag value is a path, read when the flag is set. The content
// is kept byte for byte (never trimmed): e.g. the UUID prefix file must not gain a newline.
class FileBytes {
 public:
  FileBytes() = default;
  FileBytes(std::string path, std::string content)
      : path_(std::move(path)), content_(std::move(content)) {}

  // Reads the whole file; an unreadable path (missing, a directory, no permission) is an error.
  static absl::StatusOr<FileBytes> Read(std::string_view path);

  const std::string& path() const { return path_; }
  const std::string& content() const { return content_; }

  friend bool operator==(const FileBytes& a, const FileBytes& b) {
    return a.path_ == b.path_ && a.content_ == b.content_;
  }

 private:
  std::string path_;
  std::string content_;
};

template <>
struct FlagTraits<FileBytes> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(const FileBytes&) { return "file"; }
  static absl::Status Parse(std::string_view text, FileBytes* value);
  static std::string Format(const FileBytes& value) { return value.path(); }
  static bool IsZero(const FileBytes& value) {
    return value.path().empty() && value.content().empty();
  }
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_FILE_BYTES_H_
