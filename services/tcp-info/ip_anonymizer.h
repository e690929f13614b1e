#ifndef MLAB_SERVICES_TCP_INFO_IP_ANONYMIZER_H_
#define MLAB_SERVICES_TCP_INFO_IP_ANONYMIZER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/tcp-info/sock_id.h"

namespace mlab::tcpinfo {

// -anonymize.ip for archives, as m-lab/go/anonymize: "none" keeps addresses; "netblock" zeroes
// the host part of each end of the RawIDM (IPv4 and v4-mapped: the last octet, a /24; IPv6:
// bytes 6-15, a /48, which is what upstream does although its comments say /64). Addresses of
// this host's interfaces are left alone. Events are never anonymized.
class IpAnonymizer {
 public:
  enum class Mode { kNone, kNetblock };

  static absl::StatusOr<Mode> ParseMode(absl::string_view text);
  // Every address configured on this host's interfaces (getifaddrs), in ToMapped form.
  static std::vector<RawAddress> LocalAddresses();

  IpAnonymizer(Mode mode, const std::vector<RawAddress>& ignored);

  bool enabled() const { return mode_ != Mode::kNone; }
  // Anonymizes src and dst of a 72-byte inet_diag_msg in place.
  void AnonymizeIdm(std::string* raw_idm) const;

 private:
  void AnonymizeAddress(uint8_t family, char* address) const;

  Mode mode_;
  absl::flat_hash_set<RawAddress> ignored_;
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_IP_ANONYMIZER_H_
