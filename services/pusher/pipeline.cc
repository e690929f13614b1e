#include "services/pusher/pipeline.h"

#include <sys/stat.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/pusher/pusher_metrics.h"

namespace mlab::pusher {
namespace {

constexpr size_t kBatch = 256;
constexpr size_t kMaxStrangeReported = 10000;

}  // namespace

DatatypePipeline::DatatypePipeline(Options options, std::unique_ptr<Journal> journal,
                                   std::unique_ptr<Uploader> uploader)
    : options_(std::move(options)),
      journal_(std::move(journal)),
      uploader_(std::move(uploader)),
      namer_(options_.experiment, options_.bundler.datatype, options_.node) {}

DatatypePipeline::~DatatypePipeline() { Abort(); }

absl::Status DatatypePipeline::Recover() {
  Metrics& m = Metrics::Get();
  const std::string& dt = datatype();
  std::vector<std::string> corrupt;
  absl::StatusOr<std::vector<ArchiveManifest>> manifests = journal_->LoadManifests(&corrupt);
  if (!manifests.ok()) return manifests.status();
  for (const std::string& c : corrupt) LOG(ERROR) << "journal: corrupt manifest " << c;
  absl::MutexLock lock(&mu_);
  absl::Time now = absl::Now();
  for (ArchiveManifest& manifest : *manifests) {
    for (const auto* files : {&manifest.members, &manifest.skipped}) {
      for (const ArchivedFile& f : *files) in_flight_[f.path] = Entry{now, true};
    }
    SealedArchive archive;
    archive.manifest = std::move(manifest);
    archive.recovered = true;
    archive.reason = "recovered";
    archive.sealed_at = now;
    pending_.push_back(std::move(archive));
    m.recovered_archives.WithLabels({dt}).Increment();
  }
  absl::StatusOr<std::vector<std::string>> intake = journal_->ReadIntake();
  if (!intake.ok()) return intake.status();
  std::vector<std::string> live;
  for (const std::string& path : *intake) {
    if (in_flight_.count(path) > 0) continue;
    std::string why;
    if (LintRelativePath(path, &why) == PathVerdict::kRejected) continue;
    struct stat st;
    std::string full = absl::StrCat(options_.bundler.root, "/", path);
    if (lstat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    in_flight_[path] = Entry{now, false};
    ++unsealed_;
    queue_.push_back(path);
    live.push_back(path);
  }
  m.recovered_files.WithLabels({dt}).Add(live.size());
  if (absl::Status s = journal_->RewriteIntake(live); !s.ok()) return s;
  if (!pending_.empty() || !live.empty()) {
    LOG(INFO) << "journal " << dt << ": resuming " << pending_.size() << " sealed archives and "
              << live.size() << " accepted files";
  }
  return absl::OkStatus();
}

void DatatypePipeline::Start() {
  bundle_thread_ = std::thread([this] { BundleLoop(); });
  ship_thread_ = std::thread([this] { ShipLoop(); });
}

bool DatatypePipeline::Offer(const std::string& relative_path, Source source) {
  Metrics& m = Metrics::Get();
  const std::string& dt = datatype();
  std::string why;
  PathVerdict verdict = LintRelativePath(relative_path, &why);
  absl::MutexLock lock(&mu_);
  if (verdict != PathVerdict::kOk && strange_reported_.size() < kMaxStrangeReported &&
      strange_reported_.insert(relative_path).second) {
    m.strange_filenames.WithLabels({dt}).Increment();
    LOG(WARNING) << "strange file name " << options_.bundler.root << "/" << relative_path << ": "
                 << why << (verdict == PathVerdict::kRejected ? " (left in place)" : "");
  }
  if (verdict == PathVerdict::kRejected) return false;
  if (in_flight_.count(relative_path) > 0) {
    m.tarfiles_duplicates.WithLabels({dt, "pending"}).Increment();
    return false;
  }
  if (queue_.size() >= options_.max_queued_files || intake_closed_) {
    m.file_event_errors.WithLabels({"queue_full"}).Increment();
    return false;  // Still on disk: the sweeper or the next start takes it.
  }
  in_flight_[relative_path] = Entry{absl::Now(), false};
  ++unsealed_;
  if (source != Source::kJournal) {
    if (absl::Status s = journal_->RecordIntake(relative_path); !s.ok()) {
      m.journal_errors.WithLabels({dt, "intake"}).Increment();
      LOG_EVERY_N(ERROR, 1000) << "journal: " << s;
    }
  }
  queue_.push_back(relative_path);
  return true;
}

void DatatypePipeline::BeginDrain() {
  absl::MutexLock lock(&mu_);
  drain_requested_ = true;
}

void DatatypePipeline::CloseIntake() {
  absl::MutexLock lock(&mu_);
  intake_closed_ = true;
}

bool DatatypePipeline::Idle() const {
  absl::MutexLock lock(&mu_);
  return shipping_done_;
}

bool DatatypePipeline::WaitIdle(absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return shipping_done_; };
  return mu_.AwaitWithDeadline(absl::Condition(&done), deadline);
}

void DatatypePipeline::Abort() {
  {
    absl::MutexLock lock(&mu_);
    aborted_ = true;
  }
  cancel_.Cancel();
  if (bundle_thread_.joinable()) bundle_thread_.join();
  if (ship_thread_.joinable()) ship_thread_.join();
}

size_t DatatypePipeline::in_flight() const {
  absl::MutexLock lock(&mu_);
  return in_flight_.size();
}

void DatatypePipeline::UpdateGauges() const {
  Metrics& m = Metrics::Get();
  const std::string& dt = datatype();
  absl::MutexLock lock(&mu_);
  m.queue_depth.WithLabels({dt}).Set(unsealed_);
  m.pending_archives.WithLabels({dt}).Set(pending_.size() + (uploading_ ? 1 : 0));
  absl::Time oldest = absl::InfiniteFuture();
  for (const auto& [path, entry] : in_flight_) oldest = std::min(oldest, entry.accepted);
  m.oldest_pending_age.WithLabels({dt}).Set(
      oldest == absl::InfiniteFuture() ? 0 : absl::ToDoubleSeconds(absl::Now() - oldest));
}

void DatatypePipeline::Forget(const std::vector<std::string>& paths) {
  if (paths.empty()) return;
  absl::MutexLock lock(&mu_);
  for (const std::string& p : paths) {
    auto it = in_flight_.find(p);
    if (it == in_flight_.end()) continue;
    if (!it->second.sealed) --unsealed_;
    in_flight_.erase(it);
  }
}

void DatatypePipeline::MaybeCompactIntake() {
  // The log grows by one line per accepted file; rewrite it to just the unsealed files when
  // most lines are stale (amortised O(1) per file).
  if (journal_->intake_records() < 2 * unsealed_ + 10000) return;
  std::vector<std::string> live;
  live.reserve(unsealed_);
  for (const auto& [path, entry] : in_flight_) {
    if (!entry.sealed) live.push_back(path);
  }
  if (absl::Status s = journal_->RewriteIntake(live); !s.ok()) {
    Metrics::Get().journal_errors.WithLabels({datatype(), "compact"}).Increment();
    LOG(ERROR) << "journal: " << s;
  }
}

void DatatypePipeline::Hand(std::vector<SealedArchive>* sealed) {
  Metrics& m = Metrics::Get();
  for (SealedArchive& archive : *sealed) {
    // Journal first: once an upload may have started, a restart must reuse this name.
    if (absl::Status s = journal_->WriteManifest(archive.manifest); !s.ok()) {
      // Without the record a crash could duplicate this archive, but refusing to upload would
      // be worse (a full disk is freed only by uploading and deleting).
      m.journal_errors.WithLabels({datatype(), "manifest"}).Increment();
      LOG(ERROR) << "journal: " << s;
    }
    absl::MutexLock lock(&mu_);
    for (const auto* files : {&archive.manifest.members, &archive.manifest.skipped}) {
      for (const ArchivedFile& f : *files) {
        auto it = in_flight_.find(f.path);
        if (it != in_flight_.end() && !it->second.sealed) {
          it->second.sealed = true;
          --unsealed_;
        }
      }
    }
    MaybeCompactIntake();
    auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return aborted_ || pending_.size() + (uploading_ ? 1 : 0) < options_.max_pending_archives;
    };
    mu_.Await(absl::Condition(&room));
    if (aborted_) return;  // Journaled: the next start uploads it.
    pending_.push_back(std::move(archive));
  }
  sealed->clear();
}

