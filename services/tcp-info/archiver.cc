#include "services/tcp-info/archiver.h"

#include <sys/stat.h>

#include <algorithm>
#include <utility>

#include "glog/logging.h"
#include "services/tcp-info/archival_record.h"

namespace mlab::tcpinfo {
namespace {

bool Exists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

}  // namespace

Archiver::Archiver(const spool::SpoolDir* spool, Options options)
    : spool_(spool), options_(std::move(options)) {}

Archiver::~Archiver() { Shutdown(); }

void Archiver::OnOpen(const Flow& flow, const SocketSnapshot& first) {
  FlowFiles& files = flows_[flow.cookie];
  files.uuid = flow.uuid;
  files.start_time = first.timestamp();
  files.rotate_at = files.start_time + options_.rotation;
}

void Archiver::AdvanceRotation(FlowFiles& files, absl::Time now) {
  // From the previous deadline, not from now: files stay aligned to the flow's start, and a
  // long idle period costs one rotation, not one per missed interval.
  while (files.rotate_at <= now) files.rotate_at += options_.rotation;
}

absl::Status Archiver::OpenNext(FlowFiles& files, absl::Time now) {
  int64_t sequence = files.next_sequence;
  absl::Time date;
  while (true) {
    date = sequence == 0 ? files.start_time : now;
    absl::StatusOr<std::string> path =
        spool_->FinalPath(date, ArchiveFile::Name(files.uuid, sequence));
    if (!path.ok()) return path.status();
    if (!Exists(*path)) break;
    LOG(INFO) << *path << " exists (tcp-info restarted?); continuing with the next sequence";
    ++sequence;
  }
  absl::StatusOr<std::unique_ptr<ArchiveFile>> file =
      ArchiveFile::Create(*spool_, date, files.uuid, sequence, files.start_time);
  files.next_sequence = sequence + 1;
  if (!file.ok()) return file.status();
  files.file = *std::move(file);
  files.bytes_accounted = 0;
  Account(files);
  ++stats_.files_opened;
  ++stats_.open_files;
  return absl::OkStatus();
}

void Archiver::Account(FlowFiles& files) {
  const uint64_t written = files.file->compressed_bytes();
  stats_.bytes_written += written - files.bytes_accounted;
  files.bytes_accounted = written;
}

void Archiver::Commit(FlowFiles& files) {
  if (files.file == nullptr) return;
  absl::Status finished = files.file->Finish();
  Account(files);
  std::unique_ptr<ArchiveFile> file = std::move(files.file);
  --stats_.open_files;
  if (!finished.ok()) {
    ++stats_.errors;
    LOG(ERROR) << "cannot commit " << file->final_path() << ": " << finished;
    return;
  }
  ++stats_.files_committed;
  stats_.compressed_bytes += file->compressed_bytes();
}

void Archiver::Drop(FlowFiles& files, absl::string_view what, const absl::Status& error) {
  ++stats_.errors;
  LOG(ERROR) << "cannot " << what << " " << files.file->final_path() << ": " << error;
  files.file.reset();
  --stats_.open_files;
}

void Archiver::OnSnapshot(const Flow& flow, const SocketSnapshot& snapshot, SnapshotChange change) {
  auto it = flows_.find(flow.cookie);
  if (it == flows_.end()) return;  // opened before this archiver was attached
  FlowFiles& files = it->second;
  const absl::Time now = snapshot.timestamp();
  if (now >= files.rotate_at) {
    Commit(files);
    AdvanceRotation(files, now);
  }
  if (files.file == nullptr) {
    if (absl::Status opened = OpenNext(files, now); !opened.ok()) {
      ++stats_.errors;
      LOG(ERROR) << "cannot open an archive for " << files.uuid << ": " << opened;
      return;
    }
  }
  line_.clear();
  if (options_.rewrite_idm) {
    idm_.assign(snapshot.raw_idm().data(), snapshot.raw_idm().size());
    options_.rewrite_idm(&idm_);
    AppendSnapshotLine(snapshot.timestamp(), idm_, snapshot, &line_);
  } else {
    AppendSnapshotLine(snapshot, &line_);
  }
  if (absl::Status written = files.file->AppendLine(line_); !written.ok()) {
    Drop(files, "write", written);
    return;
  }
  ++stats_.snapshots_written;
  Account(files);
}

void Archiver::OnClose(const Flow& flow, absl::Time when) {
  auto it = flows_.find(flow.cookie);
  if (it == flows_.end()) return;
  Commit(it->second);
  flows_.erase(it);
}

void Archiver::Tick(absl::Time now) {
  if (now < next_tick_) return;
  next_tick_ = now + std::min(options_.flush_interval, absl::Seconds(1));
  for (auto& [cookie, files] : flows_) {
    if (files.file == nullptr) continue;
    if (now >= files.rotate_at) {
      Commit(files);
      AdvanceRotation(files, now);
    } else if (files.file->dirty()) {
      if (absl::Status flushed = files.file->Flush(); !flushed.ok()) {
        Drop(files, "flush", flushed);
        continue;
      }
      Account(files);
    }
  }
}

ArchiverStats Archiver::stats() const {
  ArchiverStats copy;
  copy.files_opened = stats_.files_opened.load(std::memory_order_relaxed);
  copy.files_committed = stats_.files_committed.load(std::memory_order_relaxed);
  copy.snapshots_written = stats_.snapshots_written.load(std::memory_order_relaxed);
  copy.compressed_bytes = stats_.compressed_bytes.load(std::memory_order_relaxed);
  copy.bytes_written = stats_.bytes_written.load(std::memory_order_relaxed);
  copy.errors = stats_.errors.load(std::memory_order_relaxed);
  copy.open_files = stats_.open_files.load(std::memory_order_relaxed);
  return copy;
}

void Archiver::Shutdown() {
  for (auto& [cookie, files] : flows_) Commit(files);
}

}  // namespace mlab::tcpinfo
