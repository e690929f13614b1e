// This machine's entry in siteinfo's v2 annotations.json: the server half of every annotation,
// and, for virtual sites, the load balancer's public addresses.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_SITE_INFO_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_SITE_INFO_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/annotation/annotation.h"
#include "services/uuid-annotator/ip_address.h"

namespace mlab::uuid_annotator {

class SiteInfo {
 public:
  // Decodes the whole file as Go's json.Unmarshal into upstream's types would (keys matched
  // case-insensitively, unknown keys ignored, a wrong type anywhere fails) and picks the entry
  // keyed `hostname` (MlabHostname::StringWithService()). Fails when the host is absent or a
  // non-empty Network.IPv4/IPv6 is not a CIDR.
  static absl::StatusOr<std::unique_ptr<SiteInfo>> Parse(absl::string_view json,
                                                         absl::string_view hostname);

  // The server annotations for a flow whose local end is `server_ip`: the site's Annotation with
  // Network.CIDR set to the site prefix of that address family, or {} when the site has none.
  annotation::ServerAnnotations Annotate(const IpAddress& server_ip) const;

  // A virtual site's public addresses, which sit on no interface of the machine (the base
  // addresses of its IPv4 and IPv6 prefixes, as upstream takes them); empty for physical sites.
  const std::vector<IpAddress>& load_balancer_addresses() const { return lb_addresses_; }

  const std::string& hostname() const { return hostname_; }
  const std::string& type() const { return type_; }

 private:
  SiteInfo() = default;

  std::string hostname_;
  std::string type_;
  annotation::ServerAnnotations annotation_;
  std::optional<IpPrefix> v4_;  // From Network.IPv4 (whatever family it holds).
  std::optional<IpPrefix> v6_;  // From Network.IPv6.
  std::vector<IpAddress> lb_addresses_;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_SITE_INFO_H_
