// End to end: the real tcp-info binary in a network namespace, real TCP flows to a second
// namespace over veth (IPv4 and IPv6), events over gRPC and the JSON-lines socket, archives on
// disk. Needs root and iproute2; the test creates and removes its namespaces.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "lib/events/subscriber.h"
#include "lib/fileio/files.h"
#include "lib/testing/sanitizers.h"
#include "lib/uuid/uuid.h"
#include "proto/events.grpc.pb.h"
#include "services/tcp-info/archive_file.h"
#include "services/tcp-info/archive_reader.h"
#include "services/tcp-info/testing/temp_dir.h"
#include "services/tcp-info/zstd_decode.h"

namespace mlab::tcpinfo {
namespace {

constexpr absl::Duration kTimeout = absl::Seconds(60);
constexpr char kPrefix[] = "itest_1700000000";

std::string Binary() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/mlab_node/services/tcp-info/tcp-info");
}

bool Run(const std::string& command) { return std::system(command.c_str()) == 0; }

// Two namespaces joined by a veth pair: "server" (192.0.2.1, 2001:db8::1), where tcp-info runs,
// and "client" (192.0.2.2, 2001:db8::2).
class NamespacePair {
 public:
  NamespacePair() {
    const int id = getpid() % 100000;
    server_ = absl::StrCat("tcpi-s-", id);
    client_ = absl::StrCat("tcpi-c-", id);
    const std::string veth_s = absl::StrCat("tis", id), veth_c = absl::StrCat("tic", id);
    ok_ = Run(absl::StrCat("ip netns add ", server_)) &&
          Run(absl::StrCat("ip netns add ", client_)) &&
          Run(absl::StrCat("ip link add ", veth_s, " netns ", server_, " type veth peer name ",
                           veth_c, " netns ", client_)) &&
          Run(absl::StrCat("ip -n ", server_, " link set lo up")) &&
          Run(absl::StrCat("ip -n ", client_, " link set lo up")) &&
          Run(absl::StrCat("ip -n ", server_, " addr add 192.0.2.1/24 dev ", veth_s)) &&
          Run(absl::StrCat("ip -n ", client_, " addr add 192.0.2.2/24 dev ", veth_c)) &&
          Run(absl::StrCat("ip -n ", server_, " addr add 2001:db8::1/64 nodad dev ", veth_s)) &&
          Run(absl::StrCat("ip -n ", client_, " addr add 2001:db8::2/64 nodad dev ", veth_c)) &&
          Run(absl::StrCat("ip -n ", server_, " link set ", veth_s, " up")) &&
          Run(absl::StrCat("ip -n ", client_, " link set ", veth_c, " up"));
  }
  ~NamespacePair() {
    Run(absl::StrCat("ip netns del ", server_, " 2>/dev/null"));
    Run(absl::StrCat("ip netns del ", client_, " 2>/dev/null"));
  }

  bool ok() const { return ok_; }
  const std::string& server() const { return server_; }
  const std::string& client() const { return client_; }

  // Runs `fn` on a thread inside namespace `name`: sockets it creates belong there.
  static void In(const std::string& name, const std::function<void()>& fn) {
    std::thread thread([&] {
      int fd = open(absl::StrCat("/run/netns/", name).c_str(), O_RDONLY | O_CLOEXEC);
      ASSERT_GE(fd, 0);
      ASSERT_EQ(setns(fd, CLONE_NEWNET), 0);
      close(fd);
      fn();
    });
    thread.join();
  }

