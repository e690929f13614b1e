#include "services/traceroute-caller/tracer.h"

#include <memory>
#include <utility>

#include "services/traceroute-caller/scamper_common.h"

namespace mlab::trc {

Tracer::Tracer(ScamperRunner* runner, TraceLimiter* limiter, std::string version)
    : runner_(runner), limiter_(limiter), version_(std::move(version)) {}

void Tracer::StartTrace(const std::string& ip, const std::string& uuid,
                        std::function<void(RawTrace)> done) {
  // Shared by the two paths of the job; exactly one of them runs.
  auto callback = std::make_shared<std::function<void(RawTrace)>>(std::move(done));
  TraceLimiter::Job job;
  job.run = [this, ip, uuid, callback] {
    absl::StatusOr<std::string> out = runner_->Run(ip);
    if (!out.ok()) {
      (*callback)(out.status());
      return;
    }
    std::string raw = MetadataLine(uuid, version_, false, "");
    raw.append(*out);
    (*callback)(std::move(raw));
  };
  job.abandon = [callback](const absl::Status& why) { (*callback)(why); };
  absl::Status queued = limiter_->Submit(std::move(job));
  if (!queued.ok()) (*callback)(queued);
}

}  // namespace mlab::trc
