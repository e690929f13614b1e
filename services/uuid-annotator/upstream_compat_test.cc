// Interop with upstream: M-Lab's Go uuid-annotator (v0.5.10, built by tools/setup) and ours run
// side by side on the same datasets and the same flows; every annotation file and every ipservice
// answer must be byte-for-byte identical. Upstream reads tcp-info's legacy JSON-lines event
// socket, which this test serves; ours subscribes to FlowEvents over gRPC.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"
#include "gtest/gtest.h"
#include "lib/events/publisher.h"
#include "lib/events/server.h"
#include "lib/json/go_encoding.h"
#include "services/uuid-annotator/archive_reader.h"
#include "services/uuid-annotator/ip_address.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using testing::ListFiles;
using testing::ReadFileOrDie;
using testing::Subprocess;
using testing::TempDir;
using testing::TestData;
using testing::WaitFor;

std::string UpstreamBinary() {
  const char* peers = getenv("MLAB_PEERS");
  return absl::StrCat(peers != nullptr ? peers : "/usr/local/lib/mlab-peers",
                      "/bin/uuid-annotator");
}

// Serves the legacy event socket to one client: accepts, then writes the lines it is given.
class JsonLinesEventServer {
 public:
  explicit JsonLinesEventServer(const std::string& path) {
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    CHECK_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    CHECK_EQ(listen(listen_fd_, 4), 0);
    acceptor_ = std::thread([this] { client_fd_ = accept(listen_fd_, nullptr, nullptr); });
  }
  ~JsonLinesEventServer() {
    shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    if (client_fd_ >= 0) close(client_fd_);
    close(listen_fd_);
  }
  bool WaitForClient() {
    return WaitFor([&] { return client_fd_.load() >= 0; }, absl::Seconds(60));
  }
  void Send(const std::string& line) {
    const std::string data = line + "\n";
    ASSERT_EQ(write(client_fd_, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  }

 private:
  int listen_fd_;
  std::atomic<int> client_fd_{-1};
  std::thread acceptor_;
};

// Client addresses that exercise every path: the reference's golden IPs, misses, MOAS and
// AS-set prefixes, and a sample of RouteViews prefixes (names with '&' and non-ASCII included).
std::vector<std::string> ClientAddresses() {
  std::vector<std::string> ips = {
      "2.125.160.216", "81.2.69.142",  "81.2.69.160",   "89.160.20.112", "175.16.199.3",
      "216.160.83.56", "67.43.156.1",  "202.196.224.1", "2a02:d280::1",  "2001:218::1",
      "2a02:ff80::1",  "1.0.0.1",      "127.0.0.1",     "::1",           "50.114.0.1",
      "2001:480::1",   "1.0.192.1",    "223.252.176.1", "2001:200::1",   "9.0.0.9",
      "2001:ff00::1",  "198.51.100.1", "10.1.2.3",      "fe80::1",       "::ffff:1.0.0.1"};
  const std::string dir = "uuid-annotator/testdata/";
  for (const char* file : {"RouteViewIPv4.pfx2as.gz", "RouteViewIPv6.pfx2as.gz"}) {
    absl::StatusOr<std::string> text = Gunzip(ReadFileOrDie(TestData(dir + file)));
    CHECK(text.ok());
    int row = 0;
    const bool v6 = absl::StrContains(file, "IPv6");
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      std::vector<std::string> f = absl::StrSplit(line, '\t');
      if (f.size() < 3) continue;
      const bool interesting = absl::StrContains(f[2], "_") || absl::StrContains(f[2], ",");
      if (++row % (v6 ? 400 : 2500) != 0 && !(interesting && row % 37 == 0)) continue;
      // An address inside the prefix: its base, plus one.
      std::optional<IpPrefix> prefix = ParseCidr(absl::StrCat(f[0], "/", f[1]));
      if (!prefix) continue;
      std::string base = prefix->network.ToString();
      ips.push_back(v6 ? base + (absl::EndsWith(base, "::") ? "1" : "") : base);
    }
  }
  return ips;
}

TEST(UpstreamCompatTest, FilesAndIpServiceAnswersMatchUpstreamByteForByte) {
  if (access(UpstreamBinary().c_str(), X_OK) != 0) {
    GTEST_SKIP() << UpstreamBinary() << " is not installed (tools/setup builds it)";
  }
  TempDir dir;
  const std::string t = "uuid-annotator/testdata/";
  const std::vector<std::string> common = {
      "-hostname=@" + TestData(t + "hostname"),
      "-maxmind.url=file:" + TestData(t + "fake.tar.gz"),
      "-routeview-v4.url=file:" + TestData(t + "RouteViewIPv4.pfx2as.gz"),
      "-routeview-v6.url=file:" + TestData(t + "RouteViewIPv6.pfx2as.gz"),
      "-asname.url=file:" + TestData("uuid-annotator/data/asnames.ipinfo.csv"),
      "-siteinfo.url=file:" + TestData(t + "annotations.json"),
      "-prometheusx.listen-address=127.0.0.1:0",
  };

  JsonLinesEventServer legacy(dir.File("legacy.sock"));
  std::vector<std::string> upstream_argv = {UpstreamBinary(), "-datadir=" + dir.File("upstream"),
                                            "-tcpinfo.eventsocket=" + dir.File("legacy.sock"),
                                            "-ipservice.sock=" + dir.File("upstream-ip.sock")};
  upstream_argv.insert(upstream_argv.end(), common.begin(), common.end());
  Subprocess upstream(upstream_argv, dir.File("upstream.log"));

  events::FlowEventPublisher publisher;
  events::FlowEventServer server(&publisher, dir.File("events.sock"));
  ASSERT_TRUE(server.Start().ok());
  std::vector<std::string> ours_argv = {
      "services/uuid-annotator/uuid-annotator", "-datadir=" + dir.File("ours"),
      "-tcpinfo.eventsocket=" + dir.File("events.sock"),
      "-ipservice.sock=" + dir.File("ours-ip.sock"), "-annotator.socket="};
  ours_argv.insert(ours_argv.end(), common.begin(), common.end());
  Subprocess ours(ours_argv, dir.File("ours.log"));

  ASSERT_TRUE(legacy.WaitForClient()) << upstream.log();
  ASSERT_TRUE(WaitFor([&] { return absl::StrContains(ours.log(), "uuid-annotator running"); },
                      absl::Seconds(60)))
      << ours.log();

  // The same flows to both: loopback is local on this machine for both annotators, so the
  // server end is 127.0.0.1 (site lga03) and the other end is the client.
  const std::vector<std::string> clients = ClientAddresses();
  const absl::Time base = absl::FromUnixNanos(1585872002663132563);
  for (size_t i = 0; i < clients.size(); ++i) {
    const std::string uuid = absl::StrFormat("ndt-compat_1585004303_%016X", i + 1);
    const absl::Time ts = base + absl::Nanoseconds(static_cast<int64_t>(i) * 1000100);
    // Half the flows with the server as source, half as destination.
    const bool server_is_src = i % 2 == 0;
    const std::string src = server_is_src ? "127.0.0.1" : clients[i];
    const std::string dst = server_is_src ? clients[i] : "127.0.0.1";
    std::string line =
        absl::StrCat(R"({"Event":0,"Timestamp":")", json::FormatGoTime(ts), R"(","UUID":")", uuid,
                     R"(","ID":{"SPort":443,"DPort":)", 40000 + i, R"(,"SrcIP":")", src,
                     R"(","DstIP":")", dst, R"(","Interface":0,"Cookie":)", i + 1, "}}");
    legacy.Send(line);
    events::SocketID id;
    id.set_src_ip(src);
    id.set_dst_ip(dst);
    id.set_src_port(443);
    id.set_dst_port(40000 + i);
    id.set_cookie(i + 1);
    publisher.PublishOpen(ts, uuid, id);
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        return ListFiles(dir.File("upstream")).size() == clients.size() &&
               ListFiles(dir.File("ours")).size() == clients.size();
      },
      absl::Seconds(60)))
      << ListFiles(dir.File("upstream")).size() << " " << ListFiles(dir.File("ours")).size();
  const std::vector<std::string> files = ListFiles(dir.File("upstream"));
  ASSERT_EQ(files, ListFiles(dir.File("ours")));
  int differences = 0;
  for (const std::string& file : files) {
    const std::string theirs = ReadFileOrDie(dir.File("upstream/" + file));
    const std::string mine = ReadFileOrDie(dir.File("ours/" + file));
    if (theirs != mine && ++differences <= 5) {
      ADD_FAILURE() << file << "\nupstream: " << theirs << "\nours:     " << mine;
    }
  }
  EXPECT_EQ(differences, 0) << "of " << files.size() << " files";
  LOG(INFO) << "compared " << files.size() << " annotation files with upstream's";
  // The check covered the interesting cases.
  std::string all;
  for (const std::string& file : files) all += ReadFileOrDie(dir.File("ours/" + file));
  EXPECT_TRUE(absl::StrContains(all, R"(\u0026)"));  // An AS name with '&'.
  EXPECT_TRUE(absl::StrContains(all, R"({"ASNs":[)"));
  EXPECT_TRUE(absl::StrContains(all, R"("Subdivision2Name":"West Berkshire")"));

  // ipservice: the same queries, batches of 50, answered identically (bodies and status).
  for (size_t start = 0; start < clients.size(); start += 50) {
    std::string query = "ip=bogus";
    for (size_t i = start; i < std::min(clients.size(), start + 50); ++i) {
      absl::StrAppend(&query, "&ip=", clients[i]);
    }
    auto get = [&](const std::string& socket) {
      const std::string cmd =
          absl::StrCat("curl -s --unix-socket ", socket,
                       " -w '\\n%{http_code}' 'http://unix/v1/annotate/ips?", query, "'");
      FILE* pipe = popen(cmd.c_str(), "r");
      std::string out;
      char buf[65536];
      while (size_t n = fread(buf, 1, sizeof(buf), pipe)) out.append(buf, n);
      pclose(pipe);
      return out;
    };
    const std::string theirs = get(dir.File("upstream-ip.sock"));
    const std::string mine = get(dir.File("ours-ip.sock"));
    EXPECT_TRUE(absl::EndsWith(mine, "\n200")) << mine.substr(0, 300);
    EXPECT_EQ(theirs, mine);
  }
  for (const char* query : {"ip=bogus", "", "ip="}) {
    auto status = [&](const std::string& socket) {
      const std::string cmd =
          absl::StrCat("curl -s --unix-socket ", socket,
                       " -w '[%{http_code}]' 'http://unix/v1/annotate/ips?", query, "'");
      FILE* pipe = popen(cmd.c_str(), "r");
      std::string out;
      char buf[4096];
      while (size_t n = fread(buf, 1, sizeof(buf), pipe)) out.append(buf, n);
      pclose(pipe);
      return out;
    };
    EXPECT_EQ(status(dir.File("upstream-ip.sock")), "[400]");
    EXPECT_EQ(status(dir.File("ours-ip.sock")), "[400]");
  }
  ours.Signal(SIGTERM);
  EXPECT_NE(ours.Wait(absl::Seconds(20)), -1);
}

}  // namespace
}  // namespace mlab::uuid_annotator