 private:
  std::string server_, client_;
  bool ok_ = false;
};

// One TCP connection across the namespaces (or over loopback inside the server namespace).
struct TestFlow {
  int server_fd = -1;  // the accepted socket, in tcp-info's namespace
  int client_fd = -1;
  uint64_t cookie = 0;
  std::string uuid;
  int family = AF_INET;
  uint16_t server_port = 0;
  uint16_t client_port = 0;
};

sockaddr_storage Address(int family, const char* ip, uint16_t port, socklen_t* length) {
  sockaddr_storage storage{};
  if (family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    inet_pton(AF_INET, ip, &v4->sin_addr);
    *length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    inet_pton(AF_INET6, ip, &v6->sin6_addr);
    *length = sizeof(sockaddr_in6);
  }
  return storage;
}

uint16_t PortOf(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  return ntohs(storage.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                                            : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

// Listens in `server_ns` on `server_ip` and connects `count` clients from `client_ns`.
std::vector<TestFlow> MakeFlows(const std::string& server_ns, const std::string& client_ns,
                                int family, const char* server_ip, int count) {
  int listener = -1;
  uint16_t port = 0;
  NamespacePair::In(server_ns, [&] {
    listener = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t length;
    sockaddr_storage address = Address(family, server_ip, 0, &length);
    ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), length), 0) << strerror(errno);
    ASSERT_EQ(listen(listener, 4096), 0);
    port = PortOf(listener);
  });
  std::vector<TestFlow> flows(count);
  const std::string& connect_ns = client_ns.empty() ? server_ns : client_ns;
  for (int done = 0; done < count;) {
    const int batch = std::min(count - done, 500);  // within the listen backlog
    NamespacePair::In(connect_ns, [&] {
      for (int i = done; i < done + batch; ++i) {
        flows[i].family = family;
        flows[i].client_fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        socklen_t length;
        sockaddr_storage address = Address(family, server_ip, port, &length);
        ASSERT_EQ(connect(flows[i].client_fd, reinterpret_cast<sockaddr*>(&address), length), 0)
            << strerror(errno);
        flows[i].client_port = PortOf(flows[i].client_fd);
      }
    });
    for (int i = done; i < done + batch; ++i) {
      flows[i].server_fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      EXPECT_GE(flows[i].server_fd, 0);
      flows[i].server_port = port;
      flows[i].cookie = *uuid::CookieOf(flows[i].server_fd);
      flows[i].uuid = uuid::FromCookie(kPrefix, flows[i].cookie);
    }
    done += batch;
  }
  close(listener);
  return flows;
}

void Exchange(const TestFlow& flow, size_t bytes) {
  std::string data(bytes, 'x');
  ASSERT_EQ(write(flow.client_fd, data.data(), data.size()), static_cast<ssize_t>(bytes));
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = read(flow.server_fd, data.data(), bytes - got);
    ASSERT_GT(n, 0);
    got += static_cast<size_t>(n);
  }
}

void CloseFlow(TestFlow& flow) {
  close(flow.client_fd);
  close(flow.server_fd);
  flow.client_fd = flow.server_fd = -1;
}

// Records what arrives on the gRPC FlowEvents stream.
class EventRecorder : public events::FlowEventHandler {
 public:
  void OnOpen(const events::FlowEvent& event) override {
    absl::MutexLock lock(&mu_);
    ++opens_[event.uuid()];
    open_ids_[event.uuid()] = event.id();
  }
  void OnClose(const events::FlowEvent& event) override {
    absl::MutexLock lock(&mu_);
    ++closes_[event.uuid()];
  }
  void OnReplayComplete() override {
    absl::MutexLock lock(&mu_);
    replayed_ = true;
    ++replays_;
  }

  bool AwaitReplay() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&replayed_), kTimeout);
  }
  // Waits until every uuid has opened (or closed) at least once.
  bool Await(const std::vector<std::string>& uuids, bool closed) {
    absl::MutexLock lock(&mu_);
    auto all = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const std::string& uuid : uuids) {
        if ((closed ? closes_ : opens_).count(uuid) == 0) return false;
      }
      return true;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&all), kTimeout);
  }
  int opens(const std::string& uuid) {
    absl::MutexLock lock(&mu_);
    return opens_.count(uuid) ? opens_[uuid] : 0;
  }
  int closes(const std::string& uuid) {
    absl::MutexLock lock(&mu_);
    return closes_.count(uuid) ? closes_[uuid] : 0;
  }
  events::SocketID id(const std::string& uuid) {
    absl::MutexLock lock(&mu_);
    return open_ids_[uuid];
  }
  // How many times the stream (re)connected and finished its replay.
  int replays() {
    absl::MutexLock lock(&mu_);
    return replays_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, int> opens_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> closes_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, events::SocketID> open_ids_ ABSL_GUARDED_BY(mu_);
  bool replayed_ ABSL_GUARDED_BY(mu_) = false;
  int replays_ ABSL_GUARDED_BY(mu_) = 0;
};

