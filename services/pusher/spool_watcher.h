#ifndef MLAB_SERVICES_PUSHER_SPOOL_WATCHER_H_
#define MLAB_SERVICES_PUSHER_SPOOL_WATCHER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mlab::pusher {

// Watches datatype trees with inotify, recursively: every file closed after writing
// (IN_CLOSE_WRITE) or renamed in (IN_MOVED_TO) is reported with its path relative to its root.
// New directories are watched as they appear and scanned once, so files that landed in them
// before the watch existed are reported too. A file the scan finds modified less than `settle`
// ago may still be open for writing: it is held until its close event or until it has been
// left alone for `settle`, so it is never read half-written. A kernel queue overflow
// (IN_Q_OVERFLOW) is reported so the caller can sweep; the watches are then re-established.
class SpoolWatcher {
 public:
  enum class Event { kCloseWrite, kMovedTo, kNewDirectory };
  static constexpr absl::Duration kDefaultSettle = absl::Seconds(10);
  struct Callbacks {
    // Called on the watcher thread; must not block.
    std::function<void(size_t root, const std::string& relative_path, Event event)> on_file;
    std::function<void()> on_overflow;
    // A directory could not be watched (e.g. fs.inotify.max_user_watches is exhausted).
    std::function<void(const std::string& path, int error)> on_watch_error;
  };

  SpoolWatcher(std::vector<std::string> roots, Callbacks callbacks,
               absl::Duration settle = kDefaultSettle);
  ~SpoolWatcher();
  SpoolWatcher(const SpoolWatcher&) = delete;
  SpoolWatcher& operator=(const SpoolWatcher&) = delete;

  // Watches every directory under the roots (files already there are not reported: the journal
  // and the sweeper own those) and starts the watcher thread.
  absl::Status Start();
  void Stop();

  size_t watch_count() const ABSL_LOCKS_EXCLUDED(mu_);
  // Files found by a new-directory scan and not reported yet (see `settle`).
  size_t held_count() const ABSL_LOCKS_EXCLUDED(mu_);

  // Processes raw inotify records as if read from the kernel (tests use it for IN_Q_OVERFLOW).
  void ProcessEventsForTest(const char* buffer, size_t length) { Process(buffer, length); }

 private:
  struct Watch {
    size_t root;
    std::string dir;  // Relative to the root; "" for the root itself.
  };

  void Run();
  void Process(const char* buffer, size_t length);
  // Watches `dir` and everything below it; with report_files, reports the files found.
  void AddTree(size_t root, const std::string& dir, bool report_files);
  void RemoveTree(size_t root, const std::string& dir);
  std::string Join(size_t root, const std::string& dir) const;
  // Reports the scan's find at once if it has settled, else holds it until then.
  void ReportOrHold(size_t root, const std::string& relative_path, absl::Time mtime)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Reports held files that have settled, re-holds those written since; returns the next due
  // time (InfiniteFuture if nothing is held).
  absl::Time ReportSettled() ABSL_LOCKS_EXCLUDED(mu_);
  // An event reports the file itself: it no longer needs holding.
  void Release(size_t root, const std::string& relative_path) ABSL_LOCKS_EXCLUDED(mu_);

  const std::vector<std::string> roots_;
  const Callbacks callbacks_;
  const absl::Duration settle_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::map<int, Watch> watches_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<size_t, std::string>, int> by_path_ ABSL_GUARDED_BY(mu_);
  // (root, relative path) -> when to look at it again.
  std::map<std::pair<size_t, std::string>, absl::Time> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_SPOOL_WATCHER_H_
