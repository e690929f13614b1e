// The uuid-annotator binary as deployed: flags, datasets from files, FlowEvents from a stand-in
// tcp-info (lib/events' publisher and server), SIGHUP reloads that lose no event, a corrupt
// dataset that keeps the last good copy, tcp-info restarting mid-run, SIGTERM.
#include <signal.h>
#include <sys/stat.h>

#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "lib/events/publisher.h"
#include "lib/events/server.h"
#include "services/uuid-annotator/http_client.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using testing::Gzip;
using testing::HttpGet;
using testing::ListFiles;
using testing::MetricValue;
using testing::ReadFileOrDie;
using testing::Subprocess;
using testing::TempDir;
using testing::TestData;
using testing::TestHttpServer;
using testing::WaitFor;
using testing::WriteFileOrDie;

std::string Uuid(int n) { return absl::StrFormat("ndt-svc_1700000000_%016X", n); }

// Loopback is a local address on every machine, so these flows have 127.0.0.1 as the server.
events::SocketID Id(int n, const std::string& client) {
  events::SocketID id;
  id.set_src_ip("127.0.0.1");
  id.set_dst_ip(client);
  id.set_src_port(443);
  id.set_dst_port(30000 + n);
  id.set_cookie(n);
  return id;
}

class UuidAnnotatorBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string fixtures = "uuid-annotator/testdata/";
    WriteFileOrDie(dir_.File("maxmind.tar.gz"), ReadFileOrDie(TestData(fixtures + "fake.tar.gz")));
    WriteFileOrDie(dir_.File("rv4.gz"),
                   ReadFileOrDie(TestData(fixtures + "RouteViewIPv4.tiny.gz")));
    WriteFileOrDie(dir_.File("rv6.gz"),
                   ReadFileOrDie(TestData(fixtures + "RouteViewIPv6.tiny.gz")));
    WriteFileOrDie(dir_.File("asnames.csv"),
                   ReadFileOrDie(TestData("uuid-annotator/data/asnames.ipinfo.csv")));
    WriteFileOrDie(dir_.File("annotations.json"),
                   ReadFileOrDie(TestData(fixtures + "annotations.json")));
    WriteFileOrDie(dir_.File("hostname"), ReadFileOrDie(TestData(fixtures + "hostname")));
    publisher_ = std::make_unique<events::FlowEventPublisher>();
    server_ = std::make_unique<events::FlowEventServer>(publisher_.get(), dir_.File("events.sock"));
    ASSERT_TRUE(server_->Start().ok());
  }

  void StartAnnotator() {
    const std::vector<std::string> argv = {
        "services/uuid-annotator/uuid-annotator",
        "-datadir=" + dir_.File("spool/annotation2"),
        "-hostname=@" + dir_.File("hostname"),
        "-maxmind.url=file://" + dir_.File("maxmind.tar.gz"),
        "-routeview-v4.url=file:" + dir_.File("rv4.gz"),
        "-routeview-v6.url=" + dir_.File("rv6.gz"),
        "-asname.url=file://" + dir_.File("asnames.csv"),
        "-siteinfo.url=file://" + dir_.File("annotations.json"),
        "-tcpinfo.eventsocket=" + dir_.File("events.sock"),
        "-ipservice.sock=" + dir_.File("ip.sock"),
        "-annotator.socket=" + dir_.File("grpc.sock"),
        "-prometheusx.listen-address=127.0.0.1:0",
    };
    process_ = std::make_unique<Subprocess>(argv, dir_.File("annotator.log"));
    ASSERT_TRUE(WaitFor([&] {
      return absl::StrContains(process_->log(), "uuid-annotator running") || !process_->running();
    })) << process_->log();
    ASSERT_TRUE(process_->running()) << process_->log();
    std::smatch match;
    const std::string log = process_->log();
    ASSERT_TRUE(std::regex_search(log, match, std::regex("\\(port ([0-9]+)\\)"))) << log;
    metrics_port_ = std::stoi(match[1]);
  }

  double Metric(const std::string& sample) {
    return MetricValue(HttpGet(metrics_port_, "/metrics"), sample);
  }

  std::string FileOf(int n) {
    return dir_.File(absl::StrCat("spool/annotation2/2023/11/14/", Uuid(n), ".json"));
  }

  bool Written(int n) { return access(FileOf(n).c_str(), F_OK) == 0; }

  size_t FileCount() { return ListFiles(dir_.File("spool/annotation2")).size(); }

  void Open(int n, const std::string& client) {
    publisher_->PublishOpen(kTime, Uuid(n), Id(n, client));
  }

  // Makes 1.0.0.0/24 originate from `asn` in a new RouteViews v4 file.
  void RewriteRouteViews(const std::string& asn) {
    WriteFileOrDie(dir_.File("rv4.gz"), Gzip(absl::StrCat("1.0.0.0\t24\t", asn, "\n")));
  }

  static constexpr int64_t kSeconds = 1700000000;  // 2023-11-14T22:13:20Z
  const absl::Time kTime = absl::FromUnixSeconds(kSeconds);
  TempDir dir_;
  std::unique_ptr<events::FlowEventPublisher> publisher_;
  std::unique_ptr<events::FlowEventServer> server_;
  std::unique_ptr<Subprocess> process_;
  int metrics_port_ = 0;
};

