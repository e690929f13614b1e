#ifndef MLAB_SERVICES_TCP_INFO_SOCK_DIAG_COLLECTOR_H_
#define MLAB_SERVICES_TCP_INFO_SOCK_DIAG_COLLECTOR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/tcp-info/socket_snapshot.h"

struct mnl_socket;

namespace mlab::tcpinfo {

// Socket states requested: all but SYN_RECV, TIME_WAIT and CLOSE (upstream's mask, LISTEN
// included).
inline constexpr uint32_t kDumpStates = 0xF37;
// inet_diag extensions requested: every bit of the u8 (MEMINFO..SHUTDOWN; VEGASINFO also brings
// BBR and DCTCP info).
inline constexpr uint8_t kDumpExtensions = 0xFF;

// Every socket of one address family, from one complete dump.
struct FamilyDump {
  uint8_t family = 0;  // AF_INET or AF_INET6
  // Taken right after the dump completed; every snapshot carries it.
  absl::Time timestamp;
  std::vector<SocketSnapshot> sockets;
  // How long the request, the receives and the parsing took.
  absl::Duration elapsed;
  size_t bytes = 0;
  int receives = 0;
};

// Dumps TCP sockets with inet_diag over one long-lived NETLINK_SOCK_DIAG socket.
//
// A dump either returns every socket the kernel listed or fails: NLMSG_ERROR, NLM_F_DUMP_INTR,
// ENOBUFS, a receive error or timeout, a wrong sequence number or port id and a malformed
// message all fail it, so a caller never mistakes a partial dump for "these flows closed". After
// a failure the socket is reopened on the next dump, so no stale reply can leak into it. Not
// thread-safe: one polling thread owns it.
class SockDiagCollector {
 public:
  struct Options {
    // Socket receive buffer; dumps are flow-controlled, this only absorbs bursts.
    int receive_buffer_bytes = 4 << 20;
    // A dump that stalls longer than this fails instead of hanging the poller.
    absl::Duration receive_timeout = absl::Seconds(5);
    // Told the kind of each failure ("NLMSG_ERROR", "wrong seq num", ...), for an error metric.
    std::function<void(absl::string_view kind)> on_error;
  };

  SockDiagCollector();
  explicit SockDiagCollector(Options options);
  ~SockDiagCollector();

  SockDiagCollector(const SockDiagCollector&) = delete;
  SockDiagCollector& operator=(const SockDiagCollector&) = delete;

  // Opens and binds the socket now (it is otherwise opened by the first dump), to report
  // permission or kernel problems at startup.
  absl::Status Open();

  // One SOCK_DIAG_BY_FAMILY dump of TCP sockets of `family` (AF_INET or AF_INET6) with states
  // kDumpStates and extensions kDumpExtensions.
  absl::StatusOr<FamilyDump> Dump(uint8_t family);

 private:
  absl::Status Fail(absl::string_view kind, absl::Status status);
  void Close();

  Options options_;
  mnl_socket* socket_ = nullptr;
  uint32_t port_id_ = 0;
  uint32_t sequence_ = 0;
  // Bytes of the last dump per family, to size the next one's buffer in one allocation.
  size_t last_dump_bytes_[2] = {0, 0};
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_SOCK_DIAG_COLLECTOR_H_
