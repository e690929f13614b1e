#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_CACHE_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_CACHE_H_

// One trace per destination per -IPCacheTimeout (upstream's ipcache): the first Close for an
// address starts a trace, Closes for it while that runs wait for the same result, and later ones
// within the timeout get the stored result marked as cached (CachedResult true, CachedUUID the
// original UUID). A scamper failure is stored too and reused (traces_skipped_total), as upstream.
//
// Unlike upstream, an entry is never dropped while its trace runs (upstream's sweeper could, and
// a second concurrent trace to the same address followed), and a trace that never ran (queue
// full, shutdown) is not stored.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mlab::trc {

// What a trace to one address produced: metadata line + scamper's output, or why there is none.
using RawTrace = absl::StatusOr<std::string>;

// Starts traces; `done` is called exactly once, on any thread, possibly before StartTrace returns.
class TraceSource {
 public:
  virtual ~TraceSource() = default;
  virtual void StartTrace(const std::string& ip, const std::string& uuid,
                          std::function<void(RawTrace)> done) = 0;
};

// The result for one UUID: its own trace, or a relabeled copy of another UUID's.
struct TraceOutcome {
  RawTrace raw;
  bool cached = false;
};

// Replaces the first line of `cached_raw` with a metadata line for `uuid` saying it is a cached
// copy of the UUID in that line (upstream's CachedTrace). Fails when there is no first line.
absl::StatusOr<std::string> RelabelCachedTrace(absl::string_view uuid, absl::string_view version,
                                               absl::string_view cached_raw);

class TraceCache {
 public:
  using Callback = std::function<void(TraceOutcome)>;

  struct Options {
    // -IPCacheTimeout: how long after its trace started an entry is reused.
    absl::Duration entry_timeout = absl::Minutes(10);
    // TracerouteCallerVersion in the metadata lines of cached results.
    std::string version;
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };

  TraceCache(Options options, TraceSource* source);

  TraceCache(const TraceCache&) = delete;
  TraceCache& operator=(const TraceCache&) = delete;

  // Gets the trace to `ip` for `uuid` and calls `done` once (on this thread when the result is
  // already stored, otherwise on the thread that finishes the trace).
  void Fetch(const std::string& ip, const std::string& uuid, Callback done);

  // Drops finished entries whose trace started more than entry_timeout before `now` (run every
  // -IPCacheUpdatePeriod).
  void Sweep(absl::Time now);

  // Entries stored or in flight.
  size_t size() const;

 private:
  struct Waiter {
    std::string uuid;
    Callback done;
  };
  struct Entry {
    absl::Time created;
    bool done = false;
    RawTrace raw = absl::UnknownError("not traced yet");
    std::vector<Waiter> waiters;
  };

  // Called once per started trace with its result.
  void Finish(const std::string& ip, const std::shared_ptr<Entry>& entry, RawTrace raw);
  // A stored result as it goes to a UUID other than the one that traced.
  TraceOutcome FromCache(const std::string& uuid, const RawTrace& raw);

  const Options options_;
  TraceSource* const source_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_CACHE_H_
