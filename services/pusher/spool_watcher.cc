#include "services/pusher/spool_watcher.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace mlab::pusher {
namespace {

constexpr uint32_t kDirMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
                              IN_DELETE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;

std::string Child(const std::string& dir, absl::string_view name) {
  return dir.empty() ? std::string(name) : absl::StrCat(dir, "/", name);
}

}  // namespace

SpoolWatcher::SpoolWatcher(std::vector<std::string> roots, Callbacks callbacks,
                           absl::Duration settle)
    : roots_(std::move(roots)), callbacks_(std::move(callbacks)), settle_(settle) {}

SpoolWatcher::~SpoolWatcher() { Stop(); }

std::string SpoolWatcher::Join(size_t root, const std::string& dir) const {
  return dir.empty() ? roots_[root] : absl::StrCat(roots_[root], "/", dir);
}

absl::Status SpoolWatcher::Start() {
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) return absl::ErrnoToStatus(errno, "inotify_init1");
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd_ < 0) return absl::ErrnoToStatus(errno, "eventfd");
  for (size_t root = 0; root < roots_.size(); ++root) {
    int wd = inotify_add_watch(inotify_fd_, roots_[root].c_str(), kDirMask);
    if (wd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("watch ", roots_[root]));
    AddTree(root, "", /*report_files=*/false);
  }
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void SpoolWatcher::Stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    if (write(stop_fd_, &one, sizeof(one)) < 0) PLOG(ERROR) << "eventfd write";
    thread_.join();
  }
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
  inotify_fd_ = stop_fd_ = -1;
}

size_t SpoolWatcher::watch_count() const {
  absl::MutexLock lock(&mu_);
  return watches_.size();
}

size_t SpoolWatcher::held_count() const {
  absl::MutexLock lock(&mu_);
  return held_.size();
}

void SpoolWatcher::ReportOrHold(size_t root, const std::string& relative_path, absl::Time mtime) {
  absl::Time now = absl::Now();
  // A future mtime (a writer's clock) counts as now, so the file is not held for ever.
  absl::Time settled = std::min(mtime, now) + settle_;
  if (settled <= now) {
    callbacks_.on_file(root, relative_path, Event::kNewDirectory);
    return;
  }
  absl::MutexLock lock(&mu_);
  held_[{root, relative_path}] = settled;
}

void SpoolWatcher::Release(size_t root, const std::string& relative_path) {
  absl::MutexLock lock(&mu_);
  held_.erase({root, relative_path});
}

absl::Time SpoolWatcher::ReportSettled() {
  absl::Time now = absl::Now();
  std::vector<std::pair<size_t, std::string>> due;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = held_.begin(); it != held_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      due.push_back(it->first);
      it = held_.erase(it);
    }
  }
  for (const auto& [root, relative_path] : due) {
    struct stat st;
    if (stat(Join(root, relative_path).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      continue;  // Renamed or removed meanwhile: a new name has its own event.
    }
    ReportOrHold(root, relative_path, absl::TimeFromTimespec(st.st_mtim));
  }
  absl::MutexLock lock(&mu_);
  absl::Time next = absl::InfiniteFuture();
  for (const auto& [file, when] : held_) next = std::min(next, when);
  return next;
}

void SpoolWatcher::AddTree(size_t root, const std::string& dir, bool report_files) {
  std::string path = Join(root, dir);
  // Watch first, then list: anything created after the watch is an event, anything before it
  // is in the listing (a file may be both; the pipeline ignores repeats).
  int wd = inotify_add_watch(inotify_fd_, path.c_str(), kDirMask);
  if (wd < 0) {
    if (errno != ENOENT && errno != ENOTDIR && callbacks_.on_watch_error) {
      callbacks_.on_watch_error(path, errno);
    }
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    auto old = watches_.find(wd);
    if (old != watches_.end()) by_path_.erase({old->second.root, old->second.dir});
    watches_[wd] = Watch{root, dir};
    by_path_[{root, dir}] = wd;
  }
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return;
  std::vector<std::string> subdirs;
  std::vector<std::pair<std::string, absl::Time>> files;  // With their mtimes.
  while (struct dirent* e = readdir(d)) {
    absl::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    unsigned char type = e->d_type;
    if (type == DT_DIR) {
      subdirs.emplace_back(name);
      continue;
    }
    if (!report_files || (type != DT_REG && type != DT_UNKNOWN)) continue;
    struct stat st;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      subdirs.emplace_back(name);
    } else if (S_ISREG(st.st_mode)) {
      files.emplace_back(name, absl::TimeFromTimespec(st.st_mtim));
    }
  }
  closedir(d);
  for (const auto& [name, mtime] : files) ReportOrHold(root, Child(dir, name), mtime);
  for (const std::string& s : subdirs) AddTree(root, Child(dir, s), report_files);
}

