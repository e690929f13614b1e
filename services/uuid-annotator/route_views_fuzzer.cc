// Fuzz target: RouteViews pfx2as text (prefix, length, AS set or multi-origin AS), parsed as
// upstream does, then longest-prefix lookups.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/uuid-annotator/ip_address.h"
#include "services/uuid-annotator/route_views_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::uuid_annotator;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  ParseSystems(text);
  RouteViewsRowCounts counts;
  absl::StatusOr<std::unique_ptr<RouteViewsTable>> table = RouteViewsTable::Parse(text, &counts);
  if (!table.ok()) return 0;
  for (const char* ip : {"1.0.0.1", "8.8.8.8", "192.0.2.1", "0.0.0.0", "255.255.255.255",
                         "2001:db8::1", "2c0f:ffd8::1", "::", "ffff::1"}) {
    std::optional<RouteViewsTable::Match> match = (*table)->Lookup(*IpAddress::Parse(ip));
    if (match && match->systems == nullptr) __builtin_trap();
  }
  return 0;
}
