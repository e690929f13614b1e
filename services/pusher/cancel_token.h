#ifndef MLAB_SERVICES_PUSHER_CANCEL_TOKEN_H_
#define MLAB_SERVICES_PUSHER_CANCEL_TOKEN_H_

#include <atomic>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace mlab::pusher {

// Shutdown signal for a worker: a flag cheap enough for libcurl's progress callback, plus a
// notification so backoff waits end the moment it is set.
class CancelToken {
 public:
  void Cancel() {
    if (!flag_.exchange(true)) notification_.Notify();
  }
  bool cancelled() const { return flag_.load(); }
  const std::atomic<bool>* flag() const { return &flag_; }
  // Waits up to `d`; true if the full time passed, false if cancelled.
  bool Sleep(absl::Duration d) const { return !notification_.WaitForNotificationWithTimeout(d); }

 private:
  std::atomic<bool> flag_{false};
  absl::Notification notification_;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_CANCEL_TOKEN_H_
