#include "lib/flags/file_bytes_list.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/flags/absl_compat.h"

namespace mlab::flags {

absl::Status FlagTraits<FileBytesList>::Parse(std::string_view text, FileBytesList* value) {
  FileBytesList read;
  for (absl::string_view path : absl::StrSplit(internal::ToAbsl(text), ',', absl::SkipEmpty())) {
    absl::StatusOr<FileBytes> file = FileBytes::Read(internal::ToStd(path));
    if (!file.ok()) return file.status();
    read.push_back(*std::move(file));
  }
  for (FileBytes& file : read) value->push_back(std::move(file));
  return absl::OkStatus();
}

std::string FlagTraits<FileBytesList>::Format(const FileBytesList& value) {
  return absl::StrJoin(value, ",",
                       [](std::string* out, const FileBytes& file) { out->append(file.path()); });
}

}  // namespace mlab::flags
