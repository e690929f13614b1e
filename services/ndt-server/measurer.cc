#include "services/ndt-server/measurer.h"

#include <algorithm>

#include "absl/random/distributions.h"
#include "absl/strings/ascii.h"
#include "lib/json/go_encoding.h"
#include "services/ndt-server/ndt7_metrics.h"
#include "services/ndt-server/socket_info.h"
#include "services/ndt-server/spec.h"

namespace mlab::ndt7 {

Measurer::Measurer(int fd, ConnectionInfo info, absl::Time start)
    : fd_(fd), info_(std::move(info)), start_(start) {
  info_.start_time = json::FormatGoTime(start);
  absl::Status bbr = EnableBbr(fd_);
  bbr_enabled_ = bbr.ok();
  // Go's errno texts are lower case ("no such file or directory").
  metrics::BbrEnabled()
      .WithLabels(
          {bbr.ok() ? "true" : "false", bbr.ok() ? "" : absl::AsciiStrToLower(bbr.message())})
      .Increment();
}

Measurement Measurer::Measure(absl::Time now) const {
  Measurement m;
  const int64_t elapsed = absl::ToInt64Microseconds(now - start_);
  m.connection_info = info_;
  absl::StatusOr<BbrInfo> bbr = ReadBbrInfo(fd_);
  m.bbr_info = bbr.ok() ? *bbr : BbrInfo{};
  m.bbr_info->elapsed_time = elapsed;
  if (absl::StatusOr<LinuxTcpInfo> tcp = ReadTcpInfo(fd_); tcp.ok()) {
    m.tcp_info = TcpInfo{*tcp, elapsed};
  }
  return m;
}

absl::Duration NextSamplingDelay(absl::BitGenRef gen) {
  const double mean = absl::ToDoubleSeconds(kAveragePoissonSamplingInterval);
  const absl::Duration wait = absl::Seconds(absl::Exponential<double>(gen, 1.0 / mean));
  return std::clamp(wait, kMinPoissonSamplingInterval, kMaxPoissonSamplingInterval);
}

}  // namespace mlab::ndt7
