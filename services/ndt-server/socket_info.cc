#include "services/ndt-server/socket_info.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

#ifndef TCP_CC_INFO
#define TCP_CC_INFO 26
#endif

namespace mlab::ndt7 {
namespace {

// linux/inet_diag.h struct tcp_bbr_info.
struct TcpBbrInfo {
  uint32_t bw_lo;
  uint32_t bw_hi;
  uint32_t min_rtt;
  uint32_t pacing_gain;
  uint32_t cwnd_gain;
};
static_assert(sizeof(TcpBbrInfo) == 20, "kernel ABI");

absl::Status ErrnoStatus(int err) {
  char buf[128];
  const char* text = strerror_r(err, buf, sizeof(buf));
  return absl::Status(absl::ErrnoToStatusCode(err), text);
}

}  // namespace

absl::Status EnableBbr(int fd) {
  static constexpr char kBbr[] = "bbr";
  if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, kBbr, sizeof(kBbr) - 1) != 0) {
    return ErrnoStatus(errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<BbrInfo> ReadBbrInfo(int fd) {
  // The union tcp_cc_info is larger than BBR's member; the length tells which one we got.
  union {
    TcpBbrInfo bbr;
    unsigned char raw[64];
  } info{};
  socklen_t len = sizeof(info);
  if (getsockopt(fd, IPPROTO_TCP, TCP_CC_INFO, &info, &len) != 0) return ErrnoStatus(errno);
  if (len != sizeof(TcpBbrInfo)) return ErrnoStatus(EINVAL);
  const uint64_t bw = (uint64_t{info.bbr.bw_hi} << 32) | info.bbr.bw_lo;
  if (bw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return ErrnoStatus(EOVERFLOW);
  }
  BbrInfo out;
  out.bw = static_cast<int64_t>(bw);
  out.min_rtt = info.bbr.min_rtt;
  out.pacing_gain = info.bbr.pacing_gain;
  out.cwnd_gain = info.bbr.cwnd_gain;
  return out;
}

absl::StatusOr<LinuxTcpInfo> ReadTcpInfo(int fd) {
  LinuxTcpInfo info{};
  socklen_t len = sizeof(info);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return ErrnoStatus(errno);
  return info;
}

}  // namespace mlab::ndt7
