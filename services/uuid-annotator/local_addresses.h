// Which end of a flow is this machine: the addresses of its interfaces (plus a virtual site's
// load balancer addresses), compared in binary, v4-mapped forms counting as IPv4.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_LOCAL_ADDRESSES_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_LOCAL_ADDRESSES_H_

#include <functional>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/uuid-annotator/ip_address.h"

namespace mlab::uuid_annotator {

enum class Direction { kUnknown, kSrcIsServer, kDstIsServer };

// Upstream's FindDirection: for each local address in order, the source matching it makes the
// source the server, else the destination matching it makes the destination the server.
Direction FindDirection(const std::vector<IpAddress>& locals, const std::vector<IpAddress>& extra,
                        const std::optional<IpAddress>& src, const std::optional<IpAddress>& dst);

// Every address of every interface, loopback included, in interface order (getifaddrs).
absl::StatusOr<std::vector<IpAddress>> ReadInterfaceAddresses();

// The machine's interface addresses, re-read when a flow matches none of them (at most once per
// `min_refresh`), so addresses added after startup are recognised. Thread-safe.
class LocalAddresses {
 public:
  using Reader = std::function<absl::StatusOr<std::vector<IpAddress>>()>;

  explicit LocalAddresses(Reader reader = ReadInterfaceAddresses,
                          absl::Duration min_refresh = absl::Seconds(1));

  // Reads the addresses now.
  absl::Status Refresh();

  // FindDirection with these addresses then `extra`; on kUnknown, refreshes (rate-limited) and
  // tries again.
  Direction Find(const std::optional<IpAddress>& src, const std::optional<IpAddress>& dst,
                 const std::vector<IpAddress>& extra);

  std::vector<IpAddress> addresses() const;

 private:
  const Reader reader_;
  const absl::Duration min_refresh_;
  mutable absl::Mutex mu_;
  std::vector<IpAddress> addresses_ ABSL_GUARDED_BY(mu_);
  absl::Time last_refresh_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_LOCAL_ADDRESSES_H_
