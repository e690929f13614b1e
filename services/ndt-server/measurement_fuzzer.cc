// Fuzz target: the measurement messages an ndt7 client sends as WebSocket text (JSON, matched
// case-insensitively like Go's encoding/json). A message we accept is archived as we write it
// again, so that text must parse back to the same JSON.
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
  const std::string json = MeasurementToJson(*m);
  absl::StatusOr<Measurement> again = ParseMeasurement(json);
  if (!again.ok() || MeasurementToJson(*again) != json) __builtin_trap();
  return 0;
}
