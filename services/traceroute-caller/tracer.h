#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_TRACER_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_TRACER_H_

// The TraceSource the cache uses in production: each trace waits for a TraceLimiter slot, runs
// scamper, and gets upstream's metadata line ({"UUID",...,"CachedResult":false,"CachedUUID":""})
// in front of scamper's output.

#include <functional>
#include <string>

#include "services/traceroute-caller/scamper_runner.h"
#include "services/traceroute-caller/trace_cache.h"
#include "services/traceroute-caller/trace_limiter.h"

namespace mlab::trc {

class Tracer : public TraceSource {
 public:
  // Both must outlive the Tracer. `version` is the metadata's TracerouteCallerVersion.
  Tracer(ScamperRunner* runner, TraceLimiter* limiter, std::string version);

  void StartTrace(const std::string& ip, const std::string& uuid,
                  std::function<void(RawTrace)> done) override;

 private:
  ScamperRunner* const runner_;
  TraceLimiter* const limiter_;
  const std::string version_;
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_TRACER_H_
