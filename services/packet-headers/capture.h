#ifndef MLAB_SERVICES_PACKET_HEADERS_CAPTURE_H_
#define MLAB_SERVICES_PACKET_HEADERS_CAPTURE_H_

#include <pcap/pcap.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/packet-headers/packet_parser.h"

namespace mlab::packet_headers {

// One libpcap live capture (or a saved file, for tests and replays).
class Capture {
 public:
  struct Options {
    std::string interface;
    int snaplen = 256;
    // Kernel ring size; a large one absorbs bursts while we are busy.
    int buffer_bytes = 32 * 1000 * 1000;
    // BPF filter expression ("" = everything).
    std::string filter;
    // Deliver each packet as it arrives; otherwise the kernel hands over blocks of packets at
    // least every 10 ms (fewer wakeups under load).
    bool immediate = true;
  };

  // Cumulative pcap_stats counters, widened from libpcap's 32-bit values.
  struct Stats {
    uint64_t received = 0;
    uint64_t dropped = 0;     // ring full
    uint64_t if_dropped = 0;  // by the interface/driver
  };

  using PacketCallback = std::function<void(const CapturedPacket&)>;

  // A live capture: not promiscuous, nanosecond timestamps when the kernel has them. Fails on
  // link types we cannot parse.
  static absl::StatusOr<std::unique_ptr<Capture>> OpenLive(const Options& options);
  // A pcap file read once, start to end.
  static absl::StatusOr<std::unique_ptr<Capture>> OpenFile(const std::string& path,
                                                           const std::string& filter);
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  // Delivers packets until Stop() (or the end of a file), on the calling thread. A live capture
  // blocks while the ring is empty (the first packet wakes it at once) and, when it finds only a
  // few packets, lets more accumulate for up to 1 ms: one wakeup per batch, not per packet.
  absl::Status Run(const PacketCallback& callback);
  // Makes Run return soon; callable from any thread.
  void Stop();

  // Polls pcap_stats (live captures only); call from one thread at a time.
  absl::StatusOr<Stats> GetStats();

  const std::string& name() const { return name_; }
  int link_type() const { return link_type_; }
  int buffer_bytes() const { return buffer_bytes_; }

 private:
  Capture(pcap_t* handle, std::string name, bool live, int buffer_bytes);
  static void Dispatch(u_char* user, const pcap_pkthdr* header, const u_char* bytes);

  pcap_t* handle_;
  const std::string name_;
  const bool live_;
  const int buffer_bytes_;
  int link_type_ = 0;
  bool nanoseconds_ = false;
  const PacketCallback* callback_ = nullptr;
  std::atomic<bool> stopping_{false};
  // Last raw pcap_stats values, to widen their wrapping 32-bit counters.
  uint32_t last_recv_ = 0, last_drop_ = 0, last_ifdrop_ = 0;
  Stats totals_;
};

// Compiles a filter against DLT_EN10MB to check its syntax (no capture needed).
absl::Status ValidateFilter(const std::string& filter);

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_CAPTURE_H_
