#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_IP_ANONYMIZER_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_IP_ANONYMIZER_H_

// -anonymize.ip: how client addresses are hidden in traces before they are archived (m-lab/go
// anonymize, as upstream traceroute-caller applies it to destinations and hops).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/traceroute-caller/ip_address.h"

namespace mlab::trc {

class IpAnonymizer {
 public:
  enum class Method { kNone, kNetblock };

  // "none" or "netblock". `local_ips` (the machine's own addresses) are never anonymized.
  static absl::StatusOr<Method> ParseMethod(absl::string_view name);

  IpAnonymizer(Method method, std::vector<IpAddress> local_ips);

  // netblock: zeroes the host part (IPv4 /24, IPv6 /48) unless `ip` is local; none: no change.
  void Anonymize(IpAddress* ip) const;

  // Whether a hop address must be rewritten along with `dst` (both as parsed, nullopt when the
  // text did not parse). none: the two are equal (two unparsable values count as equal, as Go's
  // nil IPs do); netblock: `ip` is inside dst's /24 or /48 and dst is not local.
  bool Contains(const std::optional<IpAddress>& dst, const std::optional<IpAddress>& ip) const;

  // A trace's destination as text: rewritten anonymized, or "<nil>" (Go's nil IP) when it does
  // not parse. Returns it as the hops are compared with (anonymized; nullopt if unparsable).
  std::optional<IpAddress> AnonymizeDestination(std::string* dst) const;

  // A hop's address as text: rewritten (even unchanged, as Go re-renders it) when Contains(dst,
  // it) says it goes with the destination.
  void AnonymizeHop(const std::optional<IpAddress>& dst, std::string* addr) const;

  Method method() const { return method_; }

 private:
  bool IsLocal(const IpAddress& ip) const;

  Method method_;
  std::vector<IpAddress> local_ips_;
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_IP_ANONYMIZER_H_