TEST_F(UuidAnnotatorBinaryTest, AnnotatesReloadsAndSurvivesRestarts) {
  StartAnnotator();
  Open(1, "1.0.0.1");
  ASSERT_TRUE(WaitFor([&] { return Written(1); })) << process_->log();
  EXPECT_EQ(ReadFileOrDie(FileOf(1)),
            absl::StrCat(
                R"({"UUID":")", Uuid(1), R"(","Timestamp":"2023-11-14T22:13:20Z",)",
                R"("Server":{"Site":"lga03","Machine":"mlab1","Geo":{"ContinentCode":"NA",)",
                R"("CountryCode":"US","City":"New York","Latitude":40.7667,"Longitude":-73.8667},)",
                R"("Network":{"CIDR":"64.86.148.128/26","ASNumber":6453,"ASName":"TATA )",
                R"(COMMUNICATIONS (AMERICA) INC","Systems":[{"ASNs":[6453]}]}},)",
                R"("Client":{"Geo":{"Missing":true},"Network":{"CIDR":"1.0.0.0/24",)",
                R"("ASNumber":13335,"ASName":"Cloudflare, Inc.","Systems":[{"ASNs":[13335]}]}}})"));

  // SIGHUP with a new RouteViews file: the next flow sees the new origin.
  RewriteRouteViews("64496");
  process_->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] {
    return Metric(
               R"(uuid_annotator_dataset_reloads_total{dataset="routeview-v4",result="loaded"})") ==
           2;
  })) << process_->log();
  Open(2, "1.0.0.1");
  ASSERT_TRUE(WaitFor([&] { return Written(2); }));
  EXPECT_TRUE(absl::StrContains(ReadFileOrDie(FileOf(2)), R"("ASNumber":64496,)"));

  // A corrupt file: reported, and the last good data stays in use.
  WriteFileOrDie(dir_.File("rv4.gz"), "this is not gzip");
  process_->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] {
    return Metric(R"(uuid_annotator_dataset_up{dataset="routeview-v4"})") == 0;
  })) << process_->log();
  Open(3, "1.0.0.1");
  ASSERT_TRUE(WaitFor([&] { return Written(3); }));
  EXPECT_TRUE(absl::StrContains(ReadFileOrDie(FileOf(3)), R"("ASNumber":64496,)"));
  EXPECT_EQ(Metric(R"(uuid_annotator_dataset_up{dataset="maxmind"})"), 1);

  // Reloads while events stream in lose nothing: 300 flows across 6 reloads of fresh data.
  for (int n = 100; n < 400; ++n) {
    if (n % 50 == 0) {
      RewriteRouteViews(std::to_string(64500 + n));
      process_->Signal(SIGHUP);
    }
    Open(n, "1.0.0.1");
  }
  ASSERT_TRUE(WaitFor([&] { return FileCount() == 303; })) << FileCount();
  EXPECT_EQ(Metric("uuid_annotator_annotations_written_total"), 303);
  EXPECT_EQ(Metric(R"(uuid_annotator_missed_uuids_total{reason="pipefull"})"), 0);
  EXPECT_EQ(Metric(R"(uuid_annotator_dataset_up{dataset="routeview-v4"})"), 1);

  // tcp-info dies and comes back: flows still open are replayed (not annotated again), flows
  // opened since are annotated.
  server_->Shutdown();
  server_.reset();
  publisher_ = std::make_unique<events::FlowEventPublisher>();
  Open(1, "1.0.0.1");
  Open(2, "1.0.0.1");
  Open(500, "223.252.176.1");
  server_ = std::make_unique<events::FlowEventServer>(publisher_.get(), dir_.File("events.sock"));
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return Written(500); })) << process_->log();
  Open(501, "2001:200::1");
  ASSERT_TRUE(WaitFor([&] { return Written(501); }));
  EXPECT_EQ(FileCount(), 305u);
  EXPECT_EQ(Metric("uuid_annotator_already_annotated_total"), 0);
  EXPECT_EQ(Metric(R"(uuid_annotator_missed_uuids_total{reason="writefail"})"), 0);

  // The metrics page passes Prometheus' own linter.
  WriteFileOrDie(dir_.File("metrics.txt"), HttpGet(metrics_port_, "/metrics"));
  EXPECT_EQ(system(absl::StrCat("promtool check metrics < ", dir_.File("metrics.txt"), " > ",
                                dir_.File("promtool.txt"), " 2>&1")
                       .c_str()),
            0)
      << ReadFileOrDie(dir_.File("promtool.txt"));

  process_->Signal(SIGTERM);
  const int status = process_->Wait(absl::Seconds(20));
  ASSERT_TRUE(WIFEXITED(status)) << status << process_->log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(access(dir_.File("ip.sock").c_str(), F_OK), 0);
}

