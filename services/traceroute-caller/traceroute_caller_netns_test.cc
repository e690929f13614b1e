// traceroute-caller end to end on a real network: namespaces client → router1 → router2 → server,
// the built binary running in the server namespace with Debian's scamper (never -O ptr: no DNS),
// flow events from a FlowEvents publisher in this test (the first flows are real TCP connections
// with their kernel cookies), hop annotations from a fake Annotator. Checks the archive files
// against the reference format and with M-Lab ETL's parsers (etl-check), the cache marking, and a
// load of 500 Close events for 50 clients. Needs root.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/events/publisher.h"
#include "lib/events/server.h"
#include "lib/testing/temp_dir.h"
#include "lib/uuid/uuid.h"
#include "rapidjson/document.h"
#include "services/traceroute-caller/testing/child_processes.h"
#include "services/traceroute-caller/testing/fake_annotator.h"
#include "tests/netns/test_network.h"

namespace mlab::trc {
namespace {

namespace fs = std::filesystem;
using ::mlab::testing::Shell;
using ::mlab::testing::TestNetwork;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kEtlCheck[] = "/usr/local/lib/mlab-peers/bin/etl-check";
constexpr char kScamper[] = "/usr/bin/scamper";
constexpr char kServerV4[] = "203.0.113.2";
constexpr char kServerV6[] = "2001:db8:3::2";
constexpr char kClientV4[] = "192.0.2.2";
constexpr char kClientV6[] = "2001:db8:1::2";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a command, returning its exit status and stdout.
std::pair<int, std::string> RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Polls `condition` until it holds or `limit` passes; for files written by another process.
template <typename F>
bool Eventually(F condition, absl::Duration limit = absl::Seconds(60)) {
  absl::Time give_up = absl::Now() + limit;
  while (!condition()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

// The archive file of `uuid` under `root`, or "".
std::string FindFile(const std::string& root, const std::string& suffix) {
  std::error_code ec;
  if (!fs::exists(root, ec)) return "";
  for (const auto& entry : fs::recursive_directory_iterator(root, ec)) {
    if (entry.is_regular_file() && absl::EndsWith(entry.path().string(), suffix)) {
      return entry.path().string();
    }
  }
  return "";
}

size_t CountFiles(const std::string& root) {
  size_t n = 0;
  std::error_code ec;
  if (!fs::exists(root, ec)) return 0;
  for (const auto& entry : fs::recursive_directory_iterator(root, ec)) {
    if (entry.is_regular_file()) ++n;
  }
  return n;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// The largest number of logged [start, end] runs that overlap; a run is logged by the scamper
// wrapper before scamper starts and after it ended, so this bounds scamper's real concurrency.
int MaxOverlap(const std::string& log) {
  std::map<std::string, std::pair<int64_t, int64_t>> runs;
  for (const std::string& line : Lines(log)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() < 3) continue;
    int64_t t = 0;
    if (!absl::SimpleAtoi(f[2], &t)) continue;
    if (f[0] == "start") runs[f[1]].first = t;
    if (f[0] == "end") runs[f[1]].second = t;
  }
  std::vector<std::pair<int64_t, int>> points;
  for (const auto& [pid, run] : runs) {
    points.push_back({run.first, 0});
    points.push_back({run.second == 0 ? INT64_MAX : run.second, 1});
  }
  std::sort(points.begin(), points.end());
  int now = 0, peak = 0;
  for (const auto& [t, kind] : points) {
    now += kind == 0 ? 1 : -1;
    peak = std::max(peak, now);
  }
  return peak;
}

// Client — router1 — router2 — server, IPv4 and IPv6, from the documentation ranges. The client
// also has 192.0.2.10-59 for the load test. Routers answer every probe (no ICMP rate limits).
class Topology {
 public:
  static absl::StatusOr<std::unique_ptr<Topology>> Create() {
    auto t = std::unique_ptr<Topology>(new Topology());
    std::string tag = absl::StrCat("trc", getpid() % 100000);
    t->client_ = tag + "c";
    t->router1_ = tag + "a";
    t->router2_ = tag + "b";
    t->server_ = tag + "s";
    const std::string &c = t->client_, &a = t->router1_, &b = t->router2_, &s = t->server_;
    std::vector<std::string> commands;
    for (const std::string& ns : {c, a, b, s}) {
      commands.push_back("ip netns add " + ns);
      commands.push_back("ip -n " + ns + " link set lo up");
      commands.push_back("ip netns exec " + ns + " sysctl -qw net.ipv6.conf.all.accept_dad=0");
      commands.push_back("ip netns exec " + ns + " sysctl -qw net.ipv6.conf.default.accept_dad=0");
    }
    commands.insert(commands.end(),
                    {
                        "ip -n " + c + " link add c0 type veth peer name a0 netns " + a,
                        "ip -n " + a + " link add a1 type veth peer name b0 netns " + b,
                        "ip -n " + b + " link add b1 type veth peer name s0 netns " + s,
                        "ip -n " + c + " addr add 192.0.2.2/24 dev c0",
                        "ip -n " + c + " addr add 2001:db8:1::2/64 dev c0 nodad",
                        "ip -n " + a + " addr add 192.0.2.1/24 dev a0",
                        "ip -n " + a + " addr add 2001:db8:1::1/64 dev a0 nodad",
                        "ip -n " + a + " addr add 198.51.100.1/24 dev a1",
                        "ip -n " + a + " addr add 2001:db8:2::1/64 dev a1 nodad",
                        "ip -n " + b + " addr add 198.51.100.2/24 dev b0",
                        "ip -n " + b + " addr add 2001:db8:2::2/64 dev b0 nodad",
                        "ip -n " + b + " addr add 203.0.113.1/24 dev b1",
                        "ip -n " + b + " addr add 2001:db8:3::1/64 dev b1 nodad",
                        "ip -n " + s + " addr add 203.0.113.2/24 dev s0",
                        "ip -n " + s + " addr add 2001:db8:3::2/64 dev s0 nodad",
                    });
    for (int i = 10; i < 60; ++i) {
      commands.push_back(absl::StrCat("ip -n ", c, " addr add 192.0.2.", i, "/24 dev c0"));
    }
    for (const auto& [ns, dev] : std::vector<std::pair<std::string, std::string>>{
             {c, "c0"}, {a, "a0"}, {a, "a1"}, {b, "b0"}, {b, "b1"}, {s, "s0"}}) {
      commands.push_back("ip -n " + ns + " link set " + dev + " up");
    }
    for (const std::string& ns : {a, b}) {
      commands.push_back("ip netns exec " + ns + " sysctl -qw net.ipv4.ip_forward=1");
      commands.push_back("ip netns exec " + ns + " sysctl -qw net.ipv6.conf.all.forwarding=1");
      commands.push_back("ip netns exec " + ns + " sysctl -qw net.ipv4.icmp_ratelimit=0");
      commands.push_back("ip netns exec " + ns + " sysctl -qw net.ipv6.icmp.ratelimit=0");
    }
    commands.insert(commands.end(),
                    {
                        "ip -n " + c + " route add default via 192.0.2.1",
                        "ip -n " + c + " -6 route add default via 2001:db8:1::1",
                        "ip -n " + a + " route add 203.0.113.0/24 via 198.51.100.2",
                        "ip -n " + a + " -6 route add 2001:db8:3::/64 via 2001:db8:2::2",
                        "ip -n " + b + " route add 192.0.2.0/24 via 198.51.100.1",
                        "ip -n " + b + " -6 route add 2001:db8:1::/64 via 2001:db8:2::1",
                        "ip -n " + s + " route add default via 203.0.113.1",
                        "ip -n " + s + " -6 route add default via 2001:db8:3::1",
                    });
    for (const std::string& command : commands) {
      if (absl::Status status = Shell(command); !status.ok()) return status;
    }
    // End to end in both families before anything is traced.
    for (const std::string& command : {
             "ip netns exec " + s + " ping -c1 -W5 192.0.2.2",
             "ip netns exec " + s + " ping -6 -c1 -W5 2001:db8:1::2",
         }) {
      if (absl::Status status = Shell(command); !status.ok()) return status;
    }
    return t;
  }

  ~Topology() {
    for (const std::string& ns : {client_, router1_, router2_, server_}) {
      if (!ns.empty()) Shell("ip netns del " + ns).IgnoreError();
    }
  }

  const std::string& client() const { return client_; }
  const std::string& server() const { return server_; }

 private:
  Topology() = default;
  std::string client_, router1_, router2_, server_;
};

// The service binary running in the server namespace.
class ServiceProcess {
 public:
  ServiceProcess(const std::string& ns, const std::vector<std::string>& flags,
                 const std::string& log) {
    std::vector<std::string> argv = {"/usr/sbin/ip", "netns", "exec", ns,
                                     "services/traceroute-caller/traceroute-caller"};
    if (access(argv[0].c_str(), X_OK) != 0) argv[0] = "/sbin/ip";
    argv.insert(argv.end(), flags.begin(), flags.end());
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }

  // SIGTERM, then the exit status (SIGKILL after 30 s).
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (absl::Now() > give_up) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  ~ServiceProcess() { Stop(); }

  pid_t pid() const { return pid_; }

  // Children of the service that are zombies (exited but never reaped).
  std::vector<pid_t> ZombieChildren() const {
    std::vector<pid_t> zombies;
    for (const testing::ChildProcess& child : testing::ChildProcesses(pid_)) {
      if (child.state == 'Z') zombies.push_back(child.pid);
    }
    return zombies;
  }

 private:
  pid_t pid_ = -1;
};

class TracerouteCallerNetnsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto topology = Topology::Create();
    ASSERT_TRUE(topology.ok()) << topology.status();
    topology_ = topology->release();
  }
  static void TearDownTestSuite() {
    delete topology_;
    topology_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(topology_, nullptr);
    ASSERT_EQ(access(kScamper, X_OK), 0) << "run tools/setup (setup.d/65-traceroute-caller.sh)";
    ASSERT_EQ(access(kEtlCheck, X_OK), 0) << "run tools/setup (setup.d/20-etl-check.sh)";
    chmod(dir_.c_str(), 0755);
    auto annotator = testing::FakeAnnotator::Start(dir_ + "/a.sock");
    ASSERT_TRUE(annotator.ok()) << annotator.status();
    annotator_ = *std::move(annotator);
    events_ = std::make_unique<events::FlowEventServer>(&publisher_, dir_ + "/e.sock");
    ASSERT_TRUE(events_->Start().ok());
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    hostname_ = host;
    // Logs each scamper run around the real scamper.
    wrapper_ = dir_ + "/scamper-wrapper";
    std::ofstream(wrapper_) << "#!/bin/sh\neval last=\\${$#}\nip=${last##* }\n"
                            << "echo \"start $$ $(date +%s%N) $ip\" >> " << dir_ << "/runs\n"
                            << kScamper << " \"$@\"\nrc=$?\n"
                            << "echo \"end $$ $(date +%s%N) $ip\" >> " << dir_ << "/runs\n"
                            << "exit $rc\n";
    chmod(wrapper_.c_str(), 0755);
  }

  void TearDown() override {
    if (service_ != nullptr) {
      EXPECT_EQ(service_->Stop(), 0) << ReadFile(dir_ + "/service.log");
    }
    service_.reset();
    events_->Shutdown();
    annotator_.reset();
  }

  void StartService(std::vector<std::string> flags) {
    std::vector<std::string> all = {
        "-tcpinfo.eventsocket=" + dir_ + "/e.sock",
        "-annotator.socket=" + dir_ + "/a.sock",
        "-traceroute-output=" + dir_ + "/spool/scamper1",
        "-hopannotation-output=" + dir_ + "/spool/hopannotation2",
        "-scamper.bin=" + wrapper_,
        "-scamper.timeout=60s",
        "-IPCacheTimeout=10m",
        "-IPCacheUpdatePeriod=1s",
        "-prometheusx.listen-address=127.0.0.1:9992",
        "-metadata-dir=" + dir_ + "/no-metadata",
        "-sigterm-wait=5s",
    };
    all.insert(all.end(), flags.begin(), flags.end());
    service_ = std::make_unique<ServiceProcess>(topology_->server(), all, dir_ + "/service.log");
    ASSERT_GT(service_->pid(), 0);
    ASSERT_TRUE(
        Eventually([&] { return publisher_.stats().subscribers_current == 1; }, absl::Seconds(30)))
        << ReadFile(dir_ + "/service.log");
  }

  // A real TCP connection client → server:8080 and its Open/Close events, labelled with the
  // server socket's cookie as tcp-info would. Returns the UUID.
  std::string RealFlow(const std::string& client_ip, const std::string& server_ip) {
    bool v6 = client_ip.find(':') != std::string::npos;
    int family = v6 ? AF_INET6 : AF_INET;
    auto address = [&](const std::string& ip, int port) {
      sockaddr_storage ss{};
      if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr);
      } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, ip.c_str(), &a->sin_addr);
      }
      return ss;
    };
    socklen_t len = v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    int listener = -1, client = -1;
    EXPECT_TRUE(TestNetwork::RunIn(topology_->server(), [&] {
                  listener = socket(family, SOCK_STREAM, 0);
                  int one = 1;
                  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
                  sockaddr_storage at = address(server_ip, 8080);
                  EXPECT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&at), len), 0);
                  EXPECT_EQ(listen(listener, 4), 0);
                }).ok());
    EXPECT_TRUE(TestNetwork::RunIn(topology_->client(), [&] {
                  client = socket(family, SOCK_STREAM, 0);
                  sockaddr_storage from = address(client_ip, 0);
                  EXPECT_EQ(bind(client, reinterpret_cast<sockaddr*>(&from), len), 0);
                  sockaddr_storage to = address(server_ip, 8080);
                  EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&to), len), 0);
                }).ok());
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof(peer);
    int conn = accept(listener, reinterpret_cast<sockaddr*>(&peer), &peer_len);
    EXPECT_GE(conn, 0);
    auto cookie = uuid::CookieOf(conn);
    EXPECT_TRUE(cookie.ok());
    std::string id = uuid::FromCookie("trctest_1", *cookie);
    events::SocketID sock;
    sock.set_src_ip(server_ip);
    sock.set_src_port(8080);
    sock.set_dst_ip(client_ip);
    sock.set_dst_port(ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&peer)->sin6_port
                               : reinterpret_cast<sockaddr_in*>(&peer)->sin_port));
    sock.set_cookie(*cookie);
    publisher_.PublishOpen(absl::Now(), id, sock);
    EXPECT_EQ(write(client, "hello", 5), 5);
    close(client);
    close(conn);
    close(listener);
    publisher_.PublishClose(absl::Now(), id, sock);
    return id;
  }

  std::string WaitForTrace(const std::string& uuid) {
    std::string path;
    Eventually([&] {
      path = FindFile(dir_ + "/spool/scamper1", "_" + uuid + ".jsonl");
      if (path.empty()) path = FindFile(dir_ + "/spool/scamper1", "_" + uuid + ".json");
      return !path.empty();
    });
    return path;
  }

  // A metric sample from the service's /metrics (inside its namespace), or -1.
  double Metric(const std::string& sample) {
    auto [rc, page] = RunCommand("ip netns exec " + topology_->server() +
                                 " curl -s http://127.0.0.1:9992/metrics");
    for (const std::string& line : Lines(page)) {
      if (absl::StartsWith(line, sample + " ")) {
        double v = -1;
        if (absl::SimpleAtod(line.substr(sample.size() + 1), &v)) return v;
      }
    }
    return -1;
  }

  std::string EtlCheck(const std::string& type, const std::string& file, int* rc) {
    auto [status, out] = RunCommand(absl::StrCat(kEtlCheck, " -type=", type, " '", file, "'"));
    *rc = status;
    return out;
  }

  static Topology* topology_;
  ::mlab::testing::ShortTempDir tmp_;
  std::string dir_ = tmp_.path();
  std::string hostname_;
  std::string wrapper_;
  std::unique_ptr<testing::FakeAnnotator> annotator_;
  events::FlowEventPublisher publisher_;
  std::unique_ptr<events::FlowEventServer> events_;
  std::unique_ptr<ServiceProcess> service_;
};

