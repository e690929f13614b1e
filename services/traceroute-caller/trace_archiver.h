#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_ARCHIVER_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_ARCHIVER_H_

// What happens to a trace once scamper (or the cache) produced it, in upstream's order: strict
// parse, anonymize, re-marshal, write <traceroute-output>/YYYY/MM/DD/<start>_<UUID>.<jsonl|json>
// (date and name from the cycle-start time), then annotate the hops (after anonymization). A
// trace file a full disk refuses is held in memory and written once there is room
// (spool::RetryingWriter).

#include <string>

#include "absl/status/status.h"
#include "lib/spool/retrying_writer.h"
#include "lib/spool/spool_dir.h"
#include "services/traceroute-caller/hop_annotator.h"
#include "services/traceroute-caller/ip_anonymizer.h"
#include "services/traceroute-caller/parsed_trace.h"
#include "services/traceroute-caller/trace_cache.h"

namespace mlab::trc {

class TraceArchiver {
 public:
  struct Options {
    TraceType trace_type = TraceType::kMda;
    OutputFormat format = OutputFormat::kJsonl;
  };

  // What became of one trace, for the log line and the tests.
  struct Report {
    absl::Status status;  // The first failure (trace, parse, marshal or write); OK if archived.
    std::string path;     // The archive file, when written.
    bool held = false;    // Refused by a full disk, kept to be written later.
    int hops = 0;         // Distinct hop addresses in the trace.
    int annotations = 0;  // hopannotation2 files written for it.
    absl::Status annotation_status;
  };

  // All must outlive this; `hops` may be null (no hop annotation).
  TraceArchiver(Options options, const spool::SpoolDir* traces, const IpAnonymizer* anonymizer,
                HopAnnotator* hops,
                spool::RetryingWriter::Options retry = spool::RetryingWriter::Options());

  Report Archive(const std::string& uuid, const TraceOutcome& outcome);

  // Shutdown: one last attempt at every held trace file.
  void Stop() { files_.Stop(); }
  const spool::RetryingWriter& files() const { return files_; }

 private:
  const Options options_;
  const IpAnonymizer* const anonymizer_;
  HopAnnotator* const hops_;
  spool::RetryingWriter files_;
};

// `<YYYYMMDD>T<HHMMSS>Z_<UUID>.<ext>` (UTC).
std::string TraceFileName(absl::Time start, absl::string_view uuid, OutputFormat format);

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_ARCHIVER_H_
