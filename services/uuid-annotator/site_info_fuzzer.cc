// Fuzz target: siteinfo's annotations JSON (per-hostname site, machine, networks, ASN), parsed for
// one M-Lab hostname and used to annotate the server side of flows.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/uuid-annotator/ip_address.h"
#include "services/uuid-annotator/site_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::uuid_annotator;
  absl::StatusOr<std::unique_ptr<SiteInfo>> info =
      SiteInfo::Parse(absl::string_view(reinterpret_cast<const char*>(data), size),
                      "mlab1-lga03.mlab-sandbox.measurement-lab.org");
  if (!info.ok()) return 0;
  for (const char* ip : {"4.14.159.99", "192.0.2.1", "2001:668:1f:22::99", "::1"}) {
    (*info)->Annotate(*IpAddress::Parse(ip));
  }
  return 0;
}
