#include "services/traceroute-caller/traceroute_caller.h"

#include <unistd.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"
#include "services/traceroute-caller/ipservice_client.h"
#include "services/traceroute-caller/local_addresses.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {

absl::StatusOr<std::unique_ptr<TracerouteCaller>> TracerouteCaller::Create(ServiceOptions options) {
  if (options.eventsocket.empty()) {
    return absl::InvalidArgumentError("tcpinfo.eventsocket value was empty");
  }
  if (options.scamper.trace_type == TraceType::kMda && options.format == OutputFormat::kJson) {
    return absl::InvalidArgumentError(
        "-output.format=json needs -scamper.trace-type=regular (MDA traces are archived as jsonl)");
  }
  if (options.ip_cache_timeout <= absl::ZeroDuration() ||
      options.ip_cache_update_period <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("invalid IP cache configuration");
  }
  if (options.max_concurrent < 1) {
    return absl::InvalidArgumentError("the concurrent trace limit must be at least 1");
  }
  if (options.hostname.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) != 0) return absl::InternalError("gethostname");
    options.hostname = host;
  }
  TraceMetrics::Get();  // Registers every metric, so scrapes show them before the first trace.
  auto service = std::unique_ptr<TracerouteCaller>(new TracerouteCaller(std::move(options)));
  const ServiceOptions& o = service->options_;

  absl::StatusOr<std::unique_ptr<ScamperRunner>> runner = ScamperRunner::Create(o.scamper);
  if (!runner.ok()) return runner.status();
  service->runner_ = *std::move(runner);

  absl::StatusOr<std::vector<IpAddress>> local = LocalAddresses(o.metadata_dir);
  if (!local.ok()) return local.status();

  // Created at startup (upstream issue #166), so uploaders never race the first trace.
  service->traces_dir_ = std::make_unique<spool::SpoolDir>(o.traceroute_output);
  if (absl::Status s = service->traces_dir_->Init(); !s.ok()) return s;
  service->hops_dir_ = std::make_unique<spool::SpoolDir>(o.hopannotation_output);
  if (absl::Status s = service->hops_dir_->Init(); !s.ok()) return s;

  service->anonymizer_ = std::make_unique<IpAnonymizer>(o.anonymize, *local);
  service->limiter_ =
      std::make_unique<TraceLimiter>(TraceLimiter::Options{o.max_concurrent, o.max_queued});
  service->tracer_ =
      std::make_unique<Tracer>(service->runner_.get(), service->limiter_.get(), o.version);
  TraceCache::Options cache_options;
  cache_options.entry_timeout = o.ip_cache_timeout;
  cache_options.version = o.version;
  service->cache_ = std::make_unique<TraceCache>(cache_options, service->tracer_.get());
  if (!o.annotator_socket.empty()) {
    service->annotator_ =
        std::make_unique<GrpcAnnotatorClient>(o.annotator_socket, o.annotator_timeout);
    service->hop_annotator_ = std::make_unique<HopAnnotator>(service->annotator_.get(),
                                                             service->hops_dir_.get(), o.hostname);
  }
  service->archiver_ = std::make_unique<TraceArchiver>(
      TraceArchiver::Options{o.scamper.trace_type, o.format}, service->traces_dir_.get(),
      service->anonymizer_.get(), service->hop_annotator_.get());
  service->pool_ = std::make_unique<WorkPool>(o.archive_threads);
  service->trigger_ = std::make_unique<TraceTrigger>(
      *local, service->cache_.get(), service->pool_.get(), service->archiver_.get());
  mlab::events::FlowEventSubscriber::Options subscriber_options;
  subscriber_options.client_name = "traceroute-caller";
  service->subscriber_ = std::make_unique<mlab::events::FlowEventSubscriber>(
      o.eventsocket, service->trigger_.get(), subscriber_options);
  LOG(INFO) << "traceroute-caller " << o.version << ": " << local->size()
            << " local addresses, scamper " << absl::StrJoin(service->runner_->Argv("<ip>"), " ")
            << ", at most " << o.max_concurrent << " concurrent traces";
  return service;
}

TracerouteCaller::TracerouteCaller(ServiceOptions options) : options_(std::move(options)) {}

TracerouteCaller::~TracerouteCaller() { Shutdown(absl::ZeroDuration()); }

absl::Status TracerouteCaller::Start() {
  if (absl::Status s = subscriber_->Start(); !s.ok()) return s;
  sweeper_ = std::thread([this] { SweepLoop(); });
  return absl::OkStatus();
}

void TracerouteCaller::SweepLoop() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.ip_cache_update_period)) break;
    mu_.Unlock();
    cache_->Sweep(absl::Now());
    mu_.Lock();
  }
}

void TracerouteCaller::Shutdown(absl::Duration grace) {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
  }
  if (subscriber_ == nullptr) return;  // Create() failed half-way: nothing runs.
  subscriber_->Stop();
  limiter_->StopAccepting();
  if (!limiter_->WaitIdle(absl::Now() + grace)) {
    LOG(WARNING) << "abandoning " << limiter_->running() << " running traces";
    runner_->CancelAll();
  }
  limiter_->Join();
  pool_->Drain();
  archiver_->Stop();  // One last attempt at trace files a full disk refused.
  if (sweeper_.joinable()) sweeper_.join();
  LOG(INFO) << "traceroute-caller stopped";
}

}  // namespace mlab::trc
