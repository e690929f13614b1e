#include "services/pusher/pusher.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "lib/spool/spool_dir.h"
#include "services/pusher/pusher_metrics.h"

namespace mlab::pusher {
namespace {

// Creates a missing datatype directory like its parent (owner, group, setgid mode), so writers
// running as another uid can still write there (upstream crashed instead: PR #102, k8s #886).
absl::Status EnsureDatatypeDir(const std::string& parent, const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return absl::FailedPreconditionError(dir + " is not a directory");
    return absl::OkStatus();
  }
  if (absl::Status s = spool::MakeDirs(dir); !s.ok()) return s;
  struct stat parent_st;
  if (stat(parent.c_str(), &parent_st) == 0) {
    if (chown(dir.c_str(), parent_st.st_uid, parent_st.st_gid) != 0 && errno != EPERM) {
      PLOG(WARNING) << "chown " << dir;
    }
    chmod(dir.c_str(), parent_st.st_mode & 07777);
  }
  LOG(INFO) << "created missing datatype directory " << dir;
  return absl::OkStatus();
}

}  // namespace

Pusher::Pusher(PusherConfig config, UploaderFactory uploaders)
    : config_(std::move(config)), uploaders_(std::move(uploaders)) {}

Pusher::~Pusher() {
  Stop();
  if (lock_fd_ >= 0) close(lock_fd_);
}

absl::Status Pusher::Start() {
  std::string journal_dir =
      config_.journal_dir.empty() ? config_.directory + "/.pusher" : config_.journal_dir;
  absl::StatusOr<int> lock = LockJournalDir(journal_dir);
  if (!lock.ok()) return lock.status();
  lock_fd_ = *lock;
  for (const DatatypeSpec& spec : config_.datatypes) {
    std::string root = absl::StrCat(config_.directory, "/", spec.name);
    if (absl::Status s = EnsureDatatypeDir(config_.directory, root); !s.ok()) return s;
    roots_.push_back(root);
    DatatypePipeline::Options options;
    options.bundler.datatype = spec.name;
    options.bundler.root = root;
    options.bundler.ratio = spec.ratio;
    options.bundler.size_threshold = config_.archive_size_threshold;
    options.bundler.wait = config_.archive_wait;
    options.bundler.pax_records = config_.metadata;
    options.bundler.pax_records["MLAB.datatype"] = spec.name;
    options.experiment = config_.experiment;
    options.node = config_.node;
    options.max_pending_archives = config_.max_pending_archives;
    options.backoff_max = config_.backoff_max;
    auto journal = std::make_unique<Journal>(absl::StrCat(journal_dir, "/", spec.name));
    if (absl::Status s = journal->Open(); !s.ok()) return s;
    auto pipeline = std::make_unique<DatatypePipeline>(options, std::move(journal), uploaders_());
    if (absl::Status s = pipeline->Recover(); !s.ok()) return s;
    pipelines_.push_back(std::move(pipeline));
  }
  for (auto& pipeline : pipelines_) pipeline->Start();

  SpoolWatcher::Callbacks callbacks;
  callbacks.on_file = [this](size_t root, const std::string& path, SpoolWatcher::Event event) {
    OnFile(root, path, event);
  };
  callbacks.on_overflow = [this] {
    Metrics::Get().inotify_overflows.Increment();
    Metrics::Get().file_event_errors.WithLabels({"overflow"}).Increment();
    if (sweeper_ != nullptr) sweeper_->TriggerNow();
  };
  callbacks.on_watch_error = [](const std::string& path, int error) {
    Metrics::Get().file_event_errors.WithLabels({"watch"}).Increment();
    LOG(ERROR) << "cannot watch " << path << ": " << strerror(error)
               << " (the sweeper still finds its files)";
  };
  Sweeper::Options sweep;
  sweep.max_file_age = config_.max_file_age;
  sweep.interval = config_.cleanup_interval;
  sweeper_ = std::make_unique<Sweeper>(roots_, sweep, [this](const Sweeper::Found& f) {
    pipelines_[f.root]->Offer(f.relative_path, DatatypePipeline::Source::kSweep);
  });
  watcher_ = std::make_unique<SpoolWatcher>(roots_, callbacks, config_.new_directory_settle);
  if (absl::Status s = watcher_->Start(); !s.ok()) return s;
  absl::Time cutoff = absl::Now() - config_.max_file_age;
  for (const DatatypeSpec& spec : config_.datatypes) {
    Metrics::Get()
        .finder_mtime_lower_bound.WithLabels({spec.name})
        .Set(absl::ToUnixSeconds(cutoff));
  }
  sweeper_->Start();
  LOG(INFO) << "pusher watching " << roots_.size() << " datatype directories under "
            << config_.directory << " (" << watcher_->watch_count() << " watches); journal "
            << journal_dir;
  return absl::OkStatus();
}

void Pusher::OnFile(size_t root, const std::string& relative_path, SpoolWatcher::Event event) {
  const char* type = event == SpoolWatcher::Event::kCloseWrite ? "closewrite"
                     : event == SpoolWatcher::Event::kMovedTo  ? "movedto"
                                                               : "newdir";
  Metrics::Get().file_events.WithLabels({type}).Increment();
  DatatypePipeline::Source source =
      event == SpoolWatcher::Event::kCloseWrite ? DatatypePipeline::Source::kCloseWrite
      : event == SpoolWatcher::Event::kMovedTo  ? DatatypePipeline::Source::kMovedTo
                                                : DatatypePipeline::Source::kNewDirectory;
  pipelines_[root]->Offer(relative_path, source);
}

void Pusher::BeginDrain() {
  LOG(INFO) << "draining: uploading what is held now; still collecting";
  for (auto& pipeline : pipelines_) pipeline->BeginDrain();
}

bool Pusher::FinishDrain(absl::Time deadline) {
  LOG(INFO) << "draining: collection stopped; uploading until " << absl::FormatTime(deadline);
  if (watcher_ != nullptr) watcher_->Stop();
  if (sweeper_ != nullptr) sweeper_->Stop();
  for (auto& pipeline : pipelines_) pipeline->CloseIntake();
  bool all = true;
  for (auto& pipeline : pipelines_) all = pipeline->WaitIdle(deadline) && all;
  if (!all) LOG(WARNING) << "drain: uploads still pending; the journal resumes them on restart";
  for (auto& pipeline : pipelines_) pipeline->Abort();
  return all;
}

void Pusher::Stop() {
  if (watcher_ != nullptr) watcher_->Stop();
  if (sweeper_ != nullptr) sweeper_->Stop();
  for (auto& pipeline : pipelines_) pipeline->Abort();
}

void Pusher::UpdateGauges() const {
  for (const auto& pipeline : pipelines_) pipeline->UpdateGauges();
}

size_t Pusher::in_flight() const {
  size_t n = 0;
  for (const auto& pipeline : pipelines_) n += pipeline->in_flight();
  return n;
}

}  // namespace mlab::pusher
