#ifndef MLAB_SERVICES_TCP_INFO_SOCK_DIAG_REPLY_H_
#define MLAB_SERVICES_TCP_INFO_SOCK_DIAG_REPLY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo {

// Assembles the reply to one sock_diag dump request from the datagrams the socket returns, into
// one buffer that the resulting snapshots share.
//
// Every message is checked as it arrives: the port id and sequence number must be the
// request's; NLMSG_ERROR, NLMSG_OVERRUN, an NLMSG_DONE carrying an error, NLM_F_DUMP_INTR,
// unknown types and malformed messages fail the dump. Only an NLMSG_DONE completes it.
class SockDiagReply {
 public:
  SockDiagReply(uint32_t port_id, uint32_t sequence, size_t expected_bytes = 0);

  // Room for the next datagram: receive at most `space` bytes here, then call Commit.
  char* Prepare(size_t space);
  // Accounts for the `received` bytes written at Prepare's pointer. After an error, the failure
  // kind ("NLMSG_ERROR", "wrong seq num", ...) is failure_kind().
  absl::Status Commit(size_t received);

  // Copies a datagram in (Prepare + Commit), for tests and replay.
  absl::Status Add(absl::string_view datagram);

  // True once NLMSG_DONE arrived.
  bool done() const { return done_; }
  absl::string_view failure_kind() const { return failure_kind_; }
  size_t bytes() const { return buffer_.size(); }

  // The snapshots of a done reply, each stamped with `timestamp`; call once. Fails if the dump was
  // interrupted (NLM_F_DUMP_INTR) or is not done.
  absl::StatusOr<std::vector<SocketSnapshot>> Finish(absl::Time timestamp);

 private:
  absl::Status Failure(absl::string_view kind, absl::Status status);

  const uint32_t port_id_;
  const uint32_t sequence_;
  std::string buffer_;
  size_t prepared_at_ = 0;
  std::vector<size_t> message_offsets_;
  bool interrupted_ = false;
  bool done_ = false;
  std::string failure_kind_;
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_SOCK_DIAG_REPLY_H_
