#include "services/packet-headers/testing/netns_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "lib/events/flow_event.h"
#include "lib/uuid/uuid.h"
#include "tests/netns/test_network.h"

namespace mlab::packet_headers::testing {

using ::mlab::testing::TestNetwork;

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

absl::StatusOr<std::unique_ptr<Process>> Process::Start(const std::string& ns,
                                                        const std::vector<std::string>& argv,
                                                        const std::string& log_path) {
  std::vector<std::string> full = {"/usr/bin/env", "ip", "netns", "exec", ns};
  full.insert(full.end(), argv.begin(), argv.end());
  std::vector<char*> args;
  for (std::string& a : full) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  if (pid == 0) {
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return std::unique_ptr<Process>(new Process(pid, log_path));
}

Process::~Process() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
}

bool Process::Running() {
  if (reaped_) return false;
  const pid_t r = waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) reaped_ = true;
  return !reaped_;
}

absl::StatusOr<int> Process::Stop(int sig, absl::Duration timeout) {
  if (!reaped_) kill(pid_, sig);
  if (!WaitFor([this] { return !Running(); }, timeout)) {
    return absl::DeadlineExceededError(absl::StrCat("pid ", pid_, " did not exit"));
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  return 128 + WTERMSIG(status_);
}

std::string Process::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t Process::ResidentBytes() const {
  std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "VmRSS:")) {
      int64_t kb = 0;
      std::string number(absl::StripSuffix(absl::StripAsciiWhitespace(line.substr(6)), " kB"));
      if (absl::SimpleAtoi(number, &kb)) return kb * 1024;
    }
  }
  return 0;
}

std::string RunfilesBinary(const std::string& package_path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/mlab_node/", package_path);
}

namespace {

sockaddr_storage Address(bool ipv6, const std::string& ip, uint16_t port, socklen_t* length) {
  sockaddr_storage storage{};
  if (!ipv6) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    inet_pton(AF_INET, ip.c_str(), &v4->sin_addr);
    *length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr);
    *length = sizeof(sockaddr_in6);
  }
  return storage;
}

