#include "services/tcp-info/destroy_listener.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace mlab::tcpinfo {
namespace {

constexpr size_t kReceiveSpace = 64 << 10;

}  // namespace

DestroyListener::~DestroyListener() {
  if (socket_ != nullptr) mnl_socket_close(socket_);
}

int DestroyListener::fd() const { return socket_ == nullptr ? -1 : mnl_socket_get_fd(socket_); }

absl::Status DestroyListener::Open() {
  if (socket_ != nullptr) return absl::OkStatus();
  mnl_socket* socket = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (socket == nullptr) return absl::ErrnoToStatus(errno, "open NETLINK_SOCK_DIAG socket");
  const int fd = mnl_socket_get_fd(socket);
  int size = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  }
  if (mnl_socket_bind(socket, 0, MNL_SOCKET_AUTOPID) != 0) {
    absl::Status status = absl::ErrnoToStatus(errno, "bind NETLINK_SOCK_DIAG socket");
    mnl_socket_close(socket);
    return status;
  }
  for (int group : {SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY}) {
    if (mnl_socket_setsockopt(socket, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) != 0) {
      absl::Status status =
          absl::ErrnoToStatus(errno, absl::StrCat("join sock_diag destroy group ", group));
      mnl_socket_close(socket);
      return status;
    }
  }
  socket_ = socket;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SocketSnapshot>> DestroyListener::Drain(absl::Time now,
                                                                   bool* overflowed) {
  std::vector<SocketSnapshot> snapshots;
  if (socket_ == nullptr) return snapshots;
  scratch_.resize(kReceiveSpace);
  while (true) {
    const ssize_t received = mnl_socket_recvfrom(socket_, scratch_.data(), scratch_.size());
    if (received < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        *overflowed = true;
        continue;
      }
      return absl::ErrnoToStatus(errno, "receive sock_diag destroy notification");
    }
    auto bytes =
        std::make_shared<const std::string>(scratch_.data(), static_cast<size_t>(received));
    absl::StatusOr<std::vector<SocketSnapshot>> parsed = ParseSockDiagMessages(bytes);
    if (!parsed.ok()) return parsed.status();
    for (SocketSnapshot& snapshot : *parsed) {
      snapshot.set_timestamp(now);
      snapshots.push_back(std::move(snapshot));
    }
  }
  return snapshots;
}

}  // namespace mlab::tcpinfo