// Reads upstream-style JSON lines from the legacy event socket on its own thread.
class JsonlReader {
 public:
  explicit JsonlReader(const std::string& path) {
    const absl::Time deadline = absl::Now() + kTimeout;
    // tcp-info creates the socket at startup: retry until it exists.
    while (absl::Now() < deadline) {
      fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un address{};
      address.sun_family = AF_UNIX;
      std::memcpy(address.sun_path, path.data(), path.size());
      if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) break;
      close(fd_);
      fd_ = -1;
      absl::SleepFor(absl::Milliseconds(20));
    }
    if (fd_ >= 0) thread_ = std::thread([this] { Read(); });
  }
  ~JsonlReader() {
    if (fd_ >= 0) shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return fd_ >= 0; }

  // Waits until a line containing `needle` arrived.
  bool AwaitContaining(const std::string& needle) {
    absl::MutexLock lock(&mu_);
    auto found = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const std::string& line : lines_) {
        if (absl::StrContains(line, needle)) return true;
      }
      return false;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&found), kTimeout);
  }
  std::vector<std::string> Lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  void Read() {
    std::string buffer;
    char chunk[4096];
    while (true) {
      ssize_t n = read(fd_, chunk, sizeof(chunk));
      if (n <= 0) return;
      buffer.append(chunk, static_cast<size_t>(n));
      size_t newline;
      while ((newline = buffer.find('\n')) != std::string::npos) {
        absl::MutexLock lock(&mu_);
        lines_.push_back(buffer.substr(0, newline + 1));
        buffer.erase(0, newline + 1);
      }
    }
  }

  int fd_ = -1;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

class TcpInfoNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(namespaces_.ok()) << "cannot create the network namespaces";
    rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    testing::WriteFileOrDie(prefix_file_, kPrefix);
  }
  void TearDown() override { Kill(SIGKILL); }

  // Starts tcp-info in the server namespace, with `extra_args` after the usual ones.
  void Start(const std::vector<std::string>& extra_args = {}) {
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      int fd = open(absl::StrCat("/run/netns/", namespaces_.server()).c_str(), O_RDONLY);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) _exit(126);
      const std::string binary = Binary();
      std::vector<std::string> args = {
          binary,
          "-output=" + output_,
          "-uuid-prefix-file=" + prefix_file_,
          "-tcpinfo.eventsocket=" + events_socket_,
          "-tcpinfo.jsonl-eventsocket=" + jsonl_socket_,
          // The namespace has its own loopback: a fixed port cannot collide.
          "-prometheusx.listen-address=127.0.0.1:9991",
          "-tcpinfo.flush-interval=100ms",
      };
      args.insert(args.end(), extra_args.begin(), extra_args.end());
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
  }

  // Sends `signal` and waits for the exit status.
  int Kill(int signal) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  // The /metrics page, fetched from inside tcp-info's namespace.
  std::string Metrics() {
    std::string page;
    NamespacePair::In(namespaces_.server(), [&] {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      socklen_t length;
      sockaddr_storage address = Address(AF_INET, "127.0.0.1", 9991, &length);
      ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
      const std::string request = "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n";
      ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
      char chunk[65536];
      ssize_t n;
      while ((n = read(fd, chunk, sizeof(chunk))) > 0) page.append(chunk, static_cast<size_t>(n));
      close(fd);
    });
    return page;
  }

  // Archive files by relative path.
  std::vector<std::string> Archives() { return testing::ListFiles(output_); }

  NamespacePair namespaces_;
  testing::TempDir dir_{"/tmp"};  // unix socket paths must be short
  const std::string output_ = dir_.path() + "/spool/tcpinfo";
  const std::string prefix_file_ = dir_.path() + "/prefix";
  const std::string events_socket_ = dir_.path() + "/ev.sock";
  const std::string jsonl_socket_ = dir_.path() + "/jsonl.sock";
  pid_t pid_ = -1;
};

