#ifndef MLAB_SERVICES_NDT_SERVER_MEASUREMENT_H_
#define MLAB_SERVICES_NDT_SERVER_MEASUREMENT_H_

// The ndt7 measurement message (upstream ndt7/model): what the server sends as text frames, what
// clients may send, and what the archive keeps. Key order and number types follow Go's structs,
// because ndt7-client-go decodes into them strictly and BigQuery's schema is derived from them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/json/go_writer.h"

namespace mlab::ndt7 {

// Linux struct tcp_info up to tcpi_snd_wnd (232 bytes), the layout tcp-info's Go
// LinuxTCPInfo copies byte for byte. Kernel __u64 rates are emitted as Go's int64, so "no
// limit" (~0) is -1; tcpi_segs_in/out as int32.
struct LinuxTcpInfo {
  uint8_t state, ca_state, retransmits, probes, backoff, options, wscale, app_limited;
  uint32_t rto, ato, snd_mss, rcv_mss, unacked, sacked, lost, retrans, fackets;
  uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
  uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
  uint32_t rcv_rtt, rcv_space, total_retrans;
  uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
  uint32_t segs_out, segs_in;
  uint32_t notsent_bytes, min_rtt, data_segs_in, data_segs_out;
  uint64_t delivery_rate;
  uint64_t busy_time, rwnd_limited, sndbuf_limited;
  uint32_t delivered, delivered_ce;
  uint64_t bytes_sent, bytes_retrans;
  uint32_t dsack_dups, reord_seen;
  uint32_t rcv_ooopack, snd_wnd;
};
static_assert(sizeof(LinuxTcpInfo) == 232, "must match the kernel's tcp_info prefix");

struct AppInfo {
  int64_t num_bytes = 0;
  int64_t elapsed_time = 0;  // µs
};

struct ConnectionInfo {
  std::string client;  // Go TCPAddr.String(): "192.0.2.1:1234", "[2001:db8::1]:443"
  std::string server;
  std::string uuid;  // omitted when empty
  // RFC 3339 with nanoseconds; Go's zero time when a client did not send one.
  std::string start_time = "0001-01-01T00:00:00Z";
};

struct BbrInfo {
  int64_t bw = 0;            // bytes/s
  uint32_t min_rtt = 0;      // µs
  uint32_t pacing_gain = 0;  // << 8
  uint32_t cwnd_gain = 0;    // << 8
  int64_t elapsed_time = 0;  // µs
};

struct TcpInfo {
  LinuxTcpInfo linux{};
  int64_t elapsed_time = 0;  // µs
};

struct Measurement {
  std::optional<AppInfo> app_info;
  std::optional<ConnectionInfo> connection_info;
  std::optional<BbrInfo> bbr_info;
  std::optional<TcpInfo> tcp_info;
};

// Upstream ndt-server is built with Go 1.25, which escapes backspace and form feed (say, in a
// client's metadata) as \b and \f; the sidecars' upstreams are on Go 1.20.
inline constexpr json::GoEscapes kUpstreamGoEscapes = json::GoEscapes::kGo122;

// Writes the measurement as Go's encoding/json would (nil pointers omitted).
void WriteMeasurement(const Measurement& m, json::GoJsonWriter* w);
std::string MeasurementToJson(const Measurement& m);

// Decodes a client's text message as Go's json.Unmarshal into model.Measurement does: unknown
// keys ignored, keys matched case-insensitively, numbers must be integers that fit the field.
absl::StatusOr<Measurement> ParseMeasurement(absl::string_view json);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_MEASUREMENT_H_
