#include "services/packet-headers/capture.h"

#include <poll.h>
#include <time.h>

#include "absl/strings/str_cat.h"

namespace mlab::packet_headers {
namespace {

absl::Status PcapError(pcap_t* handle, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", pcap_geterr(handle)));
}

absl::Status SetFilter(pcap_t* handle, const std::string& filter) {
  if (filter.empty()) return absl::OkStatus();
  bpf_program program;
  if (pcap_compile(handle, &program, filter.c_str(), /*optimize=*/1, PCAP_NETMASK_UNKNOWN) != 0) {
    return PcapError(handle, absl::StrCat("compiling filter \"", filter, "\""));
  }
  const int rc = pcap_setfilter(handle, &program);
  pcap_freecode(&program);
  if (rc != 0) return PcapError(handle, "pcap_setfilter");
  return absl::OkStatus();
}

}  // namespace

Capture::Capture(pcap_t* handle, std::string name, bool live, int buffer_bytes)
    : handle_(handle), name_(std::move(name)), live_(live), buffer_bytes_(buffer_bytes) {
  link_type_ = pcap_datalink(handle_);
  nanoseconds_ = pcap_get_tstamp_precision(handle_) == PCAP_TSTAMP_PRECISION_NANO;
}

Capture::~Capture() { pcap_close(handle_); }

absl::StatusOr<std::unique_ptr<Capture>> Capture::OpenLive(const Options& options) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_create(options.interface.c_str(), error);
  if (handle == nullptr) {
    return absl::InternalError(absl::StrCat("pcap_create ", options.interface, ": ", error));
  }
  std::unique_ptr<Capture> capture;
  auto fail = [&](absl::string_view what) {
    absl::Status status = PcapError(handle, absl::StrCat(options.interface, ": ", what));
    pcap_close(handle);
    return status;
  };
  if (pcap_set_snaplen(handle, options.snaplen) != 0) return fail("pcap_set_snaplen");
  if (pcap_set_promisc(handle, 0) != 0) return fail("pcap_set_promisc");
  // Immediate: packets reach us as they arrive, no batching delay before a flow's are seen.
  if (pcap_set_immediate_mode(handle, options.immediate ? 1 : 0) != 0) {
    return fail("pcap_set_immediate_mode");
  }
  if (pcap_set_timeout(handle, 10) != 0) return fail("pcap_set_timeout");
  if (pcap_set_buffer_size(handle, options.buffer_bytes) != 0) return fail("pcap_set_buffer_size");
  // The archive format has nanosecond fields; fall back to microseconds if the kernel cannot.
  pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO);
  const int rc = pcap_activate(handle);
  if (rc < 0) return fail("pcap_activate");
  if (!IsSupportedLinkType(pcap_datalink(handle))) {
    absl::Status status = absl::UnimplementedError(
        absl::StrCat(options.interface, ": unsupported link type ",
                     pcap_datalink_val_to_name(pcap_datalink(handle)) ?: "?"));
    pcap_close(handle);
    return status;
  }
  if (absl::Status s = SetFilter(handle, options.filter); !s.ok()) {
    pcap_close(handle);
    return s;
  }
  return std::unique_ptr<Capture>(
      new Capture(handle, options.interface, /*live=*/true, options.buffer_bytes));
}

absl::StatusOr<std::unique_ptr<Capture>> Capture::OpenFile(const std::string& path,
                                                           const std::string& filter) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error);
  if (handle == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("pcap_open_offline ", path, ": ", error));
  }
  if (!IsSupportedLinkType(pcap_datalink(handle))) {
    pcap_close(handle);
    return absl::UnimplementedError(absl::StrCat(path, ": unsupported link type"));
  }
  if (absl::Status s = SetFilter(handle, filter); !s.ok()) {
    pcap_close(handle);
    return s;
  }
  return std::unique_ptr<Capture>(new Capture(handle, path, /*live=*/false, 0));
}

void Capture::Dispatch(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
  auto* self = reinterpret_cast<Capture*>(user);
  CapturedPacket packet;
  const int64_t fraction = header->ts.tv_usec;  // nanoseconds when nanoseconds_
  packet.timestamp_ns =
      int64_t{header->ts.tv_sec} * 1000000000 + (self->nanoseconds_ ? fraction : fraction * 1000);
  packet.data = bytes;
  packet.caplen = header->caplen;
  packet.wirelen = header->len;
  packet.link_type = self->link_type_;
  (*self->callback_)(packet);
}

absl::Status Capture::Run(const PacketCallback& callback) {
  callback_ = &callback;
  auto* user = reinterpret_cast<u_char*>(this);
  if (!live_) {
    const int rc = pcap_loop(handle_, -1, &Capture::Dispatch, user);
    callback_ = nullptr;
    if (rc == PCAP_ERROR) return PcapError(handle_, absl::StrCat(name_, ": pcap_loop"));
    return absl::OkStatus();  // 0 (end of file) or PCAP_ERROR_BREAK (Stop)
  }
  // A batch this big means we are behind: go on at once.
  constexpr int kFullBatch = 64;
  // Under steady load, waking for every packet would cost more than handling it.
  constexpr timespec kCoalesce = {0, 1000 * 1000};
  char error[PCAP_ERRBUF_SIZE] = {};
  if (pcap_setnonblock(handle_, 1, error) != 0) {
    return absl::InternalError(absl::StrCat(name_, ": pcap_setnonblock: ", error));
  }
  const int fd = pcap_get_selectable_fd(handle_);
  absl::Status status;
  while (!stopping_.load(std::memory_order_relaxed)) {
    const int n = pcap_dispatch(handle_, -1, &Capture::Dispatch, user);
    if (n == PCAP_ERROR) {
      status = PcapError(handle_, absl::StrCat(name_, ": pcap_dispatch"));
      break;
    }
    if (n == PCAP_ERROR_BREAK) break;
    if (n >= kFullBatch) continue;
    if (n > 0) {
      nanosleep(&kCoalesce, nullptr);
      continue;
    }
    // Empty: sleep until a packet arrives (checking for Stop every 100 ms).
    pollfd wait = {fd, POLLIN, 0};
    poll(&wait, 1, 100);
  }
  callback_ = nullptr;
  return status;
}

void Capture::Stop() {
  stopping_.store(true, std::memory_order_relaxed);
  pcap_breakloop(handle_);
}

absl::StatusOr<Capture::Stats> Capture::GetStats() {
  if (!live_) return totals_;
  pcap_stat raw{};
  if (pcap_stats(handle_, &raw) != 0) return PcapError(handle_, "pcap_stats");
  // Differences of unsigned 32-bit values are right across one wrap-around.
  totals_.received += static_cast<uint32_t>(raw.ps_recv - last_recv_);
  totals_.dropped += static_cast<uint32_t>(raw.ps_drop - last_drop_);
  totals_.if_dropped += static_cast<uint32_t>(raw.ps_ifdrop - last_ifdrop_);
  last_recv_ = raw.ps_recv;
  last_drop_ = raw.ps_drop;
  last_ifdrop_ = raw.ps_ifdrop;
  return totals_;
}

absl::Status ValidateFilter(const std::string& filter) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 256);
  if (dead == nullptr) return absl::InternalError("pcap_open_dead failed");
  bpf_program program;
  absl::Status status;
  if (pcap_compile(dead, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    status = PcapError(dead, absl::StrCat("compiling filter \"", filter, "\""));
  } else {
    pcap_freecode(&program);
  }
  pcap_close(dead);
  return status;
}

}  // namespace mlab::packet_headers