std::vector<std::string> Uuids(const std::vector<TestFlow>& flows) {
  std::vector<std::string> uuids;
  for (const TestFlow& flow : flows) uuids.push_back(flow.uuid);
  return uuids;
}

// The Open line upstream's Go server would send for `flow`, with the line's own timestamp.
std::string ExpectedOpenLine(const TestFlow& flow, const std::string& line) {
  const size_t start = line.find("\"Timestamp\":\"") + 13;
  const std::string timestamp = line.substr(start, line.find('"', start) - start);
  const bool v4 = flow.family == AF_INET;
  return absl::StrFormat(
      "{\"Event\":0,\"Timestamp\":\"%s\",\"UUID\":\"%s\",\"ID\":{\"SPort\":%d,\"DPort\":%d,"
      "\"SrcIP\":\"%s\",\"DstIP\":\"%s\",\"Interface\":0,\"Cookie\":%d}}\n",
      timestamp, flow.uuid, flow.server_port, flow.client_port, v4 ? "192.0.2.1" : "2001:db8::1",
      v4 ? "192.0.2.2" : "2001:db8::2", static_cast<int64_t>(flow.cookie));
}

TEST_F(TcpInfoNetnsTest, FlowsGiveArchivesAndEventsLoopbackNothing) {
  Start();
  EventRecorder recorder;
  events::FlowEventSubscriber subscriber(events_socket_, &recorder);
  ASSERT_TRUE(subscriber.Start().ok());
  ASSERT_TRUE(recorder.AwaitReplay());
  JsonlReader jsonl(jsonl_socket_);
  ASSERT_TRUE(jsonl.connected());
  // A first flow proves both subscribers are served before the flows under test start.
  std::vector<TestFlow> canary =
      MakeFlows(namespaces_.server(), namespaces_.client(), AF_INET, "192.0.2.1", 1);
  ASSERT_TRUE(recorder.Await(Uuids(canary), false));
  ASSERT_TRUE(jsonl.AwaitContaining(canary[0].uuid));

  std::vector<TestFlow> flows =
      MakeFlows(namespaces_.server(), namespaces_.client(), AF_INET, "192.0.2.1", 5);
  std::vector<TestFlow> v6 =
      MakeFlows(namespaces_.server(), namespaces_.client(), AF_INET6, "2001:db8::1", 5);
  flows.insert(flows.end(), v6.begin(), v6.end());
  std::vector<TestFlow> loopback = MakeFlows(namespaces_.server(), "", AF_INET, "127.0.0.1", 3);
  for (const TestFlow& flow : flows) Exchange(flow, 20000);
  for (const TestFlow& flow : loopback) Exchange(flow, 20000);
  ASSERT_TRUE(recorder.Await(Uuids(flows), false));
  ASSERT_TRUE(jsonl.AwaitContaining(flows.back().uuid));

  for (TestFlow& flow : flows) CloseFlow(flow);
  for (TestFlow& flow : canary) CloseFlow(flow);
  ASSERT_TRUE(recorder.Await(Uuids(flows), true));
  ASSERT_TRUE(recorder.Await(Uuids(canary), true));
  ASSERT_TRUE(
      jsonl.AwaitContaining(absl::StrCat("\"UUID\":\"", flows.back().uuid, "\",\"ID\":null")));
  for (TestFlow& flow : loopback) CloseFlow(flow);
  subscriber.Stop();
  const int status = Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);

  // gRPC: one Open and one Close per flow, with the flow's 4-tuple; nothing for loopback.
  for (const TestFlow& flow : flows) {
    EXPECT_EQ(recorder.opens(flow.uuid), 1) << flow.uuid;
    EXPECT_EQ(recorder.closes(flow.uuid), 1) << flow.uuid;
    events::SocketID id = recorder.id(flow.uuid);
    EXPECT_EQ(id.src_port(), flow.server_port);
    EXPECT_EQ(id.dst_port(), flow.client_port);
    EXPECT_EQ(id.src_ip(), flow.family == AF_INET ? "192.0.2.1" : "2001:db8::1");
    EXPECT_EQ(id.cookie(), flow.cookie);
  }
  for (const TestFlow& flow : loopback) {
    EXPECT_EQ(recorder.opens(flow.uuid), 0);
    EXPECT_EQ(recorder.closes(flow.uuid), 0);
  }

  // JSON lines: exactly upstream's Open and Close lines, once each per flow.
  std::vector<std::string> lines = jsonl.Lines();
  for (const TestFlow& flow : flows) {
    int opens = 0, closes = 0;
    for (const std::string& line : lines) {
      if (!absl::StrContains(line, flow.uuid)) continue;
      if (absl::StartsWith(line, "{\"Event\":0,")) {
        ++opens;
        EXPECT_EQ(line, ExpectedOpenLine(flow, line));
      } else {
        ++closes;
        EXPECT_TRUE(absl::StartsWith(line, "{\"Event\":1,\"Timestamp\":\"")) << line;
        EXPECT_TRUE(
            absl::EndsWith(line, absl::StrCat("Z\",\"UUID\":\"", flow.uuid, "\",\"ID\":null}\n")))
            << line;
      }
    }
    EXPECT_EQ(opens, 1) << flow.uuid;
    EXPECT_EQ(closes, 1) << flow.uuid;
  }
  for (const TestFlow& flow : loopback) {
    for (const std::string& line : lines) EXPECT_FALSE(absl::StrContains(line, flow.uuid));
  }

  // Archives: one complete file per flow (canary included), named and headed by its UUID.
  std::set<std::string> expected;
  for (const TestFlow& flow : flows) expected.insert(flow.uuid);
  expected.insert(canary[0].uuid);
  std::set<std::string> archived;
  for (const std::string& relative : Archives()) {
    std::string uuid;
    int64_t sequence;
    const std::string name = relative.substr(relative.rfind('/') + 1);
    ASSERT_TRUE(ArchiveFile::ParseName(name, &uuid, &sequence)) << relative;
    EXPECT_EQ(sequence, 0);
    absl::StatusOr<std::vector<ArchiveLine>> lines = ReadArchive(output_ + "/" + relative);
    ASSERT_TRUE(lines.ok()) << lines.status();
    ASSERT_GE(lines->size(), 2u);
    ASSERT_TRUE(lines->front().metadata.has_value());
    EXPECT_EQ(lines->front().metadata->uuid, uuid);
    for (size_t i = 1; i < lines->size(); ++i) {
      EXPECT_EQ((*lines)[i].raw_idm.size(), 72u);
      ASSERT_GT((*lines)[i].attributes.size(), 2u);
    }
    archived.insert(uuid);
  }
  EXPECT_EQ(archived, expected);

  // M-Lab's ETL tcpinfo parsing (tests/etl, on the upstream tcp-info library ETL pins) accepts
  // every archive and makes one row per flow, with the UUID from our header.
  const char* peers = std::getenv("MLAB_PEERS");
  std::string command = absl::StrCat(peers != nullptr ? peers : "/usr/local/lib/mlab-peers",
                                     "/bin/etl-check -type=tcpinfo");
  for (const std::string& relative : Archives())
    absl::StrAppend(&command, " ", output_, "/", relative);
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string report;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) report.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << "etl-check (run tools/setup if missing) rejected:\n" << report;
  for (const std::string& uuid : expected) {
    EXPECT_TRUE(absl::StrContains(report, absl::StrCat("\"id\":\"", uuid, "\",\"rows\":1")))
        << uuid << " has no ETL row in:\n"
        << report;
  }
}

