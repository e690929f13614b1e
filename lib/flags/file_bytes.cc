#include "lib/flags/file_bytes.h"

#include "lib/flags/read_file.h"

namespace mlab::flags {

absl::StatusOr<FileBytes> FileBytes::Read(std::string_view path) {
  std::string name(path);
  absl::StatusOr<std::string> content = internal::ReadFileBytes(name);
  if (!content.ok()) return content.status();
  return FileBytes(std::move(name), *std::move(content));
}

absl::Status FlagTraits<FileBytes>::Parse(std::string_view text, FileBytes* value) {
  absl::StatusOr<FileBytes> read = FileBytes::Read(text);
  if (!read.ok()) return read.status();
  *value = *std::move(read);
  return absl::OkStatus();
}

}  // namespace mlab::flags