uint16_t LocalPort(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  return ntohs(storage.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                                            : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

absl::Status WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return absl::ErrnoToStatus(errno, "write");
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status ReadExactly(int fd, size_t bytes) {
  std::string buffer(bytes, '\0');
  size_t done = 0;
  while (done < bytes) {
    const ssize_t n = read(fd, buffer.data() + done, bytes - done);
    if (n <= 0) return absl::ErrnoToStatus(errno, "read");
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Listener>> Listener::Create(const std::string& server_ns,
                                                           bool ipv6) {
  std::unique_ptr<Listener> listener(new Listener());
  listener->ipv6_ = ipv6;
  absl::Status status;
  absl::Status ran = TestNetwork::RunIn(server_ns, [&] {
    const int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t length;
    sockaddr_storage address =
        Address(ipv6, ipv6 ? TestNetwork::kServerV6 : TestNetwork::kServerV4, 0, &length);
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd, 1024) != 0) {
      status = absl::ErrnoToStatus(errno, "bind/listen");
      close(fd);
      return;
    }
    listener->fd_ = fd;
    listener->port_ = LocalPort(fd);
  });
  if (!ran.ok()) return ran;
  if (!status.ok()) return status;
  return listener;
}

Listener::~Listener() {
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<LiveFlow> Listener::Connect(const std::string& client_ns,
                                           const std::string& uuid_prefix) {
  LiveFlow flow;
  flow.ipv6 = ipv6_;
  flow.server_ip = ipv6_ ? TestNetwork::kServerV6 : TestNetwork::kServerV4;
  flow.client_ip = ipv6_ ? TestNetwork::kClientV6 : TestNetwork::kClientV4;
  flow.server_port = port_;
  absl::Status status;
  absl::Status ran = TestNetwork::RunIn(client_ns, [&] {
    flow.client_fd = socket(ipv6_ ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t length;
    sockaddr_storage address = Address(ipv6_, flow.server_ip, port_, &length);
    if (connect(flow.client_fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
      status = absl::ErrnoToStatus(errno, "connect");
    }
  });
  if (!ran.ok()) return ran;
  if (!status.ok()) return status;
  flow.client_port = LocalPort(flow.client_fd);
  flow.server_fd = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (flow.server_fd < 0) return absl::ErrnoToStatus(errno, "accept");
  const int one = 1;
  setsockopt(flow.client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(flow.server_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  absl::StatusOr<uint64_t> cookie = uuid::CookieOf(flow.server_fd);
  if (!cookie.ok()) return cookie.status();
  flow.cookie = *cookie;
  absl::StatusOr<std::string> id = uuid::FromSocket(uuid_prefix, flow.server_fd);
  if (!id.ok()) return id.status();
  flow.uuid = *id;
  return flow;
}

absl::Status Exchange(const LiveFlow& flow, int rounds, size_t request_bytes,
                      size_t response_bytes) {
  const std::string request(request_bytes, 'q'), response(response_bytes, 'r');
  for (int i = 0; i < rounds; ++i) {
    if (absl::Status s = WriteAll(flow.client_fd, request); !s.ok()) return s;
    if (absl::Status s = ReadExactly(flow.server_fd, request_bytes); !s.ok()) return s;
    if (absl::Status s = WriteAll(flow.server_fd, response); !s.ok()) return s;
    if (absl::Status s = ReadExactly(flow.client_fd, response_bytes); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void CloseFlow(LiveFlow& flow) {
  close(flow.client_fd);
  char byte;
  while (read(flow.server_fd, &byte, 1) > 0) {
  }
  close(flow.server_fd);
  flow.client_fd = flow.server_fd = -1;
}

namespace {

uint16_t Checksum(const uint8_t* data, size_t length, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < length; i += 2) sum += uint32_t{data[i]} << 8 | data[i + 1];
  if (length % 2 == 1) sum += uint32_t{data[length - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// A 40-byte IPv4 SYN from 198.51.100.<host>:<port>, checksums filled in.
void BuildSyn(uint8_t host, uint16_t port, const in_addr& dst, uint16_t dst_port, uint8_t* p) {
  std::memset(p, 0, 40);
  p[0] = 0x45;
  p[3] = 40;
  p[8] = 64;
  p[9] = IPPROTO_TCP;
  p[12] = 198;
  p[13] = 51;
  p[14] = 100;
  p[15] = host;
  std::memcpy(p + 16, &dst, 4);
  uint8_t* tcp = p + 20;
  tcp[0] = static_cast<uint8_t>(port >> 8);
  tcp[1] = static_cast<uint8_t>(port);
  tcp[2] = static_cast<uint8_t>(dst_port >> 8);
  tcp[3] = static_cast<uint8_t>(dst_port);
  tcp[4] = static_cast<uint8_t>(port * 7);  // a sequence number
  tcp[12] = 5 << 4;
  tcp[13] = 0x02;  // SYN
  tcp[14] = 0xFA;  // window 64240
  tcp[15] = 0xF0;
  // The pseudo-header: addresses, protocol, TCP length.
  uint32_t sum = 0;
  for (int i = 12; i < 20; i += 2) sum += uint32_t{p[i]} << 8 | p[i + 1];
  sum += IPPROTO_TCP + 20;
  const uint16_t tcp_sum = Checksum(tcp, 20, sum);
  tcp[16] = static_cast<uint8_t>(tcp_sum >> 8);
  tcp[17] = static_cast<uint8_t>(tcp_sum);
  const uint16_t ip_sum = Checksum(p, 20);
  p[10] = static_cast<uint8_t>(ip_sum >> 8);
  p[11] = static_cast<uint8_t>(ip_sum);
}

}  // namespace

absl::StatusOr<int64_t> SynFlood(const std::string& client_ns, const std::string& dst_ip,
                                 uint16_t dst_port, int64_t count, absl::Duration within) {
  int64_t sent = 0;
  absl::Status status;
  absl::Status ran = TestNetwork::RunIn(client_ns, [&] {
    const int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (fd < 0) {
      status = absl::ErrnoToStatus(errno, "raw socket");
      return;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    inet_pton(AF_INET, dst_ip.c_str(), &to.sin_addr);
    const absl::Time start = absl::Now();
    const absl::Time deadline = start + within;
    const absl::Duration pace = within * 0.8;
    const absl::Duration tick = absl::Milliseconds(1);
    const int64_t ticks = std::max<int64_t>(1, pace / tick);
    uint8_t packet[40];
    for (int64_t t = 0; t < ticks && sent < count; ++t) {
      // Evenly spread: after tick t, (t+1)/ticks of the packets are out.
      const int64_t until = count * (t + 1) / ticks;
      for (; sent < until; ++sent) {
        const uint8_t host = static_cast<uint8_t>(1 + sent % 254);
        const uint16_t port = static_cast<uint16_t>(1024 + (sent / 254) % 64000);
        BuildSyn(host, port, to.sin_addr, dst_port, packet);
        if (sendto(fd, packet, sizeof(packet), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) !=
            static_cast<ssize_t>(sizeof(packet))) {
          status = absl::ErrnoToStatus(errno, "sendto");
          close(fd);
          return;
        }
      }
      const absl::Time next = start + tick * (t + 1);
      if (absl::Now() >= deadline) break;
      absl::SleepFor(next - absl::Now());  // pacing the load, not waiting for a result
    }
    close(fd);
  });
  if (!ran.ok()) return ran;
  if (!status.ok()) return status;
  return sent;
}

absl::StatusOr<std::unique_ptr<EventSource>> EventSource::Start(const std::string& socket_path) {
  std::unique_ptr<EventSource> source(new EventSource());
  source->path_ = socket_path;
  source->server_ = std::make_unique<events::FlowEventServer>(&source->publisher_, socket_path);
  if (absl::Status s = source->server_->Start(); !s.ok()) return s;
  return source;
}

EventSource::~EventSource() { server_->Shutdown(); }

namespace {
events::SocketID IdOf(const LiveFlow& flow) {
  events::SocketID id;
  id.set_src_ip(flow.server_ip);
  id.set_dst_ip(flow.client_ip);
  id.set_src_port(flow.server_port);
  id.set_dst_port(flow.client_port);
  id.set_cookie(flow.cookie);
  return id;
}
}  // namespace

void EventSource::Open(const LiveFlow& flow) {
  publisher_.PublishOpen(absl::Now(), flow.uuid, IdOf(flow));
}

void EventSource::Close(const LiveFlow& flow) {
  publisher_.PublishClose(absl::Now(), flow.uuid, IdOf(flow));
}

absl::StatusOr<std::unique_ptr<Tcpdump>> Tcpdump::Start(const std::string& ns,
                                                        const std::string& interface,
                                                        const std::string& filter,
                                                        const std::string& path) {
  std::unique_ptr<Tcpdump> t(new Tcpdump());
  t->path_ = path;
  t->log_ = path + ".log";
  absl::StatusOr<std::unique_ptr<Process>> p =
      Process::Start(ns,
                     {"tcpdump", "-Z", "root", "-n", "--immediate-mode", "-U", "-i", interface,
                      "-B", "16384", "-w", path, filter},
                     t->log_);
  if (!p.ok()) return p.status();
  t->process_ = std::move(*p);
  // It has its capture open once it says it is listening.
  if (!WaitFor([&] { return absl::StrContains(t->process_->Log(), "listening on"); },
               absl::Seconds(10))) {
    return absl::DeadlineExceededError(absl::StrCat("tcpdump did not start: ", t->process_->Log()));
  }
  return t;
}

absl::Status Tcpdump::Finish() {
  absl::StatusOr<int> code = process_->Stop(SIGINT, absl::Seconds(10));
  if (!code.ok()) return code.status();
  // Its summary: "N packets captured", "M packets received by filter", "D packets dropped by
  // kernel". A witness must have written everything it received and dropped nothing.
  const std::string log = process_->Log();
  int64_t captured = -1, received = -2, dropped = -1;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
    if (words.size() < 3) continue;
    int64_t n = 0;
    if (!absl::SimpleAtoi(words[0], &n)) continue;
    if (absl::EndsWith(line, "packets captured")) captured = n;
    if (absl::EndsWith(line, "packets received by filter")) received = n;
    if (absl::EndsWith(line, "packets dropped by kernel")) dropped = n;
  }
  if (captured != received || dropped != 0) {
    return absl::DataLossError(absl::StrCat("tcpdump missed packets: ", log));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RunCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("popen");
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) {
    return absl::InternalError(absl::StrCat("`", command, "` exited ", status, ": ", output));
  }
  return output;
}

absl::StatusOr<std::map<uint16_t, int>> TsharkCountByPort(const std::string& file,
                                                          uint16_t server_port) {
  absl::StatusOr<std::string> out = RunCommand(
      absl::StrCat("tshark -n -r ", file, " -T fields -e tcp.srcport -e tcp.dstport 2>&1"));
  if (!out.ok()) return out.status();
  std::map<uint16_t, int> counts;
  for (absl::string_view line : absl::StrSplit(*out, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    uint32_t src = 0, dst = 0;
    if (fields.size() != 2 || !absl::SimpleAtoi(fields[0], &src) ||
        !absl::SimpleAtoi(fields[1], &dst)) {
      if (absl::StrContains(line, "Running as user")) continue;  // tshark's root warning
      return absl::DataLossError(absl::StrCat("tshark on ", file, ": ", line));
    }
    ++counts[static_cast<uint16_t>(src == server_port ? dst : src)];
  }
  return counts;
}

absl::StatusOr<std::string> HttpGet(const std::string& ns, int port, const std::string& path) {
  std::string response;
  absl::Status status;
  absl::Status ran = TestNetwork::RunIn(ns, [&] {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t length;
    sockaddr_storage address = Address(false, "127.0.0.1", static_cast<uint16_t>(port), &length);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
      status = absl::ErrnoToStatus(errno, "connect to metrics");
      close(fd);
      return;
    }
    const std::string request =
        absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    status = WriteAll(fd, request);
    char buffer[65536];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
    close(fd);
  });
  if (!ran.ok()) return ran;
  if (!status.ok()) return status;
  const size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return absl::DataLossError("no HTTP body");
  return response.substr(body + 4);
}

double MetricValue(const std::string& page, const std::string& sample) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (absl::ConsumePrefix(&line, sample) && absl::ConsumePrefix(&line, " ")) {
      double value = 0;
      if (absl::SimpleAtod(line, &value)) return value;
    }
  }
  return -1;
}

}  // namespace mlab::packet_headers::testing
