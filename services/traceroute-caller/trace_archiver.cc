#include "services/traceroute-caller/trace_archiver.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {

std::string TraceFileName(absl::Time start, absl::string_view uuid, OutputFormat format) {
  return absl::StrCat(absl::FormatTime("%Y%m%dT%H%M%SZ", start, absl::UTCTimeZone()), "_", uuid,
                      ".", Extension(format));
}

TraceArchiver::TraceArchiver(Options options, const spool::SpoolDir* traces,
                             const IpAnonymizer* anonymizer, HopAnnotator* hops,
                             spool::RetryingWriter::Options retry)
    : options_(options), anonymizer_(anonymizer), hops_(hops), files_(traces, retry) {}

TraceArchiver::Report TraceArchiver::Archive(const std::string& uuid, const TraceOutcome& outcome) {
  Report report;
  TraceMetrics& metrics = TraceMetrics::Get();
  auto fail = [&](absl::string_view stage, absl::Status status) {
    metrics.trace_errors.WithLabels({std::string(stage)}).Increment();
    report.status = std::move(status);
    return report;
  };
  if (!outcome.raw.ok()) return fail("trace", outcome.raw.status());
  absl::StatusOr<std::unique_ptr<ParsedTrace>> parsed =
      ParseTrace(options_.trace_type, *outcome.raw);
  if (!parsed.ok()) return fail("parse", parsed.status());
  ParsedTrace& trace = **parsed;
  trace.Anonymize(*anonymizer_);
  absl::StatusOr<std::string> bytes = trace.Marshal(options_.format);
  if (!bytes.ok()) return fail("marshal", bytes.status());
  absl::Time start = trace.StartTime();
  std::string name = TraceFileName(start, uuid, options_.format);
  const std::string datatype = options_.trace_type == TraceType::kMda ? "scamper1" : "scamper2";
  auto late = [uuid, datatype](const absl::Status& status, const std::string& path) {
    TraceMetrics& m = TraceMetrics::Get();
    if (status.ok()) {
      m.files.WithLabels({datatype}).Increment();
      LOG(INFO) << "trace " << uuid << ": held file written: " << path;
    } else {
      m.trace_errors.WithLabels({"write"}).Increment();
      LOG(ERROR) << "trace " << uuid << ": held file lost: " << status;
    }
  };
  absl::StatusOr<std::string> written =
      files_.Write(start, name, *std::move(bytes), std::move(late), &report.held);
  if (written.ok()) {
    metrics.files.WithLabels({datatype}).Increment();
    report.path = *written;
  } else {
    // Upstream goes on to the hops after a failed write; so do we.
    if (report.held) {
      metrics.held.Increment();
    } else {
      metrics.trace_errors.WithLabels({"write"}).Increment();
    }
    report.status = written.status();
  }
  std::vector<std::string> hops = trace.ExtractHops();
  report.hops = static_cast<int>(hops.size());
  if (hops.empty() || hops_ == nullptr) return report;
  absl::StatusOr<int> annotated = hops_->AnnotateAndWrite(hops, start);
  if (annotated.ok()) {
    report.annotations = *annotated;
  } else {
    report.annotation_status = annotated.status();
  }
  return report;
}

}  // namespace mlab::trc
