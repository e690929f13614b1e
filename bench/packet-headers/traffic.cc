// Load for bench/packet-headers: TCP packets of F flows at a fixed rate on a veth, plus the flow
// events that give those flows UUIDs, served both as lib/events gRPC (ours) and as tcp-info's
// JSON-lines socket (upstream's Go packet-headers). Run inside the client namespace.
//
// Frames go out through an AF_PACKET socket (sendmmsg batches) with a destination MAC that is not
// the peer's: the peer's capture sees every frame, its IP stack drops them at once, so the
// capturer under test, not the kernel's TCP, is what the rate measures.

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lib/events/publisher.h"
#include "lib/events/server.h"
#include "lib/flags/flags.h"

namespace {

using mlab::flags::Flag;

Flag<std::string> FLAGS_interface("interface", "",
                                  "Interface to send on (client side of the veth).");
Flag<int> FLAGS_flows("flows", 16, "Flows (4-tuples) the packets are spread over.");
Flag<int64_t> FLAGS_rate("rate", 100000, "Packets per second.");
Flag<absl::Duration> FLAGS_duration("duration", absl::Seconds(5), "How long to send.");
Flag<int> FLAGS_payload("payload", 100, "TCP payload bytes per packet.");
Flag<std::string> FLAGS_grpc_socket("grpc_socket", "", "Serve lib/events FlowEvents here.");
Flag<std::string> FLAGS_jsonl_socket("jsonl_socket", "",
                                     "Serve tcp-info's JSON-lines event socket here.");
Flag<bool> FLAGS_wait_subscriber("wait_subscriber", true,
                                 "Send only once an event subscriber is connected.");
Flag<std::string> FLAGS_ready_file("ready_file", "",
                                   "Created once the event sockets are listening.");
Flag<std::string> FLAGS_count_dir(
    "count_dir", "", "Instead of sending: print how many pcap records the files under it hold.");

constexpr char kServer[] = "192.0.2.1";
constexpr char kClient[] = "192.0.2.2";
constexpr uint16_t kServerPort = 443;
constexpr uint16_t kFirstClientPort = 20000;

std::string Uuid(int flow) { return absl::StrFormat("bench_1700000000_%016X", 0x1000 + flow); }

uint16_t Checksum(const uint8_t* data, size_t length) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < length; i += 2) sum += uint32_t{data[i]} << 8 | data[i + 1];
  if (length % 2 == 1) sum += uint32_t{data[length - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Ethernet + IPv4 + TCP (12 bytes of options, ACK) + payload, from the client to the server.
std::string Frame(int flow, int payload) {
  std::string f(14 + 20 + 32 + payload, '\0');
  auto* p = reinterpret_cast<uint8_t*>(f.data());
  const uint8_t dst_mac[6] = {0x02, 0, 0, 0, 0, 0x01};  // not the peer's: its IP stack drops it
  const uint8_t src_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
  std::memcpy(p, dst_mac, 6);
  std::memcpy(p + 6, src_mac, 6);
  p[12] = 0x08;
  uint8_t* ip = p + 14;
  ip[0] = 0x45;
  ip[2] = static_cast<uint8_t>((20 + 32 + payload) >> 8);
  ip[3] = static_cast<uint8_t>(20 + 32 + payload);
  ip[8] = 64;
  ip[9] = 6;
  inet_pton(AF_INET, kClient, ip + 12);
  inet_pton(AF_INET, kServer, ip + 16);
  const uint16_t sum = Checksum(ip, 20);
  ip[10] = static_cast<uint8_t>(sum >> 8);
  ip[11] = static_cast<uint8_t>(sum);
  uint8_t* tcp = ip + 20;
  const uint16_t port = static_cast<uint16_t>(kFirstClientPort + flow);
  tcp[0] = static_cast<uint8_t>(port >> 8);
  tcp[1] = static_cast<uint8_t>(port);
  tcp[2] = kServerPort >> 8;
  tcp[3] = kServerPort & 0xFF;
  tcp[12] = 8 << 4;
  tcp[13] = 0x18;  // PSH, ACK
  tcp[14] = 0xFF;
  tcp[15] = 0xFF;
  for (int i = 20; i < 32; ++i) tcp[i] = 1;
  std::memset(tcp + 32, 'b', payload);
  return f;
}

mlab::events::SocketID IdOf(int flow) {
  mlab::events::SocketID id;
  id.set_src_ip(kServer);
  id.set_dst_ip(kClient);
  id.set_src_port(kServerPort);
  id.set_dst_port(kFirstClientPort + flow);
  id.set_cookie(0x1000 + flow);
  return id;
}

// tcp-info's legacy event socket: every client gets an Open line per flow, then nothing.
class JsonlServer {
 public:
  explicit JsonlServer(const std::string& path) {
    unlink(path.c_str());
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(fd_, 8) != 0) {
      std::perror("jsonl socket");
      std::exit(1);
    }
    thread_ = std::thread([this] {
      while (true) {
        const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) return;
        clients_.push_back(client);
        ++connected_;
      }
    });
  }
  void OpenAll(int flows) {
    std::string lines;
    for (int i = 0; i < flows; ++i) {
      const mlab::events::SocketID id = IdOf(i);
      lines += absl::StrCat(
          "{\"Event\":0,\"Timestamp\":\"",
          absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", absl::Now(), absl::UTCTimeZone()),
          "\",\"UUID\":\"", Uuid(i), "\",\"ID\":{\"SPort\":", id.src_port(),
          ",\"DPort\":", id.dst_port(), ",\"SrcIP\":\"", id.src_ip(), "\",\"DstIP\":\"",
          id.dst_ip(), "\",\"Interface\":0,\"Cookie\":", id.cookie(), "}}\n");
    }
    for (int client : clients_) {
      if (write(client, lines.data(), lines.size()) < 0) std::perror("jsonl write");
    }
  }
  int connected() const { return connected_.load(); }

 private:
  int fd_ = -1;
  std::vector<int> clients_;
  std::atomic<int> connected_{0};
  std::thread thread_;
};

