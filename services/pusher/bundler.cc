#include "services/pusher/bundler.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include "absl/random/distributions.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "glog/logging.h"
#include "services/pusher/checksums.h"
#include "services/pusher/pusher_metrics.h"

namespace mlab::pusher {

absl::StatusOr<SpoolFileContent> ReadSpoolFile(const std::string& root,
                                               const std::string& relative_path) {
  std::string path = absl::StrCat(root, "/", relative_path);
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP) return absl::FailedPreconditionError(absl::StrCat(path, " is a symlink"));
    return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    absl::Status s = absl::ErrnoToStatus(errno, absl::StrCat("fstat ", path));
    close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a regular file"));
  }
  SpoolFileContent file;
  file.content.resize(st.st_size);
  size_t got = 0;
  while (got < file.content.size()) {
    ssize_t n = read(fd, file.content.data() + got, file.content.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status s = absl::ErrnoToStatus(errno, absl::StrCat("read ", path));
      close(fd);
      return s;
    }
    if (n == 0) break;  // Shrank while reading: keep what is there.
    got += n;
  }
  file.content.resize(got);
  close(fd);
  file.identity = FileIdentity{static_cast<uint64_t>(st.st_ino), st.st_size,
                               st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
  file.mtime_seconds = TarBundle::RoundToSeconds(st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  return file;
}

void SetChecksums(const std::string& body, ArchiveManifest* manifest) {
  manifest->size = body.size();
  manifest->md5 = body.empty() ? "" : Md5(body);
  manifest->crc32c = Crc32c(body);
}

absl::StatusOr<SealedArchive> RebuildArchive(const std::string& root,
                                             const ArchiveManifest& manifest,
                                             const TarBundle::PaxRecords& records,
                                             std::vector<ArchivedFile>* dropped) {
  SealedArchive archive;
  archive.manifest = manifest;
  archive.manifest.members.clear();
  archive.recovered = true;
  archive.reason = "recovered";
  TarBundle tar(records);
  for (const ArchivedFile& member : manifest.members) {
    absl::StatusOr<SpoolFileContent> file = ReadSpoolFile(root, member.path);
    if (!file.ok()) {
      if (!absl::IsNotFound(file.status()) && !absl::IsFailedPrecondition(file.status())) {
        return file.status();  // Unreadable now: try again later rather than drop it.
      }
      dropped->push_back(member);
      continue;
    }
    if (!(file->identity == member.identity)) {
      // Replaced or rewritten since it was archived: it is a new file, offered afresh.
      dropped->push_back(member);
      continue;
    }
    tar.Add(member.path, file->mtime_seconds, file->content);
    archive.manifest.members.push_back(member);
  }
  archive.body = tar.Finish();
  if (archive.manifest.members.empty()) archive.body.clear();
  SetChecksums(archive.body, &archive.manifest);
  return archive;
}

Bundler::Bundler(Options options, ArchiveNamer* namer)
    : options_(std::move(options)), namer_(namer) {}

Bundler::Open& Bundler::OpenFor(const std::string& subdir) {
  auto it = open_.find(subdir);
  if (it != open_.end()) return it->second;
  Open& open = open_[subdir];
  open.tar = std::make_unique<TarBundle>(options_.pax_records);
  open.deadline = absl::Now() + options_.wait.Next(gen_);
  Metrics::Get().tarfiles_created.WithLabels({options_.datatype}).Increment();
  return open;
}

Bundler::AddResult Bundler::Add(const std::string& relative_path,
                                std::vector<SealedArchive>* sealed, std::string* error) {
  Metrics& m = Metrics::Get();
  const std::string& dt = options_.datatype;
  std::string subdir = SubdirOf(relative_path);
  if (options_.ratio < 1.0 && absl::Uniform<double>(gen_, 0.0, 1.0) >= options_.ratio) {
    struct stat st;
    std::string path = absl::StrCat(options_.root, "/", relative_path);
    if (lstat(path.c_str(), &st) != 0) return AddResult::kVanished;
    if (!S_ISREG(st.st_mode)) return AddResult::kNotRegular;
    OpenFor(subdir).skipped.push_back(ArchivedFile{
        relative_path, FileIdentity{static_cast<uint64_t>(st.st_ino), st.st_size,
                                    st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec}});
    m.files_skipped.WithLabels({dt}).Increment();
    return AddResult::kSampledOut;
  }
  absl::StatusOr<SpoolFileContent> file = ReadSpoolFile(options_.root, relative_path);
  if (!file.ok()) {
    if (error != nullptr) *error = std::string(file.status().message());
    if (absl::IsNotFound(file.status())) {
      m.file_open_errors.WithLabels({dt}).Increment();
      return AddResult::kVanished;
    }
    if (absl::IsFailedPrecondition(file.status())) return AddResult::kNotRegular;
    (absl::StrContains(file.status().message(), "open ") ? m.file_open_errors : m.file_read_errors)
        .WithLabels({dt})
        .Increment();
    return AddResult::kUnreadable;
  }
  Open& open = OpenFor(subdir);
  open.tar->Add(relative_path, file->mtime_seconds, file->content);
  open.members.push_back(ArchivedFile{relative_path, file->identity});
  m.files_added.WithLabels({dt}).Increment();
  m.bytes_per_file.WithLabels({dt}).Observe(file->content.size());
  if (static_cast<int64_t>(open.tar->compressed_size()) >= options_.size_threshold) {
    sealed->push_back(Seal(subdir, open, "size_threshold_met"));
    open_.erase(subdir);
  }
  return AddResult::kAdded;
}

SealedArchive Bundler::Seal(const std::string& subdir, Open& open, const std::string& reason) {
  static std::atomic<uint64_t> sequence{0};
  Metrics::Get().tarfiles_upload_calls.WithLabels({options_.datatype, reason}).Increment();
  SealedArchive archive;
  archive.reason = reason;
  archive.sealed_at = absl::Now();
  ArchiveManifest& manifest = archive.manifest;
  // Journal ids sort by seal time, so a restart resumes archives in the order they were made.
  manifest.id = absl::StrFormat("%016d-%06d", absl::ToUnixMicros(archive.sealed_at),
                                sequence.fetch_add(1) % 1000000);
  manifest.subdir = subdir;
  manifest.members = std::move(open.members);
  manifest.skipped = std::move(open.skipped);
  if (!manifest.members.empty()) {
    archive.body = open.tar->Finish();
    manifest.object_name = namer_->Name(subdir, archive.sealed_at);
  }
  SetChecksums(archive.body, &manifest);
  return archive;
}

void Bundler::SealExpired(absl::Time now, std::vector<SealedArchive>* sealed) {
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->second.deadline <= now) {
      sealed->push_back(Seal(it->first, it->second, "age_threshold_met"));
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
}

void Bundler::SealAll(const std::string& reason, std::vector<SealedArchive>* sealed) {
  for (auto& [subdir, open] : open_) sealed->push_back(Seal(subdir, open, reason));
  open_.clear();
}

absl::Time Bundler::NextDeadline() const {
  absl::Time next = absl::InfiniteFuture();
  for (const auto& [subdir, open] : open_) next = std::min(next, open.deadline);
  return next;
}

size_t Bundler::open_files() const {
  size_t n = 0;
  for (const auto& [subdir, open] : open_) n += open.members.size() + open.skipped.size();
  return n;
}

}  // namespace mlab::pusher
