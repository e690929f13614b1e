#include "services/tcp-info/traffic_meter.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo {
namespace {

constexpr size_t kBytesReceived = 128;
constexpr size_t kBytesSent = 200;
// Upstream's sanity limit: more than ten 10 Gb/s links' worth per second is a counter glitch.
constexpr double kMaxBitsPerSecond = 10 * 10e9;

uint64_t U64(absl::string_view bytes, size_t offset) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = value << 8 | static_cast<uint8_t>(bytes[offset + i]);
  return value;
}

}  // namespace

void TrafficMeter::OnSnapshot(const Flow& flow, const SocketSnapshot& snapshot, SnapshotChange) {
  std::optional<absl::string_view> info = snapshot.attribute(kAttrInfo);
  if (!info.has_value() || info->size() < kBytesSent + 8) return;
  live_[flow.cookie] = Bytes{U64(*info, kBytesSent), U64(*info, kBytesReceived)};
}

void TrafficMeter::OnClose(const Flow& flow, absl::Time) {
  auto it = live_.find(flow.cookie);
  if (it == live_.end()) return;
  closed_.sent += it->second.sent;
  closed_.received += it->second.received;
  live_.erase(it);
}

uint64_t TrafficMeter::total_sent() const {
  uint64_t total = closed_.sent;
  for (const auto& [cookie, bytes] : live_) total += bytes.sent;
  return total;
}

uint64_t TrafficMeter::total_received() const {
  uint64_t total = closed_.received;
  for (const auto& [cookie, bytes] : live_) total += bytes.received;
  return total;
}

void TrafficMeter::Observe(uint64_t total, uint64_t* reported, double seconds,
                           const std::function<void(double)>& sink, absl::string_view name) {
  if (total < *reported) {
    if (callbacks_.error) callbacks_.error(absl::StrCat("total", name, " < reported", name));
  } else if (static_cast<double>(total - *reported) * 8 > kMaxBitsPerSecond * seconds) {
    if (callbacks_.error) {
      callbacks_.error(absl::StrCat("total", name, "-reported", name, " exceeds network capacity"));
    }
  } else if (sink) {
    sink(static_cast<double>(total - *reported) * 8);
  }
  *reported = total;
}

void TrafficMeter::Report(absl::Time now) {
  const int64_t second = absl::ToUnixSeconds(now);
  if (second <= last_second_) return;
  const Bytes total{total_sent(), total_received()};
  if (last_second_ >= 0) {
    const double seconds = static_cast<double>(second - last_second_);
    Observe(total.sent, &reported_.sent, seconds, callbacks_.sent, "Sent");
    Observe(total.received, &reported_.received, seconds, callbacks_.received, "Received");
  } else {
    reported_ = total;
  }
  last_second_ = second;
}

}  // namespace mlab::tcpinfo