Topology* TracerouteCallerNetnsTest::topology_ = nullptr;

TEST_F(TracerouteCallerNetnsTest, MdaTraceFindsBothRoutersAndSecondFlowIsCached) {
  // Old and new flag spellings mixed, as manifests of both versions pass them.
  StartService({"-scamper.tracelb-W=15", "-scamper.ptr=false"});
  std::string a = RealFlow(kClientV4, kServerV4);
  std::string path_a = WaitForTrace(a);
  ASSERT_FALSE(path_a.empty()) << ReadFile(dir_ + "/service.log");
  std::string file_a = ReadFile(path_a);

  // Exactly 4 '\n'-terminated lines, as the reference describes.
  std::vector<std::string> lines = absl::StrSplit(file_a, '\n');
  ASSERT_EQ(lines.size(), 5u) << file_a;
  EXPECT_EQ(lines[4], "");
  EXPECT_EQ(lines[0], absl::StrCat("{\"UUID\":\"", a,
                                   "\",\"TracerouteCallerVersion\":\"v0.12.0-cpp\","
                                   "\"CachedResult\":false,\"CachedUUID\":\"\"}"));
  EXPECT_THAT(lines[1],
              HasSubstr(absl::StrCat("{\"type\":\"cycle-start\",\"list_name\":\"default\","
                                     "\"id\":0,\"hostname\":\"",
                                     hostname_, "\",\"start_time\":")));
  EXPECT_THAT(lines[2], HasSubstr("{\"type\":\"tracelb\",\"version\":\"0.1\",\"userid\":0,"
                                  "\"method\":\"icmp-echo\",\"src\":\"203.0.113.2\","
                                  "\"dst\":\"192.0.2.2\",\"start\":{\"sec\":"));
  EXPECT_THAT(lines[2], HasSubstr("\"gaplint\":0,"));
  EXPECT_THAT(lines[2], HasSubstr("\"wait_probe\":150,"));  // -scamper.tracelb-W=15
  EXPECT_THAT(lines[2], Not(HasSubstr("gaplimit")));
  EXPECT_THAT(lines[2], Not(HasSubstr("ftime")));
  EXPECT_THAT(lines[2], Not(HasSubstr(" ")));
  // Both routers answered, and the last one links to the client.
  EXPECT_THAT(lines[2], HasSubstr("{\"addr\":\"203.0.113.1\",\"name\":\"\",\"q_ttl\":1"));
  EXPECT_THAT(lines[2], HasSubstr("{\"addr\":\"198.51.100.1\",\"name\":\"\",\"q_ttl\":1"));
  EXPECT_THAT(lines[2], HasSubstr("[{\"addr\":\"192.0.2.2\",\"probes\":[{"));
  EXPECT_THAT(lines[3], HasSubstr("{\"type\":\"cycle-stop\",\"list_name\":\"default\",\"id\":0,"));
  rapidjson::Document start;
  start.Parse(lines[1].c_str());
  ASSERT_TRUE(start.IsObject() && start.HasMember("start_time"));
  absl::Time t0 = absl::FromUnixSeconds(start["start_time"].GetInt64());
  std::string stamp = absl::FormatTime("%Y%m%dT%H%M%SZ", t0, absl::UTCTimeZone());
  EXPECT_EQ(path_a, absl::StrCat(dir_, "/spool/scamper1/",
                                 absl::FormatTime("%Y/%m/%d/", t0, absl::UTCTimeZone()), stamp, "_",
                                 a, ".jsonl"));
  struct stat st;
  ASSERT_EQ(stat(path_a.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644);

  int rc = 0;
  std::string etl = EtlCheck("scamper1", path_a, &rc);
  EXPECT_EQ(rc, 0) << etl;
  EXPECT_THAT(etl, HasSubstr("\"ok\":true"));
  EXPECT_THAT(etl, HasSubstr(absl::StrCat("\"id\":\"", a, "\"")));
  EXPECT_THAT(etl, HasSubstr("\"nodes\":2"));

  // Hop annotations: one file per hop, named and keyed as ETL joins them.
  std::string hops_root = dir_ + "/spool/hopannotation2";
  ASSERT_TRUE(Eventually([&] { return CountFiles(hops_root) == 3; })) << CountFiles(hops_root);
  for (const std::string hop : {"203.0.113.1", "198.51.100.1", "192.0.2.2"}) {
    std::string path =
        absl::StrCat(hops_root, "/", absl::FormatTime("%Y/%m/%d/", t0, absl::UTCTimeZone()), stamp,
                     "_", hostname_, "_", hop, ".json");
    std::string contents = ReadFile(path);
    ASSERT_FALSE(contents.empty()) << path;
    EXPECT_THAT(contents, HasSubstr(absl::StrCat(
                              "{\"ID\":\"", absl::FormatTime("%Y%m%d", t0, absl::UTCTimeZone()),
                              "_", hostname_, "_", hop, "\",\"Timestamp\":\"",
                              absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t0, absl::UTCTimeZone()),
                              "\",\"Annotations\":{\"Geo\":{\"ContinentCode\":\"EU\"")));
    EXPECT_NE(contents.back(), '\n');
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0444);
    std::string check = EtlCheck("hopannotation2", path, &rc);
    EXPECT_EQ(rc, 0) << check;
    EXPECT_THAT(check, HasSubstr("\"ASNumber\""));
  }

  // A second flow from the same client within the cache timeout: cached, correctly marked.
  EXPECT_EQ(Metric("traces_performed_total{type=\"scamper\"}"), 1);
  std::string b = RealFlow(kClientV4, kServerV4);
  std::string path_b = WaitForTrace(b);
  ASSERT_FALSE(path_b.empty());
  std::string file_b = ReadFile(path_b);
  EXPECT_EQ(file_b.substr(0, file_b.find('\n')),
            absl::StrCat("{\"UUID\":\"", b,
                         "\",\"TracerouteCallerVersion\":\"v0.12.0-cpp\",\"CachedResult\":true,"
                         "\"CachedUUID\":\"",
                         a, "\"}"));
  EXPECT_EQ(file_b.substr(file_b.find('\n')), file_a.substr(file_a.find('\n')));
  EXPECT_EQ(fs::path(path_b).parent_path(), fs::path(path_a).parent_path());
  EXPECT_TRUE(absl::StartsWith(fs::path(path_b).filename().string(), stamp + "_"));
  EXPECT_EQ(Metric("traces_performed_total{type=\"scamper\"}"), 1);
  EXPECT_EQ(Metric("traces_cached_total{type=\"scamper\"}"), 1);
  std::string check_b = EtlCheck("scamper1", path_b, &rc);
  EXPECT_EQ(rc, 0) << check_b;
  EXPECT_THAT(check_b, HasSubstr("\"CachedResult\":true"));
  EXPECT_EQ(Lines(ReadFile(dir_ + "/runs")).size(), 2u);  // One scamper run: start and end.
  EXPECT_EQ(annotator_->requests().size(), 1u);
}

