// Fuzz target: a MaxMind GeoLite2 City download as uuid-annotator loads it (.tar.gz, a zip,
// a gzipped or plain .mmdb), then lookups of addresses of both families.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/uuid-annotator/geo_database.h"
#include "services/uuid-annotator/ip_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::uuid_annotator;
  absl::StatusOr<std::unique_ptr<GeoDatabase>> db =
      GeoDatabase::FromSource(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!db.ok()) return 0;
  for (const char* ip : {"2.125.160.216", "81.2.69.160", "192.0.2.1", "2001:db8::1", "::1",
                         "2a02:ff80::", "::ffff:81.2.69.160"}) {
    (void)(*db)->Lookup(*IpAddress::Parse(ip));
  }
  return 0;
}