void DatatypePipeline::BundleLoop() {
  Bundler::Options bundler_options = options_.bundler;
  Bundler bundler(bundler_options, &namer_);
  std::vector<Deferred> deferred;
  Backoff read_backoff(absl::Seconds(1), absl::Minutes(10));
  absl::BitGen gen;
  std::vector<SealedArchive> sealed;
  bool draining = false;
  while (true) {
    absl::Time deadline = bundler.NextDeadline();
    for (const Deferred& d : deferred) deadline = std::min(deadline, d.due);
    std::vector<std::string> batch;
    bool drain_now = false;
    bool closing = false;
    {
      absl::MutexLock lock(&mu_);
      // A drain request wakes the loop once: drain_requested_ stays set, and waking on it again
      // would spin this thread until -sigterm_wait_time ends (upstream's busy loop, B.5).
      auto ready = [this, draining]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() || aborted_ || intake_closed_ || (drain_requested_ && !draining);
      };
      mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
      if (aborted_) break;
      while (!queue_.empty() && batch.size() < kBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (drain_requested_ && !draining) drain_now = draining = true;
      closing = intake_closed_ && queue_.empty();
    }
    absl::Time now = absl::Now();
    for (auto it = deferred.begin(); it != deferred.end();) {
      if (it->due <= now || closing) {
        batch.push_back(it->path);
      } else {
        ++it;
        continue;
      }
      it = deferred.erase(it);
    }
    std::vector<std::string> forget;
    for (const std::string& path : batch) {
      std::string error;
      switch (bundler.Add(path, &sealed, &error)) {
        case Bundler::AddResult::kAdded:
        case Bundler::AddResult::kSampledOut:
          break;
        case Bundler::AddResult::kVanished:
          LOG(WARNING) << datatype() << ": " << path << " vanished before it was read";
          forget.push_back(path);
          break;
        case Bundler::AddResult::kNotRegular:
          LOG(WARNING) << datatype() << ": " << path << " is not a regular file; left in place";
          forget.push_back(path);
          break;
        case Bundler::AddResult::kUnreadable: {
          int attempts = 1;
          for (const Deferred& d : deferred) {
            if (d.path == path) attempts = d.attempts + 1;
          }
          if (attempts >= options_.max_read_attempts || closing) {
            LOG(ERROR) << datatype() << ": giving up reading " << path << " for now (" << error
                       << "); left in place for the sweeper";
            forget.push_back(path);
          } else {
            read_backoff.Reset();
            absl::Duration wait;
            for (int i = 0; i < attempts; ++i) wait = read_backoff.Next(gen);
            LOG(WARNING) << datatype() << ": cannot read " << path << " (" << error << "); retry "
                         << attempts << " in " << wait;
            deferred.push_back(Deferred{path, attempts, now + wait});
          }
          break;
        }
      }
    }
    Forget(forget);
    if (drain_now) {
      bundler.SetWait(
          MemorylessDelay{options_.drain_wait, options_.drain_wait, options_.drain_wait});
      bundler.SealAll("emergency_upload", &sealed);
    }
    bundler.SealExpired(absl::Now(), &sealed);
    if (closing && deferred.empty()) bundler.SealAll("emergency_upload", &sealed);
    Hand(&sealed);
    if (closing && deferred.empty()) break;
  }
  absl::MutexLock lock(&mu_);
  bundling_done_ = true;
}

void DatatypePipeline::ShipLoop() {
  Shipper::Options shipper_options{datatype(), options_.bundler.root, options_.bundler.pax_records,
                                   options_.backoff_initial, options_.backoff_max};
  Shipper shipper(shipper_options, uploader_.get(), journal_.get(), &namer_);
  while (true) {
    SealedArchive archive;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return aborted_ || !pending_.empty() || bundling_done_;
      };
      mu_.Await(absl::Condition(&ready));
      if (aborted_) break;
      if (pending_.empty()) {
        shipping_done_ = true;  // bundling_done_ and nothing left.
        break;
      }
      archive = std::move(pending_.front());
      pending_.pop_front();
      uploading_ = true;
    }
    Shipper::Result result = shipper.Ship(archive, cancel_);
    {
      absl::MutexLock lock(&mu_);
      uploading_ = false;
    }
    if (!result.uploaded) break;  // Cancelled; the journal keeps it.
    Forget(result.done);
    Forget(result.reoffer);
    for (const std::string& path : result.reoffer) Offer(path, Source::kChanged);
  }
}

}  // namespace mlab::pusher
