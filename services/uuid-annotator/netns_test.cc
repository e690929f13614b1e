// End to end on real flows: tcp-info and uuid-annotator run inside a server network namespace,
// a client namespace connects over veth (192.0.2.0/24, 2001:db8::/64), and the annotation of
// each flow carries the client geo from a City database built here with Debian's
// libmaxmind-db-writer-perl and the AS from a RouteViews file made for the test. Then tcp-info is
// killed and restarted mid-run: annotation resumes and each flow is annotated once.
// Needs root (network namespaces).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "services/uuid-annotator/test_util.h"
#include "tests/netns/test_network.h"

namespace mlab::uuid_annotator {
namespace {

using mlab::testing::TestNetwork;
using testing::Gzip;
using testing::HttpGet;
using testing::ListFiles;
using testing::MetricValue;
using testing::ReadFileOrDie;
using testing::Subprocess;
using testing::TempDir;
using testing::WaitFor;
using testing::WriteFileOrDie;

constexpr char kPrefix[] = "nstest_1700000000";
constexpr char kHost[] = "mlab1-tst01.mlab-sandbox.measurement-lab.org";
constexpr absl::Duration kTimeout = absl::Seconds(60);

constexpr char kSiteinfo[] = R"({
  "mlab1-tst01.mlab-sandbox.measurement-lab.org": {
    "Annotation": {"Site": "tst01", "Machine": "mlab1",
                   "Geo": {"ContinentCode": "NA", "CountryCode": "US", "City": "Test City",
                           "Latitude": 1.5, "Longitude": -2.25},
                   "Network": {"ASNumber": 64500, "ASName": "Test Hosting",
                               "Systems": [{"ASNs": [64500]}]}},
    "Network": {"IPv4": "192.0.2.0/24", "IPv6": "2001:db8::/64"},
    "Type": "physical"}})";

std::string ServerJson(const char* cidr) {
  return absl::StrCat(
      R"("Server":{"Site":"tst01","Machine":"mlab1","Geo":{"ContinentCode":"NA","CountryCode":"US",)",
      R"("City":"Test City","Latitude":1.5,"Longitude":-2.25},"Network":{"CIDR":")", cidr,
      R"(","ASNumber":64500,"ASName":"Test Hosting","Systems":[{"ASNs":[64500]}]}})");
}

const std::string kClientV4 =
    R"("Client":{"Geo":{"ContinentCode":"EU","CountryCode":"SE","CountryName":"Sweden",)"
    R"("Subdivision1ISOCode":"E","Subdivision1Name":"Östergötland County","City":"Linköping",)"
    R"("PostalCode":"582 22","Latitude":58.4167,"Longitude":15.6167,"AccuracyRadiusKm":7},)"
    R"("Network":{"CIDR":"192.0.2.0/24","ASNumber":64496,"ASName":"Documentation AS One",)"
    R"("Systems":[{"ASNs":[64496]}]}}})";

const std::string kClientV6 =
    R"("Client":{"Geo":{"ContinentCode":"NA","CountryCode":"US","CountryName":"United States",)"
    R"("Subdivision1ISOCode":"NY","Subdivision1Name":"New York","Subdivision2ISOCode":"K",)"
    R"("Subdivision2Name":"Kings \u0026 Queens","MetroCode":501,"City":"New York",)"
    R"("Latitude":40.7128,"Longitude":-74.006,"AccuracyRadiusKm":20},)"
    R"("Network":{"CIDR":"2001:db8::/32","ASNumber":64497,"ASName":"Documentation AS Two",)"
    R"("Systems":[{"ASNs":[64497]},{"ASNs":[64498,64499]}]}}})";

class NetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestNetwork>> network = TestNetwork::Create();
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = *std::move(network);

    // The test's own datasets: a City DB from the Perl writer, RouteViews, AS names, siteinfo.
    const std::string script = "services/uuid-annotator/testdata/make_city_db.pl";
    ASSERT_TRUE(
        mlab::testing::Shell(absl::StrCat("perl ", script, " ", dir_.File("city.mmdb"))).ok())
        << "libmaxmind-db-writer-perl missing? run tools/setup";
    ASSERT_TRUE(mlab::testing::Shell(absl::StrCat("tar -C ", dir_.path(), " -czf ",
                                                  dir_.File("maxmind.tar.gz"),
                                                  " --transform=s,^,GeoLite2-City_20231114/, "
                                                  "--transform=s,city.mmdb,GeoLite2-City.mmdb, "
                                                  "city.mmdb"))
                    .ok());
    WriteFileOrDie(dir_.File("rv4.gz"), Gzip("192.0.2.0\t24\t64496\n198.51.100.0\t24\t64501\n"));
    WriteFileOrDie(dir_.File("rv6.gz"), Gzip("2001:db8::\t32\t64497_64498,64499\n"));
    WriteFileOrDie(dir_.File("asnames.csv"),
                   "asn,name,country,registry\nAS64496,Documentation AS One,ZZ,test\n"
                   "AS64497,Documentation AS Two,ZZ,test\n");
    WriteFileOrDie(dir_.File("annotations.json"), kSiteinfo);
    WriteFileOrDie(dir_.File("hostname"), kHost);
    WriteFileOrDie(dir_.File("prefix"), kPrefix);
  }

  std::vector<std::string> InServer() const {
    return {"ip", "netns", "exec", network_->server_ns()};
  }

  void StartTcpInfo(const std::string& log) {
    std::vector<std::string> argv = InServer();
    for (const std::string& a :
         {std::string("services/tcp-info/tcp-info"), "-output=" + dir_.File("spool/tcpinfo"),
          "-tcpinfo.eventsocket=" + dir_.File("events.sock"),
          "-uuid-prefix-file=" + dir_.File("prefix"),
          std::string("-prometheusx.listen-address=127.0.0.1:0")}) {
      argv.push_back(a);
    }
    tcpinfo_ = std::make_unique<Subprocess>(argv, dir_.File(log));
    ASSERT_TRUE(
        WaitFor([&] { return access(dir_.File("events.sock").c_str(), F_OK) == 0; }, kTimeout))
        << tcpinfo_->log();
  }

  void StartAnnotator() {
    std::vector<std::string> argv = InServer();
    for (const std::string& a : {
             std::string("services/uuid-annotator/uuid-annotator"),
             "-datadir=" + dir_.File("spool/annotation2"),
             "-hostname=@" + dir_.File("hostname"),
             "-maxmind.url=file://" + dir_.File("maxmind.tar.gz"),
             "-routeview-v4.url=file://" + dir_.File("rv4.gz"),
             "-routeview-v6.url=file://" + dir_.File("rv6.gz"),
             "-asname.url=file://" + dir_.File("asnames.csv"),
             "-siteinfo.url=file://" + dir_.File("annotations.json"),
             "-tcpinfo.eventsocket=" + dir_.File("events.sock"),
             "-annotator.socket=" + dir_.File("grpc.sock"),
             std::string("-prometheusx.listen-address=127.0.0.1:0"),
         }) {
      argv.push_back(a);
    }
    annotator_ = std::make_unique<Subprocess>(argv, dir_.File("annotator.log"));
    ASSERT_TRUE(WaitFor(
        [&] {
          return absl::StrContains(annotator_->log(), "uuid-annotator running") ||
                 !annotator_->running();
        },
        kTimeout))
        << annotator_->log();
    ASSERT_TRUE(annotator_->running()) << annotator_->log();
    std::smatch match;
    const std::string log = annotator_->log();
    ASSERT_TRUE(std::regex_search(log, match, std::regex("\\(port ([0-9]+)\\)")));
    metrics_port_ = std::stoi(match[1]);
  }

  // The annotator's metrics page, fetched from inside the server namespace.
  double Metric(const std::string& sample) {
    std::string page;
    EXPECT_TRUE(TestNetwork::RunIn(network_->server_ns(), [&] {
                  page = HttpGet(metrics_port_, "/metrics");
                }).ok());
    return MetricValue(page, sample);
  }

  // A real TCP connection from the client namespace; returns the server-side socket's UUID.
  std::string Connect(int family) {
    int listener = -1;
    uint16_t port = 0;
    EXPECT_TRUE(TestNetwork::RunIn(network_->server_ns(), [&] {
                  listener = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
                  sockaddr_storage a = {};
                  socklen_t len = Address(family, 0, &a);
                  bind(listener, reinterpret_cast<sockaddr*>(&a), len);
                  listen(listener, 4);
                  getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
                  port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&a)->sin_port
                                                 : reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
                }).ok());
    int client = -1;
    EXPECT_TRUE(TestNetwork::RunIn(network_->client_ns(), [&] {
                  client = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
                  sockaddr_storage a = {};
                  socklen_t len = Address(family, port, &a);
                  EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&a), len), 0);
                }).ok());
    const int server = accept(listener, nullptr, nullptr);
    EXPECT_GE(server, 0);
    uint64_t cookie = 0;
    socklen_t len = sizeof(cookie);
    EXPECT_EQ(getsockopt(server, SOL_SOCKET, SO_COOKIE, &cookie, &len), 0);
    close(listener);
    fds_.push_back(client);
    fds_.push_back(server);
    return absl::StrFormat("%s_%016X", kPrefix, cookie);
  }

  static socklen_t Address(int family, uint16_t port, sockaddr_storage* out) {
    if (family == AF_INET) {
      auto* v4 = reinterpret_cast<sockaddr_in*>(out);
      v4->sin_family = AF_INET;
      v4->sin_port = htons(port);
      inet_pton(AF_INET, TestNetwork::kServerV4, &v4->sin_addr);
      return sizeof(*v4);
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    inet_pton(AF_INET6, TestNetwork::kServerV6, &v6->sin6_addr);
    return sizeof(*v6);
  }

  // The annotation file of `uuid`, once it exists.
  std::string WaitForAnnotation(const std::string& uuid) {
    std::string found;
    EXPECT_TRUE(WaitFor(
        [&] {
          for (const std::string& f : ListFiles(dir_.File("spool/annotation2"))) {
            if (absl::EndsWith(f, "/" + uuid + ".json")) found = f;
          }
          return !found.empty();
        },
        kTimeout))
        << uuid << "\n"
        << annotator_->log();
    return found.empty() ? "" : ReadFileOrDie(dir_.File("spool/annotation2/" + found));
  }

  void TearDown() override {
    for (int fd : fds_) close(fd);
  }

  TempDir dir_;
  std::unique_ptr<TestNetwork> network_;
  std::unique_ptr<Subprocess> tcpinfo_;
  std::unique_ptr<Subprocess> annotator_;
  int metrics_port_ = 0;
  std::vector<int> fds_;
};