TEST_F(TracerouteCallerNetnsTest, Ipv6MdaTrace) {
  StartService({"-scamper.waitprobe=15", "-scamper.tracelb-ptr=false"});
  std::string c = RealFlow(kClientV6, kServerV6);
  std::string path = WaitForTrace(c);
  ASSERT_FALSE(path.empty()) << ReadFile(dir_ + "/service.log");
  std::string file = ReadFile(path);
  EXPECT_THAT(file, HasSubstr("\"src\":\"2001:db8:3::2\",\"dst\":\"2001:db8:1::2\""));
  EXPECT_THAT(file, HasSubstr("{\"addr\":\"2001:db8:3::1\",\"name\":\"\",\"q_ttl\":1"));
  EXPECT_THAT(file, HasSubstr("{\"addr\":\"2001:db8:2::1\",\"name\":\"\",\"q_ttl\":1"));
  EXPECT_THAT(file, HasSubstr("\"probe_size\":60,"));
  int rc = 0;
  std::string etl = EtlCheck("scamper1", path, &rc);
  EXPECT_EQ(rc, 0) << etl;
  std::string hops_root = dir_ + "/spool/hopannotation2";
  ASSERT_TRUE(Eventually([&] { return CountFiles(hops_root) == 3; }));
  std::string hop = FindFile(hops_root, "_" + hostname_ + "_2001:db8:2::1.json");
  ASSERT_FALSE(hop.empty());
  std::string check = EtlCheck("hopannotation2", hop, &rc);
  EXPECT_EQ(rc, 0) << check;
  EXPECT_THAT(check, HasSubstr(absl::StrCat("_", hostname_, "_2001:db8:2::1\"")));
}

