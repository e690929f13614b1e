#ifndef MLAB_SERVICES_TCP_INFO_TESTING_DIAG_MESSAGE_BUILDER_H_
#define MLAB_SERVICES_TCP_INFO_TESTING_DIAG_MESSAGE_BUILDER_H_

// Builds the netlink messages the kernel sends for sock_diag dumps, for tests of everything that
// parses or consumes them.

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/tcp-info/archive_reader.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo::testing {

struct DiagMessageSpec {
  uint8_t family = 10;  // AF_INET6
  uint8_t state = 1;    // ESTABLISHED
  uint16_t src_port = 443;
  uint16_t dst_port = 50000;
  // In inet_diag layout: IPv4 in bytes 0-3 for AF_INET.
  std::array<uint8_t, 16> src{};
  std::array<uint8_t, 16> dst{};
  uint32_t interface = 0;
  uint64_t cookie = 1;
  // (type, payload) in message order.
  std::vector<std::pair<int, std::string>> attributes;
  uint32_t sequence = 0;
  uint32_t port_id = 0;
  uint16_t flags = 2;  // NLM_F_MULTI
};

// Parses an address ("192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1") into inet_diag layout.
std::array<uint8_t, 16> Address(absl::string_view text);

// A tcp_info payload of `length` bytes with every byte equal to `fill`.
std::string TcpInfo(size_t length, char fill = 0);

std::string DiagMessage(const DiagMessageSpec& spec);
std::string DoneMessage(uint32_t sequence, uint32_t port_id, int error = 0);
std::string ErrorMessage(uint32_t sequence, uint32_t port_id, int error);

// A parsed snapshot of `spec`, stamped with `timestamp`.
SocketSnapshot Snapshot(const DiagMessageSpec& spec, absl::Time timestamp = absl::UnixEpoch());

// The snapshot an archive line was made from (attributes rebuilt in type order), stamped with
// the line's timestamp.
SocketSnapshot SnapshotFromArchiveLine(const ArchiveLine& line);

// A typical established IPv4 flow between documentation addresses with a 232-byte tcp_info.
DiagMessageSpec EstablishedV4(uint64_t cookie);

}  // namespace mlab::tcpinfo::testing

#endif  // MLAB_SERVICES_TCP_INFO_TESTING_DIAG_MESSAGE_BUILDER_H_