// Records in one classic pcap file, gzipped or not (gzread reads both).
int64_t CountRecords(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return -1;
  gzbuffer(f, 1 << 20);
  uint8_t header[24];
  if (gzread(f, header, sizeof(header)) != sizeof(header)) {
    gzclose(f);
    return -1;
  }
  int64_t records = 0;
  std::vector<char> skip(1 << 16);
  uint8_t record[16];
  while (gzread(f, record, sizeof(record)) == sizeof(record)) {
    const uint32_t incl = uint32_t{record[8]} | uint32_t{record[9]} << 8 |
                          uint32_t{record[10]} << 16 | uint32_t{record[11]} << 24;
    if (incl > skip.size() || gzread(f, skip.data(), incl) != static_cast<int>(incl)) break;
    ++records;
  }
  gzclose(f);
  return records;
}

}  // namespace

int main(int argc, char** argv) {
  mlab::flags::ParseOrExit(argc, argv, "Sends benchmark traffic with flow events.");
  const int flows = *FLAGS_flows;
  if (!FLAGS_count_dir->empty()) {
    int64_t total = 0, files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(*FLAGS_count_dir)) {
      if (!entry.is_regular_file()) continue;
      const int64_t n = CountRecords(entry.path().string());
      if (n < 0) continue;
      total += n;
      ++files;
    }
    std::cout << "records " << total << " files " << files << std::endl;
    return 0;
  }

  mlab::events::FlowEventPublisher publisher;
  std::unique_ptr<mlab::events::FlowEventServer> grpc;
  if (!FLAGS_grpc_socket->empty()) {
    grpc = std::make_unique<mlab::events::FlowEventServer>(&publisher, *FLAGS_grpc_socket);
    if (absl::Status s = grpc->Start(); !s.ok()) {
      std::cerr << s << "\n";
      return 1;
    }
  }
  std::unique_ptr<JsonlServer> jsonl;
  if (!FLAGS_jsonl_socket->empty()) jsonl = std::make_unique<JsonlServer>(*FLAGS_jsonl_socket);
  if (!FLAGS_ready_file->empty()) {
    FILE* f = std::fopen(FLAGS_ready_file->c_str(), "w");
    if (f != nullptr) std::fclose(f);
  }
  if (*FLAGS_wait_subscriber) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (publisher.stats().subscribers_current == 0 && (!jsonl || jsonl->connected() == 0)) {
      if (absl::Now() > deadline) {
        std::cerr << "no event subscriber within 60 s\n";
        return 1;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  for (int i = 0; i < flows; ++i) publisher.PublishOpen(absl::Now(), Uuid(i), IdOf(i));
  if (jsonl) jsonl->OpenAll(flows);
  absl::SleepFor(absl::Milliseconds(200));  // subscribers take in the Opens before the packets

  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = static_cast<int>(if_nametoindex(FLAGS_interface->c_str()));
  to.sll_halen = 6;
  if (fd < 0 || to.sll_ifindex == 0) {
    std::perror("AF_PACKET socket / interface");
    return 1;
  }
  int sndbuf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  std::vector<std::string> frames;
  for (int i = 0; i < flows; ++i) frames.push_back(Frame(i, *FLAGS_payload));

  constexpr int kBatch = 64;
  std::vector<mmsghdr> messages(kBatch);
  std::vector<iovec> vectors(kBatch);
  std::cout << "sending" << std::endl;
  const absl::Time start = absl::Now();
  const int64_t total = static_cast<int64_t>(absl::ToDoubleSeconds(*FLAGS_duration) * *FLAGS_rate);
  int64_t sent = 0;
  int64_t next_flow = 0;
  while (sent < total) {
    // Paced: never ahead of rate × elapsed.
    const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
    const int64_t due = std::min(total, static_cast<int64_t>(elapsed * *FLAGS_rate) + kBatch);
    if (due <= sent) {
      absl::SleepFor(absl::Microseconds(50));
      continue;
    }
    const int n = static_cast<int>(std::min<int64_t>(kBatch, due - sent));
    for (int i = 0; i < n; ++i) {
      std::string& frame = frames[(next_flow + i) % flows];
      vectors[i] = {frame.data(), frame.size()};
      messages[i] = {};
      messages[i].msg_hdr.msg_name = &to;
      messages[i].msg_hdr.msg_namelen = sizeof(to);
      messages[i].msg_hdr.msg_iov = &vectors[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    const int done = sendmmsg(fd, messages.data(), n, 0);
    if (done < 0) {
      if (errno == ENOBUFS || errno == EAGAIN) continue;
      std::perror("sendmmsg");
      return 1;
    }
    sent += done;
    next_flow += done;
  }
  const absl::Duration took = absl::Now() - start;
  for (int i = 0; i < flows; ++i) publisher.PublishClose(absl::Now(), Uuid(i), IdOf(i));
  std::cout << "sent " << sent << " seconds " << absl::ToDoubleSeconds(took) << std::endl;
  absl::SleepFor(absl::Milliseconds(200));  // the Closes reach the subscribers
  close(fd);
  if (grpc) grpc->Shutdown();
  std::_Exit(0);  // the JSON-lines accept thread stays blocked: no orderly teardown needed
}
