#include "lib/spool/spool_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace mlab::spool {
namespace {

constexpr absl::string_view kStagedSuffix = ".staged";

// Distinguishes this process's staged files from those of earlier (dead) processes, even when
// a container restart reuses the pid.
const std::string& InstanceTag() {
  static const std::string* tag = [] {
    std::random_device random;
    uint64_t value = (static_cast<uint64_t>(random()) << 32) ^ random();
    return new std::string(absl::StrFormat("%016x", value));
  }();
  return *tag;
}

std::string StagingFor(const std::string& datadir) {
  std::string trimmed = datadir;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  size_t slash = trimmed.rfind('/');
  std::string parent = slash == std::string::npos ? "." : trimmed.substr(0, slash);
  if (parent.empty()) parent = "/";
  std::string base = slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
  return absl::StrCat(parent, parent == "/" ? "" : "/", ".tmp-", base);
}

// Collects `<dir>/<relative>` of every regular file below `dir`; what vanishes meanwhile is
// skipped.
void Walk(const std::string& dir, const std::string& relative, std::vector<std::string>* out) {
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return;
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string path = absl::StrCat(dir, "/", name);
    std::string rel = relative.empty() ? name : absl::StrCat(relative, "/", name);
    struct stat info;
    if (lstat(path.c_str(), &info) != 0) continue;
    if (S_ISDIR(info.st_mode)) {
      Walk(path, rel, out);
    } else if (S_ISREG(info.st_mode)) {
      out->push_back(rel);
    }
  }
  closedir(handle);
}

}  // namespace

std::vector<std::string> RegularFilesBelow(const std::string& dir) {
  std::vector<std::string> files;
  Walk(dir, "", &files);
  std::sort(files.begin(), files.end());
  return files;
}

std::string DatePath(absl::Time t) { return absl::FormatTime("%Y/%m/%d", t, absl::UTCTimeZone()); }

absl::Status ValidateName(absl::string_view name) {
  if (name.empty() || name.size() > 255) {
    return absl::InvalidArgumentError(absl::StrCat("bad spool file name length: \"", name, "\""));
  }
  if (name[0] == '.') {
    return absl::InvalidArgumentError(absl::StrCat("spool file name starts with a dot: ", name));
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == ':' || c == '.' || c == '_' || c == '-';
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("spool file name has a character outside [A-Za-z0-9:._-]: \"",
                       absl::CHexEscape(name), "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status MakeDirs(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  struct stat info;
  if (stat(path.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(path, " exists and is not a directory"));
  }
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    if (absl::Status parent = MakeDirs(path.substr(0, slash)); !parent.ok()) return parent;
  }
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::ErrnoToStatus(errno, absl::StrCat("mkdir ", path));
  }
  return absl::OkStatus();
}

SpoolDir::SpoolDir(std::string datadir) : SpoolDir(std::move(datadir), Options()) {}

SpoolDir::SpoolDir(std::string datadir, Options options)
    : datadir_(std::move(datadir)), options_(std::move(options)) {
  while (datadir_.size() > 1 && datadir_.back() == '/') datadir_.pop_back();
  if (options_.staging_dir.empty()) options_.staging_dir = StagingFor(datadir_);
}

absl::Status SpoolDir::Init() const {
  if (absl::Status made = MakeDirs(datadir_); !made.ok()) return made;
  return MakeDirs(options_.staging_dir);
}

absl::StatusOr<std::string> SpoolDir::FinalPath(absl::Time date, absl::string_view name) const {
  if (absl::Status valid = ValidateName(name); !valid.ok()) return valid;
  return absl::StrCat(datadir_, "/", DatePath(date), "/", name);
}

absl::StatusOr<std::unique_ptr<SpoolFile>> SpoolDir::Create(absl::Time date,
                                                            absl::string_view name) const {
  absl::StatusOr<std::string> final_path = FinalPath(date, name);
  if (!final_path.ok()) return final_path.status();
  static std::atomic<uint64_t> sequence{0};
  std::string staged_dir = absl::StrCat(options_.staging_dir, "/", DatePath(date));
  if (absl::Status made = MakeDirs(staged_dir); !made.ok()) return made;
  std::string staged = absl::StrCat(staged_dir, "/", name, ".", InstanceTag(), "-",
                                    sequence.fetch_add(1), kStagedSuffix);
  int fd = open(staged.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("create ", staged));
  return std::unique_ptr<SpoolFile>(
      new SpoolFile(fd, std::move(staged), *std::move(final_path), options_.sync));
}

absl::StatusOr<std::string> SpoolDir::WriteFile(absl::Time date, absl::string_view name,
                                                absl::string_view contents) const {
  absl::StatusOr<std::unique_ptr<SpoolFile>> file = Create(date, name);
  if (!file.ok()) return file.status();
  if (absl::Status written = (*file)->Write(contents); !written.ok()) return written;
  if (absl::Status committed = (*file)->Commit(); !committed.ok()) return committed;
  return (*file)->final_path();
}

absl::StatusOr<std::vector<StagedFile>> SpoolDir::Leftovers() const {
  std::vector<StagedFile> leftovers;
  for (const std::string& relative : RegularFilesBelow(options_.staging_dir)) {
    if (!absl::EndsWith(relative, kStagedSuffix)) continue;
    // <YYYY/MM/DD/name>.<instance>-<seq>.staged
    std::string stem = relative.substr(0, relative.size() - kStagedSuffix.size());
    size_t dot = stem.rfind('.');
    if (dot == std::string::npos) continue;
    absl::string_view tag = absl::string_view(stem).substr(dot + 1);
    if (absl::StartsWith(tag, InstanceTag())) continue;  // still being written by this process
    leftovers.push_back(
        StagedFile{absl::StrCat(options_.staging_dir, "/", relative), stem.substr(0, dot)});
  }
  return leftovers;
}

absl::Status SpoolDir::CommitLeftover(const StagedFile& file) const {
  size_t slash = file.relative_path.rfind('/');
  std::string name =
      slash == std::string::npos ? file.relative_path : file.relative_path.substr(slash + 1);
  if (absl::Status valid = ValidateName(name); !valid.ok()) return valid;
  return MoveIntoPlace(file.staged_path, absl::StrCat(datadir_, "/", file.relative_path));
}

absl::Status SpoolDir::DiscardLeftover(const StagedFile& file) const {
  if (unlink(file.staged_path.c_str()) != 0 && errno != ENOENT) {
    return absl::ErrnoToStatus(errno, absl::StrCat("remove ", file.staged_path));
  }
  return absl::OkStatus();
}

}  // namespace mlab::spool
