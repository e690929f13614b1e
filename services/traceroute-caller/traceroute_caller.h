#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_TRACEROUTE_CALLER_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_TRACEROUTE_CALLER_H_

// The whole service: FlowEvents subscriber → trigger → trace cache → limiter → scamper, and the
// archiver with hop annotation on a work pool. main.cc only turns flags into Options.

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/events/subscriber.h"
#include "lib/spool/spool_dir.h"
#include "services/traceroute-caller/annotator_client.h"
#include "services/traceroute-caller/hop_annotator.h"
#include "services/traceroute-caller/ip_anonymizer.h"
#include "services/traceroute-caller/scamper_runner.h"
#include "services/traceroute-caller/trace_archiver.h"
#include "services/traceroute-caller/trace_cache.h"
#include "services/traceroute-caller/trace_limiter.h"
#include "services/traceroute-caller/trace_trigger.h"
#include "services/traceroute-caller/tracer.h"
#include "services/traceroute-caller/work_pool.h"

namespace mlab::trc {

struct ServiceOptions {
  ScamperConfig scamper;
  OutputFormat format = OutputFormat::kJsonl;
  std::string traceroute_output = "/var/spool/scamper1";
  std::string hopannotation_output = "/var/spool/hopannotation1";
  absl::Duration ip_cache_timeout = absl::Minutes(10);
  absl::Duration ip_cache_update_period = absl::Minutes(1);
  std::string eventsocket;
  // Annotator gRPC socket. When empty, upstream's HTTP ipservice socket is used instead; when
  // both are empty, hops are not annotated.
  std::string annotator_socket;
  std::string ipservice_socket;
  absl::Duration annotator_timeout = absl::Seconds(10);
  IpAnonymizer::Method anonymize = IpAnonymizer::Method::kNone;
  int max_concurrent = 50;
  size_t max_queued = 10000;
  int archive_threads = 4;
  std::string metadata_dir = "/metadata";
  std::string hostname;  // Default: gethostname().
  std::string version;
};

class TracerouteCaller {
 public:
  // Validates the options (as upstream at startup, plus mda with json, which upstream accepts but
  // then never writes), creates the output directories and finds the local addresses.
  static absl::StatusOr<std::unique_ptr<TracerouteCaller>> Create(ServiceOptions options);
  ~TracerouteCaller();

  // Subscribes to the event socket and starts the cache sweeper.
  absl::Status Start();

  // Stops taking events, drops queued traces, gives running ones `grace` to finish, kills the
  // rest, then archives everything that finished. Idempotent.
  void Shutdown(absl::Duration grace);

  TraceTrigger& trigger() { return *trigger_; }
  TraceLimiter& limiter() { return *limiter_; }
  TraceCache& cache() { return *cache_; }
  ScamperRunner& runner() { return *runner_; }

 private:
  explicit TracerouteCaller(ServiceOptions options);
  void SweepLoop();

  const ServiceOptions options_;
  std::unique_ptr<spool::SpoolDir> traces_dir_;
  std::unique_ptr<spool::SpoolDir> hops_dir_;
  std::unique_ptr<IpAnonymizer> anonymizer_;
  std::unique_ptr<ScamperRunner> runner_;
  std::unique_ptr<TraceLimiter> limiter_;
  std::unique_ptr<Tracer> tracer_;
  std::unique_ptr<TraceCache> cache_;
  std::unique_ptr<AnnotatorClient> annotator_;
  std::unique_ptr<HopAnnotator> hop_annotator_;
  std::unique_ptr<TraceArchiver> archiver_;
  std::unique_ptr<WorkPool> pool_;
  std::unique_ptr<TraceTrigger> trigger_;
  std::unique_ptr<mlab::events::FlowEventSubscriber> subscriber_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::thread sweeper_;
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_TRACEROUTE_CALLER_H_
