#include "services/tcp-info/archive_worker.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "glog/logging.h"

namespace mlab::tcpinfo {
namespace {

constexpr int kNice = 10;

}  // namespace

ArchiveWorker::ArchiveWorker(Archiver* archiver, size_t capacity)
    : archiver_(archiver), capacity_(capacity) {
  thread_ = std::thread([this] { Run(); });
}

ArchiveWorker::~ArchiveWorker() { Shutdown(); }

void ArchiveWorker::Push(Item item) {
  absl::MutexLock lock(&mu_);
  if (stopped_) {
    LOG(DFATAL) << "archive notification after Shutdown";
    return;
  }
  if (queue_.size() >= capacity_) {
    full_waits_.fetch_add(1, std::memory_order_relaxed);
    auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return queue_.size() < capacity_; };
    mu_.Await(absl::Condition(&room));
  }
  queue_.push_back(std::move(item));
  ++pushed_;
}

void ArchiveWorker::OnOpen(const Flow& flow, const SocketSnapshot& first) {
  Push(Item{Item::Kind::kOpen, flow, first});
}

void ArchiveWorker::OnSnapshot(const Flow& flow, const SocketSnapshot& snapshot,
                               SnapshotChange change) {
  Item item{Item::Kind::kSnapshot, Flow{}, snapshot, change};
  item.flow.cookie = flow.cookie;
  Push(std::move(item));
}

void ArchiveWorker::OnClose(const Flow& flow, absl::Time when) {
  Item item{Item::Kind::kClose};
  item.flow.cookie = flow.cookie;
  item.when = when;
  Push(std::move(item));
}

void ArchiveWorker::Tick(absl::Time now) {
  Item item{Item::Kind::kTick};
  item.when = now;
  Push(std::move(item));
}

void ArchiveWorker::Run() {
  // Polling is the latency-sensitive work; archiving has a queue to absorb delays. A lower
  // priority lets the poller win when a burst of new flows makes file creation eat the CPU.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kNice) != 0) {
    PLOG(WARNING) << "cannot lower the archive writer's priority";
  }
  std::deque<Item> batch;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty(); };
      mu_.Await(absl::Condition(&work));
      batch.swap(queue_);  // frees the whole queue for the poller at once
    }
    bool shutdown = false;
    for (Item& item : batch) {
      switch (item.kind) {
        case Item::Kind::kOpen:
          archiver_->OnOpen(item.flow, item.snapshot);
          break;
        case Item::Kind::kSnapshot:
          archiver_->OnSnapshot(item.flow, item.snapshot, item.change);
          break;
        case Item::Kind::kClose:
          archiver_->OnClose(item.flow, item.when);
          break;
        case Item::Kind::kTick:
          archiver_->Tick(item.when);
          break;
        case Item::Kind::kShutdown:
          archiver_->Shutdown();
          shutdown = true;
          break;
      }
    }
    const size_t processed = batch.size();
    batch.clear();
    absl::MutexLock lock(&mu_);
    done_ += processed;
    if (shutdown) return;
  }
}

void ArchiveWorker::Drain() {
  absl::MutexLock lock(&mu_);
  const uint64_t target = pushed_;
  auto caught_up = [this, target]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done_ >= target; };
  mu_.Await(absl::Condition(&caught_up));
}

void ArchiveWorker::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    queue_.push_back(Item{Item::Kind::kShutdown});
    ++pushed_;
    stopped_ = true;
  }
  thread_.join();
}

size_t ArchiveWorker::queued() const {
  absl::MutexLock lock(&mu_);
  return static_cast<size_t>(pushed_ - done_);
}

}  // namespace mlab::tcpinfo