// The datasets as M-Lab's manifests name them, from GCS: fake-gcs-server (a test peer of the
// suite, installed by tools/setup) stands in for storage.googleapis.com through
// $STORAGE_EMULATOR_HOST, as it does for Google's client libraries.
TEST_F(UuidAnnotatorBinaryTest, ReadsGsUrlsAndReloadsChangedObjects) {
  const char* peers = getenv("MLAB_PEERS");
  const std::string fake_gcs =
      absl::StrCat(peers != nullptr ? peers : "/usr/local/lib/mlab-peers", "/bin/fake-gcs-server");
  if (access(fake_gcs.c_str(), X_OK) != 0) GTEST_SKIP() << fake_gcs << " not installed";
  const std::string bucket = dir_.File("gcs/downloader-mlab-sandbox");
  for (const char* d : {"", "/Maxmind", "/Maxmind/current", "/RouteViewIPv4",
                        "/RouteViewIPv4/current", "/RouteViewIPv6", "/RouteViewIPv6/current"}) {
    mkdir((dir_.File("gcs") + (*d ? "/downloader-mlab-sandbox" + std::string(d) : "")).c_str(),
          0755);
    mkdir((bucket + d).c_str(), 0755);
  }
  WriteFileOrDie(bucket + "/Maxmind/current/GeoLite2-City.tar.gz",
                 ReadFileOrDie(dir_.File("maxmind.tar.gz")));
  WriteFileOrDie(bucket + "/RouteViewIPv4/current/routeview.pfx2as.gz",
                 ReadFileOrDie(dir_.File("rv4.gz")));
  WriteFileOrDie(bucket + "/RouteViewIPv6/current/routeview.pfx2as.gz",
                 ReadFileOrDie(dir_.File("rv6.gz")));
  // A free port for the emulator.
  int port = 0;
  {
    TestHttpServer probe([](const std::string&) { return std::string(); });
    port = probe.port();
  }
  Subprocess gcs({fake_gcs, "-scheme", "http", "-host", "127.0.0.1", "-port", std::to_string(port),
                  "-backend", "memory", "-data", dir_.File("gcs")},
                 dir_.File("gcs.log"));
  ASSERT_TRUE(WaitFor([&] { return !HttpGet(port, "/storage/v1/b").empty(); })) << gcs.log();

  setenv("STORAGE_EMULATOR_HOST", absl::StrCat("127.0.0.1:", port).c_str(), 1);
  const std::string gs = "gs://downloader-mlab-sandbox/";
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{
          "services/uuid-annotator/uuid-annotator", "-datadir=" + dir_.File("spool/annotation2"),
          "-hostname=@" + dir_.File("hostname"),
          "-maxmind.url=" + gs + "Maxmind/current/GeoLite2-City.tar.gz",
          "-routeview-v4.url=" + gs + "RouteViewIPv4/current/routeview.pfx2as.gz",
          "-routeview-v6.url=" + gs + "RouteViewIPv6/current/routeview.pfx2as.gz",
          "-asname.url=file://" + dir_.File("asnames.csv"),
          "-siteinfo.url=file://" + dir_.File("annotations.json"),
          "-ipservice.sock=" + dir_.File("ip.sock"),
          "-annotator.socket=", "-prometheusx.listen-address=127.0.0.1:0"},
      dir_.File("annotator.log"));
  unsetenv("STORAGE_EMULATOR_HOST");
  ASSERT_TRUE(WaitFor([&] {
    return absl::StrContains(process_->log(), "uuid-annotator running") || !process_->running();
  })) << process_->log();
  ASSERT_TRUE(process_->running()) << process_->log();
  std::smatch match;
  const std::string log = process_->log();
  ASSERT_TRUE(std::regex_search(log, match, std::regex("\\(port ([0-9]+)\\)")));
  metrics_port_ = std::stoi(match[1]);
  auto ask = [&](const std::string& ip) {
    FILE* pipe = popen(absl::StrCat("curl -s --unix-socket ", dir_.File("ip.sock"),
                                    " 'http://unix/v1/annotate/ips?ip=", ip, "'")
                           .c_str(),
                       "r");
    std::string out;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof(buf), pipe)) out.append(buf, n);
    pclose(pipe);
    return out;
  };
  EXPECT_TRUE(absl::StrContains(ask("1.0.0.1"), R"("ASNumber":13335,)"));
  EXPECT_TRUE(absl::StrContains(ask("81.2.69.142"), R"("City":"London")"));
  const std::string page = HttpGet(metrics_port_, "/metrics");
  EXPECT_NE(page.find("uuid_annotator_gcs_hash_loaded{md5=\""), std::string::npos) << page;

  // A new object in the bucket: the reload downloads it (and only it: the others are unchanged).
  const std::string rv4 = Gzip("1.0.0.0\t24\t64511\n");
  HttpRequest upload;
  upload.url = absl::StrCat("http://127.0.0.1:", port,
                            "/upload/storage/v1/b/downloader-mlab-sandbox/o?uploadType=media&name=",
                            "RouteViewIPv4%2Fcurrent%2Frouteview.pfx2as.gz");
  upload.post = true;
  upload.body = rv4;
  upload.headers.push_back("Content-Type: application/octet-stream");
  absl::StatusOr<HttpResponse> uploaded = HttpFetch(upload);
  ASSERT_TRUE(uploaded.ok() && uploaded->status == 200) << uploaded.status();
  process_->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] {
    return Metric(
               R"(uuid_annotator_dataset_reloads_total{dataset="routeview-v4",result="loaded"})") ==
           2;
  })) << process_->log();
  EXPECT_EQ(Metric(R"(uuid_annotator_dataset_reloads_total{dataset="maxmind",result="unchanged"})"),
            1);
  EXPECT_TRUE(absl::StrContains(ask("1.0.0.1"), R"("ASNumber":64511,)"));
}