// kill -9 with 1,000 open flows, then a restart: every archive of the killed process is
// completed (nothing flushed is lost, nothing truncated) and every flow continues in .00001.
TEST_F(TcpInfoNetnsTest, KillNineAndRestartWithAThousandOpenFlowsLosesNoArchive) {
  constexpr int kFlows = 1000;
  Start();
  EventRecorder recorder;
  auto subscriber = std::make_unique<events::FlowEventSubscriber>(events_socket_, &recorder);
  ASSERT_TRUE(subscriber->Start().ok());
  ASSERT_TRUE(recorder.AwaitReplay());
  std::vector<TestFlow> flows =
      MakeFlows(namespaces_.server(), namespaces_.client(), AF_INET, "192.0.2.1", kFlows / 2);
  std::vector<TestFlow> v6 =
      MakeFlows(namespaces_.server(), namespaces_.client(), AF_INET6, "2001:db8::1", kFlows / 2);
  flows.insert(flows.end(), v6.begin(), v6.end());
  for (const TestFlow& flow : flows) Exchange(flow, 1000);
  ASSERT_TRUE(recorder.Await(Uuids(flows), false));
  subscriber->Stop();

  // Wait until every flow's staged archive decodes to its header and a record (flushed), so
  // what the kill must not lose is on disk.
  const std::string staging = dir_.path() + "/spool/.tmp-tcpinfo";
  const absl::Time deadline = absl::Now() + kTimeout;
  std::map<std::string, size_t> flushed_lines;
  while (absl::Now() < deadline) {
    flushed_lines.clear();
    for (const std::string& relative : testing::ListFiles(staging)) {
      absl::StatusOr<std::string> bytes = fileio::ReadWholeFile(staging + "/" + relative);
      if (!bytes.ok()) continue;
      ZstdPrefix prefix = DecompressPrefix(*bytes);
      const size_t lines = std::count(prefix.data.begin(), prefix.data.end(), '\n');
      if (lines >= 2) flushed_lines[relative.substr(0, relative.find(".jsonl.zst"))] = lines;
    }
    if (flushed_lines.size() == kFlows) break;
    absl::SleepFor(absl::Milliseconds(50));  // polling the filesystem for the flush to land
  }
  ASSERT_EQ(flushed_lines.size(), static_cast<size_t>(kFlows));

  const int status = Kill(SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(Archives().empty());  // nothing was committed yet

  Start();  // repairs the leftovers before polling
  EventRecorder after;
  subscriber = std::make_unique<events::FlowEventSubscriber>(events_socket_, &after);
  ASSERT_TRUE(subscriber->Start().ok());
  ASSERT_TRUE(after.Await(Uuids(flows), false));  // replayed or live: all open again
  for (TestFlow& flow : flows) CloseFlow(flow);
  ASSERT_TRUE(after.Await(Uuids(flows), true));
  subscriber->Stop();
  const int clean = Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(clean));
  EXPECT_EQ(WEXITSTATUS(clean), 0);

  std::map<std::string, std::vector<int64_t>> sequences;
  for (const std::string& relative : Archives()) {
    std::string uuid;
    int64_t sequence;
    ASSERT_TRUE(ArchiveFile::ParseName(relative.substr(relative.rfind('/') + 1), &uuid, &sequence));
    absl::StatusOr<std::vector<ArchiveLine>> lines = ReadArchive(output_ + "/" + relative);
    ASSERT_TRUE(lines.ok()) << relative << ": " << lines.status();  // complete, checksummed
    ASSERT_TRUE(lines->front().metadata.has_value());
    EXPECT_EQ(lines->front().metadata->sequence, sequence);
    if (sequence == 0) {
      auto flushed = flushed_lines.find(relative.substr(0, relative.find(".jsonl.zst")));
      ASSERT_NE(flushed, flushed_lines.end()) << relative;
      EXPECT_GE(lines->size(), flushed->second) << relative;
    }
    sequences[uuid].push_back(sequence);
  }
  ASSERT_EQ(sequences.size(), static_cast<size_t>(kFlows));
  for (const TestFlow& flow : flows) {
    std::vector<int64_t>& seen = sequences[flow.uuid];
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<int64_t>{0, 1})) << flow.uuid;
  }
}

