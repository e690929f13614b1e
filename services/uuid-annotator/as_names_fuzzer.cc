// Fuzz target: the ipinfo.io AS names CSV (asn,name), then lookups.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/uuid-annotator/as_names.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::uuid_annotator;
  absl::StatusOr<std::unique_ptr<AsNames>> names =
      AsNames::Parse(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!names.ok()) return 0;
  for (uint32_t asn : {0u, 1u, 13335u, 64496u, 4294967295u}) (*names)->Find(asn);
  return 0;
}
