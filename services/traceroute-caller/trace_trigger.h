#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_TRIGGER_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_TRIGGER_H_

// Turns tcp-info's flow events into traces, as upstream's triggertrace: an Open records which end
// of the flow is remote (exactly one end must be a local address), and the Close of a flow seen
// open traces that remote address through the cache, then archives the result on the work pool.

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/events/handler.h"
#include "services/traceroute-caller/ip_address.h"
#include "services/traceroute-caller/trace_archiver.h"
#include "services/traceroute-caller/trace_cache.h"
#include "services/traceroute-caller/work_pool.h"

namespace mlab::trc {

// The remote address of a flow as tcp-info wrote it: the end that is not local. Fails unless
// exactly one end is local, or when an address does not parse.
absl::StatusOr<std::string> FindRemote(const mlab::events::SocketID& id,
                                       const std::vector<IpAddress>& local);

class TraceTrigger : public mlab::events::FlowEventHandler {
 public:
  // Called after each trace was archived (or failed), on a pool thread.
  using ArchivedFn =
      std::function<void(const std::string& uuid, const TraceArchiver::Report& report)>;

  // All pointers must outlive this.
  TraceTrigger(std::vector<IpAddress> local, TraceCache* cache, WorkPool* pool,
               TraceArchiver* archiver);

  void OnOpen(const mlab::events::FlowEvent& event) override;
  void OnClose(const mlab::events::FlowEvent& event) override;

  void set_on_archived(ArchivedFn fn) { on_archived_ = std::move(fn); }

  // Flows seen open and not closed yet.
  size_t open_flows() const;

 private:
  const std::vector<IpAddress> local_;
  TraceCache* const cache_;
  WorkPool* const pool_;
  TraceArchiver* const archiver_;
  ArchivedFn on_archived_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::string> destinations_ ABSL_GUARDED_BY(mu_);  // uuid → ip
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_TRIGGER_H_
