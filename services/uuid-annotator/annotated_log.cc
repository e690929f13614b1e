#include "services/uuid-annotator/annotated_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mlab::uuid_annotator {
namespace {

absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, absl::StrCat("write ", path));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

AnnotatedLog::AnnotatedLog(std::string path, Options options)
    : path_(std::move(path)), options_(options) {}

AnnotatedLog::~AnnotatedLog() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status AnnotatedLog::Load(absl::Time now) {
  std::ifstream in(path_);
  std::string line;
  while (std::getline(in, line)) {
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
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), error);
  if (error) return absl::InternalError(absl::StrCat("mkdir for ", path_, ": ", error.message()));
  return Compact();
}

absl::Status AnnotatedLog::Record(absl::string_view uuid, absl::Time now) {
  const int64_t seconds = absl::ToUnixSeconds(now);
  if (uuids_.insert(std::string(uuid)).second) by_time_.emplace_back(seconds, std::string(uuid));
  Expire(now);
  if (fd_ < 0) return absl::OkStatus();
  if (absl::Status s = WriteAll(fd_, absl::StrCat(seconds, " ", uuid, "\n"), path_); !s.ok()) {
    return s;
  }
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
  const std::string staged = path_ + ".tmp";
  const int fd = ::open(staged.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", staged));
  std::string text;
  for (const auto& [seconds, uuid] : by_time_) absl::StrAppend(&text, seconds, " ", uuid, "\n");
  absl::Status written = WriteAll(fd, text, staged);
  ::close(fd);
  if (written.ok() && ::rename(staged.c_str(), path_.c_str()) != 0) {
    written = absl::ErrnoToStatus(errno, absl::StrCat("rename ", staged));
  }
  if (!written.ok()) {
    ::unlink(staged.c_str());
    return written;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path_));
  lines_in_file_ = by_time_.size();
  return absl::OkStatus();
}

}  // namespace mlab::uuid_annotator
