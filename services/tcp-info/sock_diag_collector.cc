#include "services/tcp-info/sock_diag_collector.h"

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/tcp-info/sock_diag_reply.h"

namespace mlab::tcpinfo {
namespace {

// Free space offered to each receive: the kernel fills at most about 32 KiB per dump skb, so a
// datagram never gets truncated (that would be detected and fail the dump anyway).
constexpr size_t kReceiveSpace = 64 << 10;

int FamilyIndex(uint8_t family) { return family == AF_INET6 ? 1 : 0; }

absl::string_view FamilyName(uint8_t family) { return family == AF_INET6 ? "ipv6" : "ipv4"; }

}  // namespace

SockDiagCollector::SockDiagCollector() : SockDiagCollector(Options()) {}

SockDiagCollector::SockDiagCollector(Options options) : options_(std::move(options)) {}

SockDiagCollector::~SockDiagCollector() { Close(); }

void SockDiagCollector::Close() {
  if (socket_ != nullptr) {
    mnl_socket_close(socket_);
    socket_ = nullptr;
  }
}

absl::Status SockDiagCollector::Open() {
  if (socket_ != nullptr) return absl::OkStatus();
  mnl_socket* socket = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
  if (socket == nullptr) return absl::ErrnoToStatus(errno, "open NETLINK_SOCK_DIAG socket");
  const int fd = mnl_socket_get_fd(socket);
  int size = options_.receive_buffer_bytes;
  // SO_RCVBUFFORCE passes net.core.rmem_max when privileged; SO_RCVBUF is capped by it.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) != 0) {
    PLOG(WARNING) << "cannot set SO_RCVBUF of the sock_diag socket";
  }
  timeval timeout = absl::ToTimeval(options_.receive_timeout);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0) {
    PLOG(WARNING) << "cannot set SO_RCVTIMEO of the sock_diag socket";
  }
  int one = 1;
  // Extended acks only improve error messages; old kernels lack them.
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  if (mnl_socket_bind(socket, 0, MNL_SOCKET_AUTOPID) != 0) {
    absl::Status status = absl::ErrnoToStatus(errno, "bind NETLINK_SOCK_DIAG socket");
    mnl_socket_close(socket);
    return status;
  }
  socket_ = socket;
  port_id_ = mnl_socket_get_portid(socket);
  return absl::OkStatus();
}

absl::Status SockDiagCollector::Fail(absl::string_view kind, absl::Status status) {
  if (options_.on_error) options_.on_error(kind);
  // Whatever is left of the dump in the socket must not reach the next one.
  Close();
  return status;
}

absl::StatusOr<FamilyDump> SockDiagCollector::Dump(uint8_t family) {
  if (family != AF_INET && family != AF_INET6) {
    return absl::InvalidArgumentError(absl::StrCat("cannot dump address family ", family));
  }
  const absl::Time start = absl::Now();
  if (absl::Status opened = Open(); !opened.ok()) return Fail("socket", opened);

  alignas(nlmsghdr) char request[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(inet_diag_req_v2))] = {};
  nlmsghdr* header = mnl_nlmsg_put_header(request);
  header->nlmsg_type = kSockDiagByFamily;
  header->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  if (++sequence_ == 0) ++sequence_;  // 0 would disable the sequence check
  header->nlmsg_seq = sequence_;
  auto* diag =
      static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(header, sizeof(inet_diag_req_v2)));
  diag->sdiag_family = family;
  diag->sdiag_protocol = IPPROTO_TCP;
  diag->idiag_ext = kDumpExtensions;
  diag->idiag_states = kDumpStates;
  if (mnl_socket_sendto(socket_, header, header->nlmsg_len) !=
      static_cast<ssize_t>(header->nlmsg_len)) {
    return Fail("send", absl::ErrnoToStatus(errno, "send sock_diag dump request"));
  }

  FamilyDump dump;
  dump.family = family;
  SockDiagReply reply(port_id_, sequence_, last_dump_bytes_[FamilyIndex(family)] + kReceiveSpace);
  while (!reply.done()) {
    const ssize_t received =
        mnl_socket_recvfrom(socket_, reply.Prepare(kReceiveSpace), kReceiveSpace);
    if (received < 0) {
      const int error = errno;
      reply.Commit(0).IgnoreError();
      if (error == EINTR) continue;
      absl::string_view kind = error == ENOBUFS                          ? "ENOBUFS"
                               : error == EAGAIN || error == EWOULDBLOCK ? "timeout"
                               : error == ENOSPC                         ? "truncated"
                                                                         : "recv";
      return Fail(kind, absl::ErrnoToStatus(error, absl::StrCat("receive ", FamilyName(family),
                                                                " sock_diag dump")));
    }
    ++dump.receives;
    if (absl::Status status = reply.Commit(static_cast<size_t>(received)); !status.ok()) {
      return Fail(reply.failure_kind(), status);
    }
  }
  dump.timestamp = absl::Now();
  dump.bytes = reply.bytes();
  last_dump_bytes_[FamilyIndex(family)] = reply.bytes();
  absl::StatusOr<std::vector<SocketSnapshot>> sockets = reply.Finish(dump.timestamp);
  if (!sockets.ok()) return Fail(reply.failure_kind(), sockets.status());
  dump.sockets = *std::move(sockets);
  dump.elapsed = absl::Now() - start;
  return dump;
}

}  // namespace mlab::tcpinfo
