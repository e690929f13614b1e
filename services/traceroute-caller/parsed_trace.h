#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_PARSED_TRACE_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_PARSED_TRACE_H_

// A trace as upstream's parser holds it between scamper's raw output and the archive: parsed
// strictly, anonymized in place, then re-marshaled the way Go's json.Encoder writes it.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/traceroute-caller/ip_anonymizer.h"
#include "services/traceroute-caller/scamper_common.h"

namespace mlab::trc {

// -scamper.trace-type: mda (scamper tracelb, the scamper1 datatype) or regular (scamper trace).
enum class TraceType { kMda, kRegular };
// -output.format: jsonl (4 lines) or json (one object; regular traces only).
enum class OutputFormat { kJsonl, kJson };

absl::StatusOr<TraceType> ParseTraceType(absl::string_view name);
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view name);
// "jsonl" or "json": the archive file's extension.
absl::string_view Extension(OutputFormat format);

class ParsedTrace {
 public:
  virtual ~ParsedTrace() = default;

  virtual const Metadata& metadata() const = 0;
  // The cycle-start time, which names the archive file and dates its directory.
  virtual absl::Time StartTime() const = 0;
  // The distinct hop addresses that parse as IPs (nodes and links, or hops), sorted.
  virtual std::vector<std::string> ExtractHops() const = 0;
  // Anonymizes the destination and the hops in its netblock; always re-renders dst as Go does.
  virtual void Anonymize(const IpAnonymizer& anonymizer) = 0;
  // The archive bytes; Unimplemented for MDA traces as json (upstream has no such format).
  virtual absl::StatusOr<std::string> Marshal(OutputFormat format) const = 0;
};

// Parses `raw` (metadata line + scamper's three lines, each ending in '\n') strictly, as
// upstream's and ETL's parsers do; a regular trace may also be one json object.
absl::StatusOr<std::unique_ptr<ParsedTrace>> ParseTrace(TraceType type, absl::string_view raw);

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_PARSED_TRACE_H_
