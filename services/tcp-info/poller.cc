#include "services/tcp-info/poller.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "glog/logging.h"
#include "services/tcp-info/service_metrics.h"

namespace mlab::tcpinfo {
namespace {

const std::string& AfLabel(uint8_t family) {
  static const std::string* v4 = new std::string("ipv4");
  static const std::string* v6 = new std::string("ipv6");
  return family == AF_INET6 ? *v6 : *v4;
}

}  // namespace

Poller::Poller(SockDiagCollector* collector, FlowTable* table, DestroyListener* destroy,
               Options options)
    : collector_(collector), table_(table), destroy_(destroy), options_(std::move(options)) {
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  PCHECK(stop_fd_ >= 0) << "eventfd";
}

Poller::~Poller() { close(stop_fd_); }

void Poller::Stop() {
  stopped_.store(true);
  uint64_t one = 1;
  (void)!write(stop_fd_, &one, sizeof(one));
}

void Poller::PollOnce() {
  ServiceMetrics& metrics = Metrics();
  const absl::Time start = absl::Now();
  if (last_start_ != absl::InfinitePast()) {
    metrics.polling_interval.Observe(absl::ToDoubleSeconds(start - last_start_));
  }
  last_start_ = start;
  for (uint8_t family : {AF_INET6, AF_INET}) {
    const absl::Time before = absl::Now();
    absl::StatusOr<FamilyDump> dump = collector_->Dump(family);
    metrics.syscall_time.WithLabels({AfLabel(family)})
        .Observe(absl::ToDoubleSeconds(absl::Now() - before));
    if (!dump.ok()) {
      // Not applied: the family's flows stay as they are until a dump succeeds.
      metrics.failed_dumps.WithLabels({AfLabel(family)}).Increment();
      LOG_EVERY_N(WARNING, 100) << "discarding a failed " << AfLabel(family)
                                << " dump: " << dump.status();
      continue;
    }
    metrics.connection_count.WithLabels({AfLabel(family)})
        .Observe(static_cast<double>(dump->sockets.size()));
    table_->Apply(*dump);
  }
  if (options_.after_poll) options_.after_poll(absl::Now());
  metrics.cache_count.Observe(static_cast<double>(table_->size()));
  metrics.flows.Set(static_cast<double>(table_->size()));
  metrics.poll_duration.Observe(absl::ToDoubleSeconds(absl::Now() - start));
  polls_.fetch_add(1, std::memory_order_relaxed);
}

void Poller::ApplyDestroyNotifications() {
  bool overflowed = false;
  absl::StatusOr<std::vector<SocketSnapshot>> destroyed = destroy_->Drain(absl::Now(), &overflowed);
  if (overflowed) Metrics().errors.WithLabels({"destroy ENOBUFS"}).Increment();
  if (!destroyed.ok()) {
    Metrics().errors.WithLabels({"destroy"}).Increment();
    LOG_EVERY_N(WARNING, 100) << destroyed.status();
    return;
  }
  for (const SocketSnapshot& snapshot : *destroyed) {
    if (table_->ApplyDestroyed(snapshot)) Metrics().destroy_notifications.Increment();
  }
}

bool Poller::WaitUntil(absl::Time deadline) {
  while (!stopped_.load()) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return true;
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {destroy_ != nullptr ? destroy_->fd() : -1, POLLIN, 0}};
    timespec timeout = absl::ToTimespec(left);
    if (ppoll(fds, 2, &timeout, nullptr) < 0 && errno != EINTR) {
      PLOG(ERROR) << "ppoll";
      return !stopped_.load();
    }
    if (fds[1].revents & POLLIN) ApplyDestroyNotifications();
  }
  return false;
}

absl::Status Poller::Run() {
  absl::Time next = absl::Now();
  while (!stopped_.load()) {
    PollOnce();
    if (options_.reps > 0 && polls() >= options_.reps) break;
    next += options_.interval;
    const absl::Time now = absl::Now();
    if (next < now) {
      // Overran: skip the missed ticks rather than polling back to back.
      next = now + options_.interval - (now - next) % options_.interval;
    }
    if (!WaitUntil(next)) break;
  }
  // Close notifications that arrived during the last poll still count.
  if (destroy_ != nullptr) ApplyDestroyNotifications();
  return absl::OkStatus();
}

}  // namespace mlab::tcpinfo
