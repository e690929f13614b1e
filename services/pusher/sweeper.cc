#include "services/pusher/sweeper.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/pusher/pusher_metrics.h"

namespace mlab::pusher {
namespace {

absl::Time Mtime(const struct stat& st) {
  return absl::FromUnixSeconds(st.st_mtim.tv_sec) + absl::Nanoseconds(st.st_mtim.tv_nsec);
}

}  // namespace

Sweeper::Sweeper(std::vector<std::string> roots, Options options, Sink sink)
    : roots_(std::move(roots)), options_(options), sink_(std::move(sink)) {}

Sweeper::~Sweeper() { Stop(); }

bool Sweeper::Walk(size_t root, const std::string& dir, absl::Time cutoff, absl::Time dir_cutoff,
                   std::vector<Found>* found, Stats* stats) {
  std::string path = dir.empty() ? roots_[root] : absl::StrCat(roots_[root], "/", dir);
  DIR* d = opendir(path.c_str());
  if (d == nullptr) {
    if (errno != ENOENT) PLOG(WARNING) << "sweep: opendir " << path;
    return false;
  }
  bool empty = true;
  std::vector<std::string> subdirs;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    empty = false;
    struct stat st;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    std::string relative = dir.empty() ? name : absl::StrCat(dir, "/", name);
    if (S_ISDIR(st.st_mode)) {
      subdirs.push_back(name);
    } else if (S_ISREG(st.st_mode) && Mtime(st) < cutoff) {
      found->push_back(Found{root, relative, st});
      stats->bytes += st.st_size;
    }
  }
  closedir(d);
  for (const std::string& name : subdirs) {
    std::string relative = dir.empty() ? name : absl::StrCat(dir, "/", name);
    if (Walk(root, relative, cutoff, dir_cutoff, found, stats)) {
      std::string sub = absl::StrCat(roots_[root], "/", relative);
      struct stat st;
      // Only directories nobody has touched for a day: today's may be about to get a file.
      if (stat(sub.c_str(), &st) == 0 && Mtime(st) < dir_cutoff && rmdir(sub.c_str()) == 0) {
        ++stats->dirs_removed;
        continue;
      }
    }
  }
  return empty;
}

Sweeper::Stats Sweeper::SweepOnce(absl::Time now) {
  Stats stats;
  absl::Time cutoff = now - options_.max_file_age;
  absl::Time dir_cutoff = now - options_.empty_dir_age;
  std::vector<Found> found;
  for (size_t root = 0; root < roots_.size(); ++root) {
    Walk(root, "", cutoff, dir_cutoff, &found, &stats);
  }
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return Mtime(a.st) < Mtime(b.st); });
  stats.files = found.size();
  Metrics& m = Metrics::Get();
  m.finder_runs.Increment();
  m.finder_files_found.Add(stats.files);
  m.finder_bytes_found.Add(stats.bytes);
  for (const Found& f : found) sink_(f);
  if (stats.files > 0 || stats.dirs_removed > 0) {
    LOG(INFO) << "sweep: " << stats.files << " files (" << stats.bytes << " bytes) older than "
              << options_.max_file_age << "; removed " << stats.dirs_removed << " empty dirs";
  }
  return stats;
}

void Sweeper::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Sweeper::TriggerNow() {
  absl::MutexLock lock(&mu_);
  triggered_ = true;
}

void Sweeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Sweeper::Run() {
  absl::BitGen gen;
  while (true) {
    SweepOnce(absl::Now());
    absl::Time next = absl::Now() + options_.interval.Next(gen);
    absl::MutexLock lock(&mu_);
    auto wake = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_ || triggered_; };
    mu_.AwaitWithDeadline(absl::Condition(&wake), next);
    if (stop_) return;
    triggered_ = false;
  }
}

}  // namespace mlab::pusher
