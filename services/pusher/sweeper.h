#ifndef MLAB_SERVICES_PUSHER_SWEEPER_H_
#define MLAB_SERVICES_PUSHER_SWEEPER_H_

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/pusher/memoryless.h"

namespace mlab::pusher {

// Finds what inotify missed (it is lossy, and a restart misses everything closed meanwhile):
// every regular file under the roots whose mtime is older than `max_file_age`, oldest first.
// Also removes empty directories (never a root) untouched for `empty_dir_age`, so stale date
// directories do not pin inotify watches. Runs at start, then after memoryless intervals, and
// at once when triggered (after an inotify overflow).
class Sweeper {
 public:
  struct Options {
    absl::Duration max_file_age = absl::Hours(2);
    absl::Duration empty_dir_age = absl::Hours(25);
    MemorylessDelay interval{absl::ZeroDuration(), absl::Hours(1), absl::Hours(4)};
  };
  struct Found {
    size_t root;
    std::string relative_path;
    struct stat st;
  };
  struct Stats {
    uint64_t files = 0;
    uint64_t bytes = 0;
    uint64_t dirs_removed = 0;
  };
  using Sink = std::function<void(const Found& file)>;

  Sweeper(std::vector<std::string> roots, Options options, Sink sink);
  ~Sweeper();
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  // One synchronous sweep of every root as of `now`.
  Stats SweepOnce(absl::Time now);

  void Start();
  void TriggerNow() ABSL_LOCKS_EXCLUDED(mu_);
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run();
  // Returns true if the directory ended up empty (and so may be removed by its parent).
  bool Walk(size_t root, const std::string& dir, absl::Time cutoff, absl::Time dir_cutoff,
            std::vector<Found>* found, Stats* stats);

  const std::vector<std::string> roots_;
  const Options options_;
  const Sink sink_;
  std::thread thread_;
  absl::Mutex mu_;
  bool triggered_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_SWEEPER_H_