// The cumulative count of histogram `name` for the largest bucket bound not above `bound`
// (bounds accumulated as Go does print like 0.02000000000000001).
double CountUpTo(const std::string& page, const std::string& name, double bound) {
  double count = -1;
  const std::string prefix = name + "_bucket{le=\"";
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (!absl::StartsWith(line, prefix)) continue;
    line.remove_prefix(prefix.size());
    const size_t quote = line.find('"');
    double le, value;
    if (!absl::SimpleAtod(line.substr(0, quote), &le) ||
        !absl::SimpleAtod(line.substr(line.find(' ') + 1), &value)) {
      continue;
    }
    if (le <= bound * (1 + 1e-9)) count = value;
  }
  return count;
}

// The value of the sample `name` (with its labels, if any) on a metrics page; -1 if absent.
double Sample(const std::string& page, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (absl::StartsWith(line, name + " ")) {
      double value = -1;
      if (absl::SimpleAtod(line.substr(name.size() + 1), &value)) return value;
    }
  }
  return -1;
}

// A subscriber that stops reading is disconnected while thousands of events flow, and polling
// keeps its pace: nearly every interval stays within twice the 10 ms target. Stuck are a gRPC
// stream and a JSON-lines client. The gRPC client keeps HTTP/2's initial 64 KiB stream window (no
// BDP probing grows it), so after a few hundred events tcp-info's handler blocks in Write, the
// subscriber's queue (-tcpinfo.subscriber-queue) overflows and the stream is ended with
// RESOURCE_EXHAUSTED; the JSON-lines client is dropped when its 1 MiB queue overflows. A healthy
// gRPC subscriber meanwhile receives every event, on its first connection.
TEST_F(TcpInfoNetnsTest, StuckSubscribersAreDroppedWithoutSlowingPolling) {
  constexpr int kQueue = 1000;  // a poll publishes at most 100 events here: ample for a reader
  Start({absl::StrCat("-tcpinfo.subscriber-queue=", kQueue)});
  EventRecorder recorder;
  events::FlowEventSubscriber subscriber(events_socket_, &recorder);
  ASSERT_TRUE(subscriber.Start().ok());
  ASSERT_TRUE(recorder.AwaitReplay());

  // A gRPC stream nobody reads, on a connection of its own.
  grpc::ChannelArguments channel_args;
  channel_args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  channel_args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  auto channel = grpc::CreateCustomChannel("unix:" + events_socket_,
                                           grpc::InsecureChannelCredentials(), channel_args);
  auto stub = events::FlowEvents::NewStub(channel);
  grpc::ClientContext stuck_context;
  // Only so that a broken test cannot hang.
  stuck_context.set_deadline(absl::ToChronoTime(absl::Now() + 2 * kTimeout));
  events::SubscribeRequest request;
  request.set_client_name("stuck");
  std::unique_ptr<grpc::ClientReader<events::FlowEvent>> stuck_stream =
      stub->Subscribe(&stuck_context, request);
  events::FlowEvent first;
  ASSERT_TRUE(stuck_stream->Read(&first));  // connected; not read again until the end
  EXPECT_EQ(first.type(), events::FlowEvent::REPLAY_COMPLETE);  // no flow is open yet
  // A JSON-lines client with a tiny receive buffer that never reads.
  int stuck_jsonl = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int tiny = 4096;
  setsockopt(stuck_jsonl, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, jsonl_socket_.data(), jsonl_socket_.size());
  ASSERT_EQ(connect(stuck_jsonl, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  timeval timeout = absl::ToTimeval(kTimeout);  // a read below fails instead of hanging
  setsockopt(stuck_jsonl, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

  // 8,000 events at a pace a busy node could see (200 new flows a second): several times what
  // either stuck subscriber can hold (the gRPC one: ~64 KiB in flight plus kQueue events).
  const std::string before = Metrics();
  constexpr int kRounds = 40;
  constexpr int kFlowsPerRound = 100;
  constexpr int kEvents = 2 * kRounds * kFlowsPerRound;
  constexpr absl::Duration kRoundTime = absl::Milliseconds(500);
  std::vector<std::string> uuids;
  for (int round = 0; round < kRounds; ++round) {
    const absl::Time round_end = absl::Now() + kRoundTime;
    std::vector<TestFlow> flows =
        MakeFlows(namespaces_.server(), namespaces_.client(), AF_INET, "192.0.2.1", kFlowsPerRound);
    ASSERT_TRUE(recorder.Await(Uuids(flows), false));
    for (TestFlow& flow : flows) CloseFlow(flow);
    ASSERT_TRUE(recorder.Await(Uuids(flows), true));
    for (const TestFlow& flow : flows) uuids.push_back(flow.uuid);
    absl::SleepFor(round_end - absl::Now());  // pacing the load, not waiting for anything
  }
  const std::string page = Metrics();

  // Exactly the two stuck subscribers were dropped; the healthy one is all that is left.
  const double dropped = Sample(page, "tcpinfo_event_subscribers_dropped_total") -
                         Sample(before, "tcpinfo_event_subscribers_dropped_total");
  EXPECT_EQ(dropped, 2) << page;
  EXPECT_EQ(Sample(page, "tcpinfo_event_subscribers"), 1) << page;
  // The stuck gRPC stream: what its window held, then the end tcp-info gave it.
  int stuck_read = 0;
  events::FlowEvent event;
  while (stuck_stream->Read(&event)) ++stuck_read;  // at most kEvents: nothing more is sent
  const grpc::Status stuck_status = stuck_stream->Finish();
  EXPECT_EQ(stuck_status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << stuck_status.error_message();
  EXPECT_LT(stuck_read, kEvents - kQueue);
  // The JSON-lines server closed the stuck connection after what was in flight.
  char buffer[65536];
  ssize_t n;
  while ((n = read(stuck_jsonl, buffer, sizeof(buffer))) > 0) {
  }
  EXPECT_EQ(n, 0);
  // The healthy subscriber got every Open and Close once, without being dropped or reconnecting.
  ASSERT_EQ(uuids.size(), static_cast<size_t>(kRounds * kFlowsPerRound));
  int missed = 0;
  for (const std::string& uuid : uuids) {
    if (recorder.opens(uuid) != 1 || recorder.closes(uuid) != 1) ++missed;
  }
  EXPECT_EQ(missed, 0);
  EXPECT_EQ(recorder.replays(), 1);
  EXPECT_GE(Sample(page, "tcpinfo_flow_events_total{event=\"close\"}"), kRounds * kFlowsPerRound);

  const double intervals = Sample(page, "tcpinfo_polling_interval_histogram_count") -
                           Sample(before, "tcpinfo_polling_interval_histogram_count");
  const double within_twice = CountUpTo(page, "tcpinfo_polling_interval_histogram", 0.02) -
                              CountUpTo(before, "tcpinfo_polling_interval_histogram", 0.02);
  std::cerr << within_twice << " of " << intervals << " poll intervals within 20 ms; " << dropped
            << " subscribers dropped; the stuck gRPC stream held " << stuck_read
            << " events, then: " << stuck_status.error_message() << "\n";
  // 20 s of polling every 10 ms: most of the 2,000 polls happened, nearly all on time.
  EXPECT_GT(intervals, 0.8 * absl::ToDoubleSeconds(kRounds * kRoundTime) / 0.010);
  // Under ASan/TSan every poll costs several times as much: on time there means 85 %.
  EXPECT_GE(within_twice / intervals, ::mlab::testing::kHeavySanitizer ? 0.85 : 0.95)
      << within_twice << " of " << intervals << " poll intervals within 20 ms";

  close(stuck_jsonl);
  subscriber.Stop();
  const int status = Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace mlab::tcpinfo