void SpoolWatcher::RemoveTree(size_t root, const std::string& dir) {
  absl::MutexLock lock(&mu_);
  std::string prefix = dir + "/";
  for (auto it = by_path_.lower_bound({root, dir}); it != by_path_.end();) {
    if (it->first.first != root ||
        (it->first.second != dir && !absl::StartsWith(it->first.second, prefix))) {
      break;
    }
    inotify_rm_watch(inotify_fd_, it->second);
    watches_.erase(it->second);
    it = by_path_.erase(it);
  }
}

void SpoolWatcher::Run() {
  alignas(struct inotify_event) char buffer[64 * 1024];
  struct pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  absl::Time next_settled = absl::InfiniteFuture();
  while (true) {
    int timeout_ms = -1;
    if (next_settled != absl::InfiniteFuture()) {
      absl::Duration wait =
          std::clamp(next_settled - absl::Now(), absl::ZeroDuration(), absl::Hours(1));
      timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(wait + absl::Milliseconds(1)));
    }
    int n = poll(fds, 2, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      PLOG(ERROR) << "poll";
      return;
    }
    if (fds[1].revents != 0) return;
    while (true) {
      ssize_t len = read(inotify_fd_, buffer, sizeof(buffer));
      if (len < 0) {
        if (errno != EAGAIN && errno != EINTR) PLOG(ERROR) << "read inotify";
        break;
      }
      Process(buffer, len);
    }
    next_settled = ReportSettled();
  }
}

void SpoolWatcher::Process(const char* buffer, size_t length) {
  for (size_t off = 0; off + sizeof(struct inotify_event) <= length;) {
    const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + off);
    off += sizeof(struct inotify_event) + event->len;
    if (event->mask & IN_Q_OVERFLOW) {
      LOG(WARNING) << "inotify queue overflowed: events were lost; sweeping";
      if (callbacks_.on_overflow) callbacks_.on_overflow();
      // Directories created during the overflow are unknown: re-walk (without reporting files,
      // which the sweep covers).
      for (size_t root = 0; root < roots_.size(); ++root) AddTree(root, "", false);
      continue;
    }
    Watch watch;
    {
      absl::MutexLock lock(&mu_);
      auto it = watches_.find(event->wd);
      if (it == watches_.end()) continue;
      watch = it->second;
      if (event->mask & IN_IGNORED) {
        by_path_.erase({watch.root, watch.dir});
        watches_.erase(it);
        continue;
      }
    }
    if (event->mask & IN_DELETE_SELF) {
      if (watch.dir.empty()) LOG(ERROR) << "datatype directory removed: " << roots_[watch.root];
      continue;
    }
    if (event->len == 0) continue;
    std::string name(event->name);
    std::string relative = Child(watch.dir, name);
    if (event->mask & IN_ISDIR) {
      if (event->mask & (IN_CREATE | IN_MOVED_TO)) AddTree(watch.root, relative, true);
      if (event->mask & IN_MOVED_FROM) RemoveTree(watch.root, relative);
      continue;
    }
    if (event->mask & IN_CLOSE_WRITE) {
      Release(watch.root, relative);
      callbacks_.on_file(watch.root, relative, Event::kCloseWrite);
    } else if (event->mask & IN_MOVED_TO) {
      Release(watch.root, relative);
      callbacks_.on_file(watch.root, relative, Event::kMovedTo);
    }
  }
}

}  // namespace mlab::pusher