TEST_F(NetnsTest, RealFlowsAreAnnotatedAndTcpInfoRestartsLoseNothing) {
  StartTcpInfo("tcpinfo1.log");
  StartAnnotator();

  const std::string v4 = Connect(AF_INET);
  const std::string a4 = WaitForAnnotation(v4);
  EXPECT_TRUE(absl::StartsWith(a4, absl::StrCat(R"({"UUID":")", v4, R"(","Timestamp":")"))) << a4;
  EXPECT_TRUE(absl::EndsWith(a4, ServerJson("192.0.2.0/24") + "," + kClientV4)) << a4;

  const std::string v6 = Connect(AF_INET6);
  const std::string a6 = WaitForAnnotation(v6);
  EXPECT_TRUE(absl::EndsWith(a6, ServerJson("2001:db8::/64") + "," + kClientV6)) << a6;

  // tcp-info dies with both flows still open; a flow opens while it is down; it comes back.
  tcpinfo_->Signal(SIGKILL);
  ASSERT_NE(tcpinfo_->Wait(kTimeout), -1);
  const std::string during = Connect(AF_INET);
  StartTcpInfo("tcpinfo2.log");
  const std::string after = Connect(AF_INET6);
  EXPECT_TRUE(absl::EndsWith(WaitForAnnotation(during), kClientV4));
  EXPECT_TRUE(absl::EndsWith(WaitForAnnotation(after), kClientV6));
  ASSERT_TRUE(
      WaitFor([&] { return Metric("uuid_annotator_annotations_written_total") >= 4; }, kTimeout));

  // Each flow once: the new tcp-info's replay of the first two flows wrote nothing new.
  EXPECT_EQ(ListFiles(dir_.File("spool/annotation2")).size(), 4u);
  EXPECT_EQ(Metric("uuid_annotator_annotations_written_total"), 4);
  EXPECT_EQ(Metric("uuid_annotator_already_annotated_total"), 0);
  EXPECT_EQ(Metric("uuid_annotator_unknown_direction_total"), 0);
  EXPECT_TRUE(annotator_->running());
  // The files are ones ETL's annotation2 parser accepts.
  const char* peers = getenv("MLAB_PEERS");
  const std::string check =
      absl::StrCat(peers != nullptr ? peers : "/usr/local/lib/mlab-peers", "/bin/etl-check");
  std::string command = absl::StrCat(check, " -strict -type=annotation2");
  for (const std::string& f : ListFiles(dir_.File("spool/annotation2"))) {
    absl::StrAppend(&command, " ", dir_.File("spool/annotation2/" + f));
  }
  EXPECT_TRUE(mlab::testing::Shell(command).ok()) << command;

  annotator_->Signal(SIGTERM);
  tcpinfo_->Signal(SIGTERM);
  EXPECT_NE(annotator_->Wait(kTimeout), -1);
  EXPECT_NE(tcpinfo_->Wait(kTimeout), -1);
}

}  // namespace
}  // namespace mlab::uuid_annotator
