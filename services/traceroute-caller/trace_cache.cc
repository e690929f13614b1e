#include "services/traceroute-caller/trace_cache.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/traceroute-caller/scamper_common.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {
namespace {

// Errors that say the trace never ran; storing them would block the address for a whole TTL.
bool NotTraced(const absl::Status& status) {
  return absl::IsResourceExhausted(status) || absl::IsUnavailable(status) ||
         absl::IsCancelled(status);
}

}  // namespace

absl::StatusOr<std::string> RelabelCachedTrace(absl::string_view uuid, absl::string_view version,
                                               absl::string_view cached_raw) {
  size_t split = cached_raw.find('\n');
  if (split == absl::string_view::npos || split == 0) {
    TraceMetrics::Get().bad_cache.Increment();
    return absl::DataLossError("invalid cached traceroute");
  }
  std::string original = MetadataUUID(cached_raw.substr(0, split));
  std::string out = MetadataLine(uuid, version, true, original);
  absl::StrAppend(&out, cached_raw.substr(split + 1));
  return out;
}

TraceCache::TraceCache(Options options, TraceSource* source)
    : options_(std::move(options)), source_(source) {}

void TraceCache::Fetch(const std::string& ip, const std::string& uuid, Callback done) {
  std::shared_ptr<Entry> started;
  std::optional<RawTrace> stored;
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(ip);
    if (it != entries_.end() && !it->second->done) {
      it->second->waiters.push_back({uuid, std::move(done)});
      return;
    }
    if (it != entries_.end()) {
      stored = it->second->raw;
    } else {
      started = std::make_shared<Entry>();
      started->created = options_.clock();
      started->waiters.push_back({uuid, std::move(done)});
      entries_.emplace(ip, started);
    }
  }
  if (stored.has_value()) {
    done(FromCache(uuid, *stored));
    return;
  }
  source_->StartTrace(ip, uuid,
                      [this, ip, started](RawTrace raw) { Finish(ip, started, std::move(raw)); });
}

void TraceCache::Finish(const std::string& ip, const std::shared_ptr<Entry>& entry, RawTrace raw) {
  std::vector<Waiter> waiters;
  {
    absl::MutexLock lock(&mu_);
    entry->done = true;
    entry->raw = raw;
    waiters.swap(entry->waiters);
    if (!raw.ok() && NotTraced(raw.status())) {
      auto it = entries_.find(ip);
      if (it != entries_.end() && it->second == entry) entries_.erase(it);
    }
  }
  // The first waiter is the UUID the trace ran for; the others share its result.
  for (size_t i = 0; i < waiters.size(); ++i) {
    if (i == 0) {
      waiters[i].done(TraceOutcome{raw, false});
    } else {
      waiters[i].done(FromCache(waiters[i].uuid, raw));
    }
  }
}

TraceOutcome TraceCache::FromCache(const std::string& uuid, const RawTrace& raw) {
  if (!raw.ok()) {
    // Upstream's DontTrace: the stored error is the answer.
    if (!NotTraced(raw.status())) TraceMetrics::Get().skipped.Increment();
    return TraceOutcome{raw.status(), true};
  }
  TraceMetrics::Get().cached.Increment();
  return TraceOutcome{RelabelCachedTrace(uuid, options_.version, *raw), true};
}

void TraceCache::Sweep(absl::Time now) {
  absl::MutexLock lock(&mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second->done && now - it->second->created > options_.entry_timeout) {
      entries_.erase(it++);
    } else {
      ++it;
    }
  }
}

size_t TraceCache::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace mlab::trc
