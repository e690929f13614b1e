#ifndef MLAB_LIB_FLAGS_STRING_FILE_H_
#define MLAB_LIB_FLAGS_STRING_FILE_H_

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/flags/flag_traits.h"

namespace mlab::flags {

// StringFile is flagx.StringFile: a literal string, or "@path" for the file's raw content (not
// trimmed: upstream keeps a trailing newline too, so operators write such files without one).
class StringFile {
 public:
  StringFile() = default;
  explicit StringFile(std::string value) : value_(std::move(value)) {}

  static absl::StatusOr<StringFile> Parse(std::string_view text);

  const std::string& value() const { return value_; }
  // The file the value came from, or "" for a literal.
  const std::string& path() const { return path_; }
  // "@path" for a file value, else the literal.
  std::string ToString() const;

  friend bool operator==(const StringFile& a, const StringFile& b) {
    return a.value_ == b.value_ && a.path_ == b.path_;
  }

 private:
  std::string value_;
  std::string path_;
};

template <>
struct FlagTraits<StringFile> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(const StringFile&) { return "string|@file"; }
  static absl::Status Parse(std::string_view text, StringFile* value);
  static std::string Format(const StringFile& value) { return value.ToString(); }
  static bool IsZero(const StringFile& value) {
    return value.value().empty() && value.path().empty();
  }
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_STRING_FILE_H_
