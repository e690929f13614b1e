#ifndef MLAB_LIB_SPOOL_RETRYING_WRITER_H_
#define MLAB_LIB_SPOOL_RETRYING_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/spool/spool_dir.h"

namespace mlab::spool {

// Writes whole files through a SpoolDir, and keeps a file the disk refused (full, or out of
// quota) in memory to write it again once there is room: pusher frees the disk by uploading, so a
// full spool is usually a matter of minutes, and a measurement written late is still whole. The
// memory held is bounded; a file beyond the bound, or still held when the writer stops (after
// one last attempt), is lost and reported as such. Thread-safe.
class RetryingWriter {
 public:
  struct Options {
    size_t max_held_bytes = 32 << 20;
    absl::Duration first_retry = absl::Seconds(1);
    absl::Duration max_retry = absl::Seconds(30);
  };
  // A held file's fate: OK once written (with its final path), else why it was given up.
  using Done = std::function<void(const absl::Status& status, const std::string& final_path)>;
  struct Stats {
    int64_t held = 0;       // files refused at first and kept
    int64_t recovered = 0;  // of those, written later
    int64_t lost = 0;       // of those, given up (stopped); plus files refused beyond the bound
    size_t held_now = 0;
    size_t held_bytes = 0;
  };

  // `spool` must outlive this object.
  RetryingWriter(const SpoolDir* spool, Options options);
  explicit RetryingWriter(const SpoolDir* spool) : RetryingWriter(spool, Options()) {}
  ~RetryingWriter();  // Stop()
  RetryingWriter(const RetryingWriter&) = delete;
  RetryingWriter& operator=(const RetryingWriter&) = delete;

  // Writes `contents` as `name` under `date`'s directory. On success returns the final path. If
  // the disk refuses it for want of space (RESOURCE_EXHAUSTED) and the bound allows, the file is
  // held and retried, this returns the refusal with *held set (when `held` is given), and `done`
  // is called later, on the retry thread, with the outcome. Any other failure is returned as it
  // is (nothing held).
  absl::StatusOr<std::string> Write(absl::Time date, const std::string& name, std::string contents,
                                    Done done, bool* held) ABSL_LOCKS_EXCLUDED(mu_);

  // One last attempt at every held file, then `done` with the reason for each one still held.
  // Idempotent; Write() after Stop() holds nothing.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  Stats stats() const ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until every held file is written or given up and its `done` has returned, for at most
  // `timeout`; true if so.
  bool WaitUntilNoneHeld(absl::Duration timeout) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Held {
    absl::Time date;
    std::string name;
    std::string contents;
    Done done;
  };

  void Run();
  // Writes the oldest held file; false if it was refused again (the disk is still full).
  bool RetryOldest() ABSL_LOCKS_EXCLUDED(mu_);
  // Reports a held file's outcome (written, or given up), then forgets it.
  void Settle(const Held& file, const absl::StatusOr<std::string>& path) ABSL_LOCKS_EXCLUDED(mu_);

  const SpoolDir* const spool_;
  const Options options_;
  mutable absl::Mutex mu_;
  std::deque<Held> held_ ABSL_GUARDED_BY(mu_);
  size_t held_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mlab::spool

#endif  // MLAB_LIB_SPOOL_RETRYING_WRITER_H_
