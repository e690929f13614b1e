// Runs the dataset reloads on m-lab/go's memoryless schedule (-reloadmin/-reloadtime/-reloadmax)
// and at once on request (SIGHUP), on a thread of its own.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_RELOAD_SCHEDULER_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_RELOAD_SCHEDULER_H_

#include <cstdint>
#include <functional>
#include <random>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mlab::uuid_annotator {

class ReloadScheduler {
 public:
  struct Config {
    absl::Duration min = absl::Hours(1);
    absl::Duration expected = absl::Hours(5);
    absl::Duration max = absl::Hours(24);
  };

  // memoryless.Config.Check: 0 <= min <= expected <= max (max 0 means unbounded).
  static absl::Status Check(const Config& config);

  // A wait drawn from an exponential distribution with mean `expected`, clamped to [min, max].
  static absl::Duration NextWait(const Config& config, std::mt19937_64& rng);

  ReloadScheduler(Config config, std::function<void()> reload);
  ~ReloadScheduler();  // Stop()

  void Start();
  // Reloads as soon as the thread is free (a request during a reload runs one more after it).
  void TriggerNow() ABSL_LOCKS_EXCLUDED(mu_);
  // Waits for a reload in progress, then joins. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Reloads completed so far.
  int64_t completed() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run();

  const Config config_;
  const std::function<void()> reload_;
  mutable absl::Mutex mu_;
  bool triggered_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t completed_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_RELOAD_SCHEDULER_H_
