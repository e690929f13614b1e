#include "services/pusher/shipper.h"

#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/pusher/checksums.h"
#include "services/pusher/pusher_metrics.h"

namespace mlab::pusher {
namespace {

std::string CodeLabel(const absl::Status& status) {
  return absl::StatusCodeToString(status.code());
}

}  // namespace

Shipper::Shipper(Options options, Uploader* uploader, Journal* journal, ArchiveNamer* namer)
    : options_(std::move(options)),
      uploader_(uploader),
      journal_(journal),
      namer_(namer),
      backoff_(options_.backoff_initial, options_.backoff_max) {}

void Shipper::Rename(SealedArchive& archive) {
  Metrics::Get().name_conflicts.WithLabels({options_.datatype}).Increment();
  std::string old_name = archive.manifest.object_name;
  archive.manifest.object_name = namer_->Name(archive.manifest.subdir, absl::Now());
  LOG(ERROR) << "archive name " << old_name << " holds other content on " << uploader_->Describe()
             << "; uploading as " << archive.manifest.object_name;
  if (absl::Status s = journal_->WriteManifest(archive.manifest); !s.ok()) {
    Metrics::Get().journal_errors.WithLabels({options_.datatype, "manifest"}).Increment();
    LOG(ERROR) << "journal: " << s;
  }
}

Shipper::Outcome Shipper::Resume(SealedArchive& archive, const CancelToken& cancel, Result* result,
                                 bool* already_stored) {
  *already_stored = false;
  backoff_.Reset();
  while (true) {
    if (cancel.cancelled()) return Outcome::kCancelled;
    absl::StatusOr<ObjectInfo> info = uploader_->Stat(archive.manifest.object_name);
    if (info.ok()) {
      if (info->md5 == archive.manifest.md5) {
        *already_stored = true;
        return Outcome::kStored;
      }
      Rename(archive);
      break;
    }
    if (absl::IsNotFound(info.status())) break;
    LOG(WARNING) << "resume " << archive.manifest.object_name << ": " << info.status();
    Metrics::Get().retries.WithLabels({"stat"}).Increment();
    if (!cancel.Sleep(backoff_.Next(gen_))) return Outcome::kCancelled;
  }
  // Not stored yet: rebuild it from the files (same bytes if they are unchanged).
  while (true) {
    std::vector<ArchivedFile> dropped;
    absl::StatusOr<SealedArchive> rebuilt =
        RebuildArchive(options_.root, archive.manifest, options_.pax_records, &dropped);
    if (rebuilt.ok()) {
      for (const ArchivedFile& f : dropped) {
        LOG(WARNING) << "resume " << archive.manifest.object_name << ": " << f.path
                     << " vanished or changed since it was archived";
        result->reoffer.push_back(f.path);
      }
      rebuilt->sealed_at = archive.sealed_at;
      archive = *std::move(rebuilt);
      if (!dropped.empty() && !archive.manifest.members.empty()) {
        if (absl::Status s = journal_->WriteManifest(archive.manifest); !s.ok()) {
          LOG(ERROR) << "journal: " << s;
        }
      }
      return Outcome::kStored;  // "Ready to upload".
    }
    LOG(WARNING) << "rebuild " << archive.manifest.object_name << ": " << rebuilt.status();
    if (!cancel.Sleep(backoff_.Next(gen_))) return Outcome::kCancelled;
  }
}

Shipper::Outcome Shipper::UploadUntilStored(SealedArchive& archive, const CancelToken& cancel,
                                            int* attempts) {
  Metrics& m = Metrics::Get();
  const std::string& dt = options_.datatype;
  backoff_.Reset();
  absl::Time start = absl::Now();
  while (true) {
    if (cancel.cancelled()) return Outcome::kCancelled;
    ++*attempts;
    UploadRequest request;
    request.object_name = archive.manifest.object_name;
    request.body = archive.body;
    request.md5 = archive.manifest.md5;
    request.crc32c = archive.manifest.crc32c;
    request.cancel = cancel.flag();
    absl::Status status = uploader_->Upload(request);
    if (absl::IsAlreadyExists(status)) {
      // Ours already (an earlier attempt that looked failed, or a crashed process), or a clash.
      absl::StatusOr<ObjectInfo> info = uploader_->Stat(request.object_name);
      if (info.ok() && info->md5 == request.md5) {
        m.already_uploaded.WithLabels({dt}).Increment();
        status = absl::OkStatus();
      } else if (info.ok()) {
        Rename(archive);
        continue;
      } else {
        status = info.status();
      }
    }
    if (status.ok()) {
      m.retry_runtime.WithLabels({"upload", "true"})
          .Observe(absl::ToDoubleSeconds(absl::Now() - start));
      return Outcome::kStored;
    }
    if (cancel.cancelled()) return Outcome::kCancelled;
    m.upload_errors.WithLabels({dt, CodeLabel(status)}).Increment();
    m.retries.WithLabels({"upload"}).Increment();
    absl::Duration wait = backoff_.Next(gen_);
    if (backoff_.at_max()) m.max_retries.WithLabels({"upload"}).Increment();
    LOG(WARNING) << "upload datatype=" << dt << " archive=" << request.object_name
                 << " attempt=" << *attempts << " failed: " << status << "; retrying in " << wait;
    if (!cancel.Sleep(wait)) return Outcome::kCancelled;
  }
}

void Shipper::DeleteFiles(const SealedArchive& archive, Result* result) {
  Metrics& m = Metrics::Get();
  const std::string& dt = options_.datatype;
  auto remove = [&](const ArchivedFile& f, const std::string& condition) {
    std::string path = absl::StrCat(options_.root, "/", f.path);
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) {
      result->done.push_back(f.path);  // Already gone (e.g. deleted before a crash).
      return;
    }
    FileIdentity now{static_cast<uint64_t>(st.st_ino), st.st_size,
                     st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
    if (!(now == f.identity)) {
      // Rewritten or replaced after it was read: the archive does not hold this version.
      m.files_changed_after_read.WithLabels({dt}).Increment();
      LOG(WARNING) << path << " changed after it was archived; keeping it";
      result->reoffer.push_back(f.path);
      return;
    }
    if (unlink(path.c_str()) == 0) {
      m.files_removed.WithLabels({dt, condition}).Increment();
    } else {
      m.file_remove_errors.WithLabels({dt, condition}).Increment();
      PLOG(ERROR) << "remove " << path;
    }
    result->done.push_back(f.path);
  };
  for (const ArchivedFile& f : archive.manifest.skipped) remove(f, "skip_file");
  for (const ArchivedFile& f : archive.manifest.members) remove(f, "add_file");
}

Shipper::Result Shipper::Ship(SealedArchive& archive, const CancelToken& cancel) {
  Metrics& m = Metrics::Get();
  const std::string& dt = options_.datatype;
  Result result;
  absl::Time start = absl::Now();
  int attempts = 0;
  bool already_stored = false;
  if (archive.recovered) {
    if (Resume(archive, cancel, &result, &already_stored) == Outcome::kCancelled) return result;
    if (already_stored) m.already_uploaded.WithLabels({dt}).Increment();
  }
  if (archive.manifest.members.empty()) {
    m.empty_uploads.WithLabels({dt}).Increment();
  } else if (!already_stored) {
    if (UploadUntilStored(archive, cancel, &attempts) == Outcome::kCancelled) return result;
  }
  result.uploaded = true;
  DeleteFiles(archive, &result);
  if (absl::Status s = journal_->RemoveManifest(archive.manifest.id); !s.ok()) {
    m.journal_errors.WithLabels({dt, "remove"}).Increment();
    LOG(ERROR) << "journal: " << s;
  }
  m.success_timestamp.WithLabels({dt}).SetToCurrentTime();
  if (!archive.manifest.members.empty()) {
    m.tarfiles_successful_uploads.WithLabels({dt}).Increment();
    m.archives_uploaded.WithLabels({dt}).Increment();
    m.bytes_uploaded.WithLabels({dt}).Add(archive.manifest.size);
    m.files_per_tarfile.WithLabels({dt}).Observe(archive.manifest.members.size());
    m.bytes_per_tarfile.WithLabels({dt}).Observe(archive.manifest.size);
    LOG(INFO) << "upload datatype=" << dt << " archive=" << archive.manifest.object_name
              << " files=" << archive.manifest.members.size() << " bytes=" << archive.manifest.size
              << " attempt=" << attempts
              << " duration=" << absl::FormatDuration(absl::Now() - start)
              << " reason=" << archive.reason
              << " result=" << (already_stored ? "already_stored" : "stored")
              << " backend=" << uploader_->Describe();
  }
  return result;
}

}  // namespace mlab::pusher
