#include "services/traceroute-caller/hop_annotator.h"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/traceroute-caller/hop_annotation.h"
#include "services/traceroute-caller/ip_address.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {

HopAnnotator::HopAnnotator(AnnotatorClient* client, const spool::SpoolDir* output,
                           std::string hostname)
    : client_(client), output_(output), hostname_(std::move(hostname)) {}

std::vector<std::string> HopAnnotator::Claim(const std::string& day,
                                             const std::vector<std::string>& hops) {
  std::vector<std::string> claimed;
  absl::MutexLock lock(&mu_);
  auto& seen = days_[day];
  for (const std::string& hop : hops) {
    if (seen.insert(hop).second) {
      claimed.push_back(hop);
      TraceMetrics::Get().hops_inserted.Increment();
    }
  }
  while (days_.size() > 2) days_.erase(days_.begin());
  return claimed;
}

void HopAnnotator::Forget(const std::string& day, const std::vector<std::string>& hops) {
  absl::MutexLock lock(&mu_);
  auto it = days_.find(day);
  if (it == days_.end()) return;
  for (const std::string& hop : hops) it->second.erase(hop);
}

size_t HopAnnotator::CachedHops(const std::string& day) const {
  absl::MutexLock lock(&mu_);
  auto it = days_.find(day);
  return it == days_.end() ? 0 : it->second.size();
}

absl::StatusOr<int> HopAnnotator::AnnotateAndWrite(const std::vector<std::string>& hops,
                                                   absl::Time trace_start) {
  for (const std::string& hop : hops) {
    if (!IsIpAddress(hop)) {
      return absl::InvalidArgumentError(absl::StrCat("failed to parse hop IP address: ", hop));
    }
  }
  std::string day = absl::FormatTime("%Y%m%d", trace_start, absl::UTCTimeZone());
  std::vector<std::string> fresh = Claim(day, hops);
  if (fresh.empty()) return 0;
  TraceMetrics& metrics = TraceMetrics::Get();
  absl::StatusOr<HopAnnotations> annotations = client_->Annotate(fresh);
  if (!annotations.ok()) {
    metrics.hop_errors.WithLabels({"hopannotation", "annotate"}).Increment();
    Forget(day, fresh);
    return annotations.status();
  }
  metrics.hops_annotated.Add(static_cast<double>(annotations->size()));
  int written = 0;
  absl::Status first_error;
  std::vector<std::string> unwritten;
  for (const auto& [hop, hop_annotations] : *annotations) {
    absl::Status status = WriteOne(hop, trace_start, hop_annotations);
    if (status.ok()) {
      ++written;
      continue;
    }
    unwritten.push_back(hop);
    if (first_error.ok()) first_error = status;
  }
  // A hop whose file could not be written (a full disk) is tried again by the next trace through
  // it that day, as after a failed call; upstream keeps it cached and loses it for the day.
  Forget(day, unwritten);
  if (!first_error.ok()) return first_error;
  return written;
}

absl::Status HopAnnotator::WriteOne(const std::string& hop, absl::Time trace_start,
                                    const annotation::ClientAnnotations& annotations) {
  TraceMetrics& metrics = TraceMetrics::Get();
  std::string contents =
      HopAnnotationJson(HopAnnotationID(trace_start, hostname_, hop), trace_start, &annotations);
  auto file = output_->Create(trace_start, HopAnnotationFileName(trace_start, hostname_, hop));
  if (!file.ok()) {
    metrics.hop_errors.WithLabels({"hopannotation", "mkdirall"}).Increment();
    return file.status();
  }
  absl::Status status = (*file)->Write(contents);
  // Upstream writes these read-only.
  if (status.ok() && fchmod((*file)->fd(), 0444) != 0) {
    status = absl::ErrnoToStatus(errno, "fchmod");
  }
  if (status.ok()) status = (*file)->Commit();
  if (!status.ok()) {
    metrics.hop_errors.WithLabels({"hopannotation", "writefile"}).Increment();
    return status;
  }
  metrics.hops_written.Increment();
  metrics.files.WithLabels({"hopannotation2"}).Increment();
  return absl::OkStatus();
}

}  // namespace mlab::trc