TEST_F(TracerouteCallerNetnsTest, RegularTraceAsJsonWithNetblockAnonymization) {
  StartService({"-scamper.trace-type=regular", "-output.format=json", "-scamper.waitprobe=15",
                "-scamper.ptr=false", "-anonymize.ip=netblock"});
  std::string d = RealFlow(kClientV4, kServerV4);
  std::string path = WaitForTrace(d);
  ASSERT_FALSE(path.empty()) << ReadFile(dir_ + "/service.log");
  EXPECT_TRUE(absl::EndsWith(path, "_" + d + ".json"));
  std::string file = ReadFile(path);
  // One object and a newline: {"Metadata":…,"CycleStart":…,"Trace":…,"CycleStop":…}
  ASSERT_EQ(std::count(file.begin(), file.end(), '\n'), 1);
  EXPECT_TRUE(absl::StartsWith(file, absl::StrCat("{\"Metadata\":{\"UUID\":\"", d, "\"")));
  EXPECT_THAT(file, HasSubstr(",\"CycleStart\":{\"type\":\"cycle-start\""));
  EXPECT_THAT(file, HasSubstr(",\"Trace\":{\"type\":\"trace\",\"version\":\"0.1\",\"userid\":0,"
                              "\"method\":\"udp-paris\",\"src\":\"203.0.113.2\","
                              "\"dst\":\"192.0.2.0\",\"icmp_sum\":0,"));
  EXPECT_THAT(file, HasSubstr("\"stop_reason\":\"COMPLETED\""));
  EXPECT_THAT(file, HasSubstr("{\"addr\":\"203.0.113.1\",\"name\":\"\",\"probe_ttl\":1,"));
  EXPECT_THAT(file, HasSubstr("{\"addr\":\"198.51.100.1\",\"name\":\"\",\"probe_ttl\":2,"));
  EXPECT_THAT(file, HasSubstr("{\"addr\":\"192.0.2.0\",\"name\":\"\",\"probe_ttl\":3,"));
  EXPECT_THAT(file, Not(HasSubstr("192.0.2.2")));  // The client's address never reaches disk.
  EXPECT_THAT(file, HasSubstr(",\"CycleStop\":{\"type\":\"cycle-stop\""));
  // The anonymized client is what gets annotated (as upstream: hops after anonymization).
  std::string hops_root = dir_ + "/spool/hopannotation2";
  ASSERT_TRUE(Eventually([&] { return CountFiles(hops_root) == 3; }));
  EXPECT_FALSE(FindFile(hops_root, "_192.0.2.0.json").empty());
}

