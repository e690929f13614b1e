#ifndef MLAB_SERVICES_PACKET_HEADERS_ANONYMIZER_H_
#define MLAB_SERVICES_PACKET_HEADERS_ANONYMIZER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/packet-headers/flow_key.h"

namespace mlab::packet_headers {

// -anonymize.ip as m-lab/go/anonymize does it: "none" keeps addresses; "netblock" zeroes the
// host part of every address that is not one of this machine's own (IPv4 /24, IPv6 /48).
// Checksums are left as captured, as upstream does.
class Anonymizer {
 public:
  enum class Mode { kNone, kNetblock };

  static absl::StatusOr<Mode> ParseMode(absl::string_view text);

  // `local` addresses (the server's) are never changed.
  Anonymizer(Mode mode, const std::vector<IpAddress>& local);

  bool enabled() const { return mode_ != Mode::kNone; }

  // Anonymizes one address in place: 4 bytes for family 4, 16 for family 6.
  void AnonymizeInPlace(int family, uint8_t* address) const;
  IpAddress Anonymize(const IpAddress& address) const;

  // The flow's 4-tuple for logs, exactly as anonymous as the saved data.
  std::string Format(const FlowKey& key) const;

 private:
  const Mode mode_;
  absl::flat_hash_set<IpAddress> local_;
};

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_ANONYMIZER_H_
