#include "services/traceroute-caller/trace_trigger.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {
namespace {

bool IsLocal(const IpAddress& ip, const std::vector<IpAddress>& local) {
  return std::find(local.begin(), local.end(), ip) != local.end();
}

void Count(absl::string_view event) {
  TraceMetrics::Get().flow_events.WithLabels({std::string(event)}).Increment();
}

}  // namespace

absl::StatusOr<std::string> FindRemote(const mlab::events::SocketID& id,
                                       const std::vector<IpAddress>& local) {
  std::optional<IpAddress> src = IpAddress::Parse(id.src_ip());
  if (!src.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("failed to parse source IP \"", id.src_ip(), "\""));
  }
  std::optional<IpAddress> dst = IpAddress::Parse(id.dst_ip());
  if (!dst.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("failed to parse destination IP \"", id.dst_ip(), "\""));
  }
  bool src_local = IsLocal(*src, local);
  bool dst_local = IsLocal(*dst, local);
  if (src_local && !dst_local) return id.dst_ip();
  if (!src_local && dst_local) return id.src_ip();
  return absl::FailedPreconditionError(
      absl::StrCat("failed to find a local/remote IP pair in ", id.src_ip(), " ", id.dst_ip()));
}

TraceTrigger::TraceTrigger(std::vector<IpAddress> local, TraceCache* cache, WorkPool* pool,
                           TraceArchiver* archiver)
    : local_(std::move(local)), cache_(cache), pool_(pool), archiver_(archiver) {}

void TraceTrigger::OnOpen(const mlab::events::FlowEvent& event) {
  if (event.uuid().empty() || !event.has_id()) {
    LOG(WARNING) << "open event without uuid or socket id: " << event.ShortDebugString();
    Count("open_invalid");
    return;
  }
  absl::StatusOr<std::string> remote = FindRemote(event.id(), local_);
  if (!remote.ok()) {
    VLOG(1) << "uuid=" << event.uuid() << ": " << remote.status();
    Count("open_no_remote");
    return;
  }
  Count("open");
  absl::MutexLock lock(&mu_);
  destinations_[event.uuid()] = *std::move(remote);
}

void TraceTrigger::OnClose(const mlab::events::FlowEvent& event) {
  std::string ip;
  {
    absl::MutexLock lock(&mu_);
    auto it = destinations_.find(event.uuid());
    if (it == destinations_.end()) {
      Count("close_unknown");
      return;
    }
    ip = std::move(it->second);
    destinations_.erase(it);
  }
  Count("close");
  std::string uuid = event.uuid();
  absl::Time closed = absl::Now();
  cache_->Fetch(ip, uuid, [this, ip, uuid, closed](TraceOutcome outcome) {
    pool_->Schedule([this, ip, uuid, closed, outcome = std::move(outcome)] {
      TraceArchiver::Report report = archiver_->Archive(uuid, outcome);
      LOG(INFO) << "trace uuid=" << uuid << " destination=" << ip
                << " cached=" << (outcome.cached ? "true" : "false")
                << " duration=" << absl::FormatDuration(absl::Now() - closed)
                << " status=" << (report.status.ok() ? "ok" : report.status.ToString())
                << " file=" << (report.path.empty() ? (report.held ? "held" : "-") : report.path)
                << " hops=" << report.hops << " annotations=" << report.annotations
                << (report.annotation_status.ok()
                        ? ""
                        : absl::StrCat(" annotation_error=", report.annotation_status.ToString()));
      if (on_archived_) on_archived_(uuid, report);
    });
  });
}

size_t TraceTrigger::open_flows() const {
  absl::MutexLock lock(&mu_);
  return destinations_.size();
}

}  // namespace mlab::trc
