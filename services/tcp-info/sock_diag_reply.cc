#include "services/tcp-info/sock_diag_reply.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mlab::tcpinfo {
namespace {

// The int that NLMSG_DONE and NLMSG_ERROR carry first (0 when the message is too short).
int LeadingInt(const nlmsghdr* message) {
  int value = 0;
  if (message->nlmsg_len >= MNL_NLMSG_HDRLEN + sizeof(int)) {
    std::memcpy(&value, mnl_nlmsg_get_payload(message), sizeof(value));
  }
  return value;
}

// The kernel sends -errno; anything below -4095 is no errno (and INT_MIN cannot be negated).
absl::Status NegatedErrno(int error, absl::string_view what) {
  if (error < -4095) return absl::DataLossError(absl::StrCat(what, ": error code ", error));
  return absl::ErrnoToStatus(-error, what);
}

}  // namespace

SockDiagReply::SockDiagReply(uint32_t port_id, uint32_t sequence, size_t expected_bytes)
    : port_id_(port_id), sequence_(sequence) {
  buffer_.reserve(expected_bytes);
}

absl::Status SockDiagReply::Failure(absl::string_view kind, absl::Status status) {
  failure_kind_ = std::string(kind);
  return status;
}

char* SockDiagReply::Prepare(size_t space) {
  prepared_at_ = buffer_.size();
  buffer_.resize(prepared_at_ + space);
  return buffer_.data() + prepared_at_;
}

absl::Status SockDiagReply::Commit(size_t received) {
  const size_t start = prepared_at_;
  if (start + received > buffer_.size()) {
    return Failure("internal", absl::InternalError("committed more than prepared"));
  }
  buffer_.resize(start + received);
  if (done_) {
    return Failure("after done", absl::DataLossError("netlink data after NLMSG_DONE"));
  }
  // The kernel pads every message to 4 bytes, so each datagram (and the next one's start, where
  // headers are read in place) stays aligned.
  if (received % NLMSG_ALIGNTO != 0) {
    return Failure("malformed", absl::DataLossError("netlink datagram of unaligned length"));
  }

  size_t offset = start;
  int remaining = static_cast<int>(received);
  auto* message = reinterpret_cast<const nlmsghdr*>(buffer_.data() + offset);
  // Not mnl_nlmsg_ok: it casts nlmsg_len to int, so a length of 2^31 or more passes its bound
  // and mnl_nlmsg_next jumps out of the buffer (found by the sock_diag_reply fuzzer).
  while (remaining >= static_cast<int>(sizeof(nlmsghdr)) &&
         message->nlmsg_len >= sizeof(nlmsghdr) &&
         message->nlmsg_len <= static_cast<uint32_t>(remaining)) {
    if (!mnl_nlmsg_portid_ok(message, port_id_)) {
      return Failure("wrong pid",
                     absl::DataLossError(absl::StrCat("sock_diag reply for port id ",
                                                      message->nlmsg_pid, ", want ", port_id_)));
    }
    if (!mnl_nlmsg_seq_ok(message, sequence_)) {
      return Failure("wrong seq num",
                     absl::DataLossError(absl::StrCat("sock_diag reply with sequence ",
                                                      message->nlmsg_seq, ", want ", sequence_)));
    }
    if (message->nlmsg_flags & NLM_F_DUMP_INTR) interrupted_ = true;
    switch (message->nlmsg_type) {
      case kSockDiagByFamily:
        message_offsets_.push_back(offset);
        break;
      case NLMSG_NOOP:
        break;
      case NLMSG_DONE:
        if (int error = LeadingInt(message); error < 0) {
          return Failure("NLMSG_DONE", NegatedErrno(error, "sock_diag dump ended"));
        }
        done_ = true;
        if (remaining > static_cast<int>(MNL_ALIGN(message->nlmsg_len))) {
          return Failure("after done", absl::DataLossError("netlink data after NLMSG_DONE"));
        }
        return absl::OkStatus();
      case NLMSG_ERROR: {
        int error = LeadingInt(message);
        return Failure("NLMSG_ERROR",
                       error < 0 ? NegatedErrno(error, "sock_diag dump refused")
                                 : absl::DataLossError("unexpected netlink ack in a dump"));
      }
      case NLMSG_OVERRUN:
        return Failure("NLMSG_OVERRUN", absl::DataLossError("netlink overrun"));
      default:
        return Failure("unexpected type",
                       absl::DataLossError(absl::StrCat("netlink message type ",
                                                        message->nlmsg_type, " in a dump")));
    }
    // received is a multiple of 4, so the aligned step never passes the end.
    const size_t step = MNL_ALIGN(message->nlmsg_len);
    offset += step;
    remaining -= static_cast<int>(step);
    message = reinterpret_cast<const nlmsghdr*>(buffer_.data() + offset);
  }
  if (remaining > 0) {
    return Failure("malformed", absl::DataLossError(absl::StrCat(
                                    remaining, " bytes of a malformed netlink message")));
  }
  return absl::OkStatus();
}

absl::Status SockDiagReply::Add(absl::string_view datagram) {
  std::memcpy(Prepare(datagram.size()), datagram.data(), datagram.size());
  return Commit(datagram.size());
}

absl::StatusOr<std::vector<SocketSnapshot>> SockDiagReply::Finish(absl::Time timestamp) {
  if (!done_) {
    failure_kind_ = "incomplete";
    return absl::DataLossError("sock_diag dump ended without NLMSG_DONE");
  }
  if (interrupted_) {
    failure_kind_ = "NLM_F_DUMP_INTR";
    return absl::AbortedError("sock_diag dump interrupted by a concurrent change");
  }
  auto bytes = std::make_shared<const std::string>(std::move(buffer_));
  std::vector<SocketSnapshot> snapshots;
  snapshots.reserve(message_offsets_.size());
  for (size_t offset : message_offsets_) {
    absl::StatusOr<SocketSnapshot> snapshot = SocketSnapshot::Parse(bytes, offset);
    if (!snapshot.ok()) {
      failure_kind_ = "malformed";
      return snapshot.status();
    }
    snapshot->set_timestamp(timestamp);
    snapshots.push_back(*std::move(snapshot));
  }
  return snapshots;
}

}  // namespace mlab::tcpinfo