TEST_F(UuidAnnotatorBinaryTest, BadInitialDatasetIsFatal) {
  WriteFileOrDie(dir_.File("annotations.json"),
                 ReadFileOrDie(TestData("uuid-annotator/testdata/corrupt-annotations.json")));
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{"services/uuid-annotator/uuid-annotator",
                               "-datadir=" + dir_.File("spool/annotation2"),
                               "-hostname=@" + dir_.File("hostname"),
                               "-siteinfo.url=file://" + dir_.File("annotations.json"),
                               "-annotator.socket=", "-prometheusx.listen-address=127.0.0.1:0"},
      dir_.File("annotator.log"));
  const int status = process_->Wait(absl::Seconds(20));
  ASSERT_NE(status, -1);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(absl::StrContains(process_->log(), "siteinfo")) << process_->log();
}

TEST_F(UuidAnnotatorBinaryTest, EnvironmentSetsFlagsAndHelpListsThem) {
  Subprocess help({"services/uuid-annotator/uuid-annotator", "-help"}, dir_.File("help.log"));
  ASSERT_EQ(help.Wait(absl::Seconds(20)), 0);
  for (const char* flag :
       {"-datadir", "-hostname", "-maxmind.url", "-routeview-v4.url", "-routeview-v6.url",
        "-asname.url", "-siteinfo.url", "-eventbuffersize", "-reloadmin", "-reloadtime",
        "-reloadmax", "-tcpinfo.eventsocket", "-ipservice.sock", "-annotator.socket",
        "-prometheusx.listen-address", "-logx.debug"}) {
    EXPECT_TRUE(absl::StrContains(help.log(), flag)) << flag;
  }
  // Flags fall back to the environment: RELOADMIN above the 5h -reloadtime is refused.
  setenv("RELOADMIN", "10h", 1);
  Subprocess env({"services/uuid-annotator/uuid-annotator", "-annotator.socket=",
                  "-datadir=" + dir_.File("d"), "-prometheusx.listen-address=127.0.0.1:0"},
                 dir_.File("env.log"));
  unsetenv("RELOADMIN");
  const int status = env.Wait(absl::Seconds(20));
  ASSERT_NE(status, -1);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(absl::StrContains(env.log(), "reloadmin <= reloadtime <= reloadmax, have 10h0m0s"))
      << env.log();
}

}  // namespace
}  // namespace mlab::uuid_annotator
