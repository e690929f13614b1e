// Fuzz target: the measurement messages an ndt7 client sends as WebSocket text (JSON, matched
// case-insensitively like Go's encoding/json). A message we accept is archived as we write it
// again, so that text must parse back, and writing it again must give the same text. (Not the
// first write: like Go, invalid UTF-8 is written as \ufffd escapes and read back as U+FFFD, which
// is then written raw.)
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/ndt-server/measurement.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::ndt7;
  absl::StatusOr<Measurement> m =
      ParseMeasurement(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!m.ok()) return 0;
  absl::StatusOr<Measurement> again = ParseMeasurement(MeasurementToJson(*m));
  if (!again.ok()) __builtin_trap();
  const std::string json = MeasurementToJson(*again);
  absl::StatusOr<Measurement> third = ParseMeasurement(json);
  if (!third.ok() || MeasurementToJson(*third) != json) __builtin_trap();
  return 0;
}
