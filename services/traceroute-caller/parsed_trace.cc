#include "services/traceroute-caller/parsed_trace.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/traceroute-caller/scamper1.h"
#include "services/traceroute-caller/scamper2.h"

namespace mlab::trc {

absl::StatusOr<TraceType> ParseTraceType(absl::string_view name) {
  if (name == "mda") return TraceType::kMda;
  if (name == "regular") return TraceType::kRegular;
  return absl::InvalidArgumentError(absl::StrCat("\"", name, "\": unknown traceroute type"));
}

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view name) {
  if (name == "jsonl") return OutputFormat::kJsonl;
  if (name == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat("\"", name, "\": unknown output format"));
}

absl::string_view Extension(OutputFormat format) {
  return format == OutputFormat::kJson ? "json" : "jsonl";
}

absl::StatusOr<std::unique_ptr<ParsedTrace>> ParseTrace(TraceType type, absl::string_view raw) {
  if (type == TraceType::kMda) {
    absl::StatusOr<Scamper1> parsed = Scamper1::Parse(raw);
    if (!parsed.ok()) return parsed.status();
    return std::make_unique<Scamper1>(*std::move(parsed));
  }
  absl::StatusOr<Scamper2> parsed = Scamper2::Parse(raw);
  if (!parsed.ok()) return parsed.status();
  return std::make_unique<Scamper2>(*std::move(parsed));
}

}  // namespace mlab::trc
