// Fuzz target: scamper's output for a regular trace (trace), as traceroute-caller reads it from
// scamper: cycle-start, trace and cycle-stop JSON lines, decoded with Go's encoding/json rules.
// An accepted trace goes through everything the archiver does with it: hops for annotation,
// anonymization, and both output formats.
#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/traceroute-caller/ip_anonymizer.h"
#include "services/traceroute-caller/parsed_trace.h"
#include "services/traceroute-caller/scamper2.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::trc;
  absl::StatusOr<Scamper2> trace =
      Scamper2::Parse(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!trace.ok()) return 0;
  trace->StartTime();
  trace->ExtractHops();
  (void)trace->Marshal(OutputFormat::kJsonl);
  static const IpAnonymizer* anonymizer = new IpAnonymizer(IpAnonymizer::Method::kNetblock, {});
  trace->Anonymize(*anonymizer);
  (void)trace->Marshal(OutputFormat::kJson);
  return 0;
}
