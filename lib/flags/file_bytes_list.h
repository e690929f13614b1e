#ifndef MLAB_LIB_FLAGS_FILE_BYTES_LIST_H_
#define MLAB_LIB_FLAGS_FILE_BYTES_LIST_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "lib/flags/file_bytes.h"
#include "lib/flags/flag_traits.h"

namespace mlab::flags {

// FileBytesList is flagx.FileBytesArray: repeatable, comma-separated paths, each read raw.
// Empty items are dropped, as in StringList.
using FileBytesList = std::vector<FileBytes>;

template <>
struct FlagTraits<FileBytesList> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = true;
  static std::string TypeName(const FileBytesList&) { return "files"; }
  // Reads every path before appending any, so one unreadable file adds nothing.
  static absl::Status Parse(std::string_view text, FileBytesList* value);
  static std::string Format(const FileBytesList& value);  // comma-separated paths
  static bool IsZero(const FileBytesList& value) { return value.empty(); }
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_FILE_BYTES_LIST_H_
