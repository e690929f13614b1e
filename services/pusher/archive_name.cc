#include "services/pusher/archive_name.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace mlab::pusher {
namespace {

bool AllowedChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
         c == ':' || c == '.' || c == '_' || c == '-';
}

bool Digits(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

ArchiveNamer::ArchiveNamer(std::string experiment, std::string datatype, std::string node)
    : experiment_(std::move(experiment)), datatype_(std::move(datatype)), node_(std::move(node)) {}

std::string ArchiveNamer::Name(absl::string_view subdir, absl::Time now) {
  // Names carry microseconds: step past the previous name if the clock did not move (or went back).
  now = absl::FromUnixMicros(absl::ToUnixMicros(now));
  if (now <= last_) now = last_ + absl::Microseconds(1);
  last_ = now;
  std::string stamp = absl::FormatTime("%Y%m%dT%H%M%E6SZ", now, absl::UTCTimeZone());
  std::string base = absl::StrCat(stamp, "-", datatype_, "-", node_, "-", experiment_, ".tgz");
  if (subdir.empty()) return absl::StrCat(experiment_, "/", datatype_, "/", base);
  return absl::StrCat(experiment_, "/", datatype_, "/", subdir, "/", base);
}

std::string SubdirOf(absl::string_view relative_path) {
  std::vector<absl::string_view> parts = absl::StrSplit(relative_path, '/');
  // The file name. Abseil splits a null string_view into no parts at all.
  if (!parts.empty()) parts.pop_back();
  if (parts.size() > 3) parts.resize(3);
  return absl::StrJoin(parts, "/");
}

PathVerdict LintRelativePath(absl::string_view relative_path, std::string* why) {
  if (relative_path.empty()) {
    *why = "empty path";
    return PathVerdict::kRejected;
  }
  for (char c : relative_path) {
    if (!AllowedChar(c)) {
      *why = "character outside [A-Za-z0-9/:._-]";
      return PathVerdict::kRejected;
    }
  }
  std::vector<absl::string_view> parts = absl::StrSplit(relative_path, '/');
  for (absl::string_view part : parts) {
    if (part.empty()) {
      *why = "empty path component";
      return PathVerdict::kRejected;
    }
    if (part[0] == '.') {
      *why = "hidden path component";
      return PathVerdict::kRejected;
    }
  }
  bool dated = parts.size() == 4 && Digits(parts[0], 4) && parts[0].substr(0, 2) == "20" &&
               Digits(parts[1], 2) && Digits(parts[2], 2);
  if (!dated) {
    *why = "not directly under a 20YY/MM/DD directory";
    return PathVerdict::kStrange;
  }
  return PathVerdict::kOk;
}

}  // namespace mlab::pusher