TEST_F(TracerouteCallerNetnsTest, RealScamperKilledAtTimeoutLeavesNothingBehind) {
  // Nothing answers at 192.0.2.250: router1's ARP fails, so the trace outlives a 1 s timeout.
  StartService({"-scamper.waitprobe=15", "-scamper.ptr=false", "-scamper.timeout=1s"});
  auto logged = [&](const std::string& uuid) {
    return absl::StrContains(ReadFile(dir_ + "/service.log"), "trace uuid=" + uuid + " ");
  };
  events::SocketID sock;
  sock.set_src_ip(kServerV4);
  sock.set_dst_ip("192.0.2.250");
  publisher_.PublishOpen(absl::Now(), "trcslow_0000000000000001", sock);
  publisher_.PublishClose(absl::Now(), "trcslow_0000000000000001", sock);
  ASSERT_TRUE(Eventually([&] { return logged("trcslow_0000000000000001"); }))
      << ReadFile(dir_ + "/service.log");
  EXPECT_THAT(ReadFile(dir_ + "/service.log"), HasSubstr("timed out after 1"));
  EXPECT_EQ(Metric("traces_crashed_total{type=\"scamper\"}"), 1);
  EXPECT_EQ(Metric("trace_time_seconds_count{outcome=\"error\"}"), 1);
  EXPECT_TRUE(service_->ZombieChildren().empty());
  EXPECT_EQ(RunCommand("pgrep -f '^" + std::string(kScamper) + " -o- -O json'").second, "");
  // The wrapper was killed with scamper: it never logged an end.
  EXPECT_EQ(Lines(ReadFile(dir_ + "/runs")).size(), 1u);
  // The failure is cached: a second flow to the same client runs nothing.
  publisher_.PublishOpen(absl::Now(), "trcslow_0000000000000002", sock);
  publisher_.PublishClose(absl::Now(), "trcslow_0000000000000002", sock);
  ASSERT_TRUE(Eventually([&] { return logged("trcslow_0000000000000002"); }));
  EXPECT_EQ(Metric("traces_skipped_total{type=\"scamper\"}"), 1);
  EXPECT_EQ(Metric("traces_performed_total{type=\"scamper\"}"), 1);
  EXPECT_EQ(CountFiles(dir_ + "/spool/scamper1"), 0u);
}

