#include "services/uuid-annotator/annotated_log.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mlab::uuid_annotator {

AnnotatedLog::AnnotatedLog(std::string path, Options options)
    : options_(options), file_(std::move(path)) {}

absl::Status AnnotatedLog::Load(absl::Time now) {
  absl::StatusOr<std::vector<std::string>> lines = file_.ReadAll();
  // Unreadable: remember in memory only, and leave the file as it is for the next start.
  if (!lines.ok()) return lines.status();
  for (const std::string& line : *lines) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(line, absl::MaxSplits(' ', 1));
    int64_t seconds;
    if (!absl::SimpleAtoi(parts.first, &seconds) || parts.second.empty()) continue;
    if (uuids_.insert(std::string(parts.second)).second) {
      by_time_.emplace_back(seconds, std::string(parts.second));
    }
  }
  // Lines are appended in time order, but a clock step may reorder them: sort once here.
  std::sort(by_time_.begin(), by_time_.end());
  Expire(now);
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(path()).parent_path(), error);
  if (error) return absl::InternalError(absl::StrCat("mkdir for ", path(), ": ", error.message()));
  return Compact();
}

absl::Status AnnotatedLog::Record(absl::string_view uuid, absl::Time now) {
  const int64_t seconds = absl::ToUnixSeconds(now);
  if (uuids_.insert(std::string(uuid)).second) by_time_.emplace_back(seconds, std::string(uuid));
  Expire(now);
  if (!file_.is_open()) return absl::OkStatus();
  // A failed append leaves nothing behind (LineLog), so later records still parse.
  if (absl::Status s = file_.Append(absl::StrCat(seconds, " ", uuid)); !s.ok()) return s;
  ++lines_in_file_;
  if (lines_in_file_ > uuids_.size() + options_.compact_slack) return Compact();
  return absl::OkStatus();
}

void AnnotatedLog::Expire(absl::Time now) {
  const int64_t oldest = absl::ToUnixSeconds(now - options_.retention);
  while (!by_time_.empty() && by_time_.front().first < oldest) {
    uuids_.erase(by_time_.front().second);
    by_time_.pop_front();
  }
}

absl::Status AnnotatedLog::Compact() {
  std::vector<std::string> lines;
  lines.reserve(by_time_.size());
  for (const auto& [seconds, uuid] : by_time_) lines.push_back(absl::StrCat(seconds, " ", uuid));
  if (absl::Status s = file_.Rewrite(lines); !s.ok()) return s;
  lines_in_file_ = lines.size();
  return absl::OkStatus();
}

}  // namespace mlab::uuid_annotator
