#ifndef MLAB_SERVICES_TCP_INFO_ARCHIVE_WORKER_H_
#define MLAB_SERVICES_TCP_INFO_ARCHIVE_WORKER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/tcp-info/archiver.h"
#include "services/tcp-info/flow_observer.h"

namespace mlab::tcpinfo {

// Runs an Archiver on a thread of its own, so that file creation, compression and commits
// (milliseconds each on some disks, and a thousand flows can open in one poll) never delay
// polling. The poller's notifications are queued in order; when the queue is full the poller
// waits (archives are never dropped) and the wait is counted.
class ArchiveWorker : public FlowObserver {
 public:
  ArchiveWorker(Archiver* archiver, size_t capacity = 1 << 16);
  ~ArchiveWorker() override;  // Shutdown()

  ArchiveWorker(const ArchiveWorker&) = delete;
  ArchiveWorker& operator=(const ArchiveWorker&) = delete;

  void OnOpen(const Flow& flow, const SocketSnapshot& first) override;
  void OnSnapshot(const Flow& flow, const SocketSnapshot& snapshot, SnapshotChange change) override;
  void OnClose(const Flow& flow, absl::Time when) override;
  // Archiver::Tick, in order with the notifications.
  void Tick(absl::Time now);

  // Waits until everything queued so far has been archived.
  void Drain();
  // Archives everything queued, commits every open file (Archiver::Shutdown) and stops the
  // thread. Idempotent; nothing may be queued afterwards.
  void Shutdown();

  size_t queued() const;
  // Times the poller found the queue full and waited.
  int64_t full_waits() const { return full_waits_.load(std::memory_order_relaxed); }

 private:
  struct Item {
    enum class Kind { kOpen, kSnapshot, kClose, kTick, kShutdown } kind;
    Flow flow;  // for kOpen; only the cookie otherwise, all the Archiver reads then
    SocketSnapshot snapshot;
    SnapshotChange change = SnapshotChange::kNone;
    absl::Time when;
  };

  void Push(Item item);
  void Run();

  Archiver* const archiver_;
  const size_t capacity_;
  std::thread thread_;
  std::atomic<int64_t> full_waits_{0};

  mutable absl::Mutex mu_;
  std::deque<Item> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t pushed_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t done_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_ARCHIVE_WORKER_H_
