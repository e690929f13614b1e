#include "lib/fileio/line_log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/fileio/files.h"

namespace mlab::fileio {

absl::Status LineLog::Open() {
  Close();
  // O_RDWR, not O_WRONLY: the torn-tail check reads the last byte.
  fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return ErrnoError("open", path_);
  struct stat st;
  if (fstat(fd_, &st) != 0) return ErrnoError("stat", path_);
  char last = '\n';
  if (st.st_size > 0 && pread(fd_, &last, 1, st.st_size - 1) != 1) return ErrnoError("read", path_);
  if (last == '\n') return absl::OkStatus();
  absl::StatusOr<std::string> text = ReadWholeFile(path_);
  if (!text.ok()) return text.status();
  size_t keep = text->rfind('\n');
  keep = keep == std::string::npos ? 0 : keep + 1;
  if (ftruncate(fd_, static_cast<off_t>(keep)) != 0) return ErrnoError("truncate", path_);
  return absl::OkStatus();
}

void LineLog::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

absl::Status LineLog::Append(absl::string_view record) {
  if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat(path_, " is not open"));
  if (record.find('\n') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("a record of ", path_, " holds a newline"));
  }
  struct stat before;
  if (fstat(fd_, &before) != 0) return ErrnoError("stat", path_);
  // One write per record: O_APPEND keeps records whole even if the process dies between them.
  absl::Status written = WriteAll(fd_, absl::StrCat(record, "\n"), path_);
  if (!written.ok() && ftruncate(fd_, before.st_size) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(written.message(), "; then truncate"));
  }
  return written;
}

absl::StatusOr<std::vector<std::string>> LineLog::ReadAll() const {
  absl::StatusOr<std::string> text = ReadWholeFile(path_);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) return std::vector<std::string>{};
    return text.status();
  }
  absl::string_view complete = *text;
  complete = complete.substr(0, complete.rfind('\n') + 1);  // npos + 1 == 0: nothing complete
  std::vector<std::string> records;
  for (absl::string_view line : absl::StrSplit(complete, '\n', absl::SkipEmpty())) {
    records.emplace_back(line);
  }
  return records;
}

absl::Status LineLog::Rewrite(const std::vector<std::string>& records) {
  std::string contents;
  for (const std::string& r : records) {
    if (r.find('\n') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("a record of ", path_, " holds a newline"));
    }
    absl::StrAppend(&contents, r, "\n");
  }
  if (absl::Status s = WriteFileAtomically(path_, contents); !s.ok()) return s;
  Close();
  fd_ = open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) return ErrnoError("open", path_);
  return absl::OkStatus();
}

}  // namespace mlab::fileio