TEST_F(TracerouteCallerNetnsTest, FiveHundredClosesForFiftyClientsWithinTenSeconds) {
  constexpr int kLimit = 8;
  StartService({"-scamper.waitprobe=15", "-scamper.ptr=false",
                absl::StrCat("-scamper.max-concurrent=", kLimit)});
  std::vector<std::string> uuids;
  absl::Time start = absl::Now();
  for (int i = 0; i < 500; ++i) {
    std::string id = absl::StrCat("trcload_", absl::Hex(0x1000 + i, absl::kZeroPad16));
    events::SocketID sock;
    sock.set_src_ip(kServerV4);
    sock.set_src_port(8080);
    sock.set_dst_ip(absl::StrCat("192.0.2.", 10 + i % 50));
    sock.set_dst_port(40000 + i);
    sock.set_cookie(0x1000 + i);
    publisher_.PublishOpen(absl::Now(), id, sock);
    publisher_.PublishClose(absl::Now(), id, sock);
    uuids.push_back(id);
    // Spread over about 5 s, as flows closing on a busy server.
    if (i % 50 == 49) absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_LT(absl::Now() - start, absl::Seconds(10));

  std::string root = dir_ + "/spool/scamper1";
  ASSERT_TRUE(Eventually([&] { return CountFiles(root) == 500; }, absl::Seconds(120)))
      << CountFiles(root) << "\n"
      << ReadFile(dir_ + "/service.log");
  // Every UUID got its own file; 50 fresh traces, the rest marked cached.
  int fresh = 0, cached = 0;
  for (const std::string& id : uuids) {
    std::string path = FindFile(root, "_" + id + ".jsonl");
    ASSERT_FALSE(path.empty()) << id;
    std::string first = ReadFile(path).substr(0, ReadFile(path).find('\n'));
    (absl::StrContains(first, "\"CachedResult\":true") ? cached : fresh)++;
  }
  EXPECT_EQ(fresh, 50);
  EXPECT_EQ(cached, 450);
  // One scamper run per address, never more at once than the limit.
  std::string runs = ReadFile(dir_ + "/runs");
  std::set<std::string> traced;
  int starts = 0;
  for (const std::string& line : Lines(runs)) {
    if (!absl::StartsWith(line, "start ")) continue;
    ++starts;
    traced.insert(line.substr(line.rfind(' ') + 1));
  }
  EXPECT_EQ(starts, 50);
  EXPECT_EQ(traced.size(), 50u);
  int overlap = MaxOverlap(runs);
  EXPECT_LE(overlap, kLimit);
  EXPECT_GE(overlap, 2);  // The load really was concurrent.
  EXPECT_EQ(Metric("traces_performed_total{type=\"scamper\"}"), 50);
  EXPECT_EQ(Metric("traces_in_progress{type=\"scamper\"}"), 0);
  EXPECT_EQ(Metric("traces_cached_total{type=\"scamper\"}"), 450);
  // No zombies, and no scamper left running anywhere.
  EXPECT_TRUE(service_->ZombieChildren().empty());
  EXPECT_EQ(RunCommand("pgrep -f '^" + std::string(kScamper) + " -o- -O json'").second, "");
  // The metrics page is valid Prometheus text (Debian's promtool).
  auto [promtool_rc, promtool_out] =
      RunCommand("ip netns exec " + topology_->server() +
                 " curl -s http://127.0.0.1:9992/metrics | promtool check metrics");
  EXPECT_EQ(promtool_rc, 0) << promtool_out;
  // ETL parses a sample of them.
  int rc = 0;
  for (int i : {0, 1, 49, 250, 499}) {
    std::string check = EtlCheck("scamper1", FindFile(root, "_" + uuids[i] + ".jsonl"), &rc);
    EXPECT_EQ(rc, 0) << check;
  }
}

}  // namespace
}  // namespace mlab::trc
