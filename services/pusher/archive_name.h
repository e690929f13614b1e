#ifndef MLAB_SERVICES_PUSHER_ARCHIVE_NAME_H_
#define MLAB_SERVICES_PUSHER_ARCHIVE_NAME_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::pusher {

// Names archives as upstream's namer does:
//   <experiment>/<datatype>/<subdir>/<YYYYMMDDTHHMMSS.ffffff>Z-<datatype>-<node>-<experiment>.tgz
// (an empty subdir collapses). Unlike upstream, a name is fixed once per archive, and times
// strictly increase per namer so two archives never share a name.
class ArchiveNamer {
 public:
  ArchiveNamer(std::string experiment, std::string datatype, std::string node);

  std::string Name(absl::string_view subdir, absl::Time now);

 private:
  const std::string experiment_;
  const std::string datatype_;
  const std::string node_;
  absl::Time last_ = absl::InfinitePast();
};

// The archive subdirectory of a file: the first up-to-three directory components of its path
// relative to the datatype root ("2024/05/01/x.json" -> "2024/05/01"; "x.json" -> "").
std::string SubdirOf(absl::string_view relative_path);

enum class PathVerdict {
  kOk,
  // Uploaded, but counted in pusher_strange_filenames_total: not under a 20YY/MM/DD directory.
  kStrange,
  // Left in place and counted: characters outside [A-Za-z0-9/:._-], a hidden component
  // (leading dot, including "." and ".."), or an empty component.
  kRejected,
};

// Lints a path relative to the datatype root; *why explains anything but kOk.
PathVerdict LintRelativePath(absl::string_view relative_path, std::string* why);

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_ARCHIVE_NAME_H_
