#include "lib/flags/string_file.h"

#include "absl/strings/str_cat.h"
#include "lib/flags/read_file.h"

namespace mlab::flags {

absl::StatusOr<StringFile> StringFile::Parse(std::string_view text) {
  StringFile parsed;
  if (!text.empty() && text[0] == '@') {
    parsed.path_ = std::string(text.substr(1));
    absl::StatusOr<std::string> content = internal::ReadFileBytes(parsed.path_);
    if (!content.ok()) return content.status();
    parsed.value_ = *std::move(content);
  } else {
    parsed.value_ = std::string(text);
  }
  return parsed;
}

std::string StringFile::ToString() const {
  return path_.empty() ? value_ : absl::StrCat("@", path_);
}

absl::Status FlagTraits<StringFile>::Parse(std::string_view text, StringFile* value) {
  absl::StatusOr<StringFile> parsed = StringFile::Parse(text);
  if (!parsed.ok()) return parsed.status();
  *value = *std::move(parsed);
  return absl::OkStatus();
}

}  // namespace mlab::flags
