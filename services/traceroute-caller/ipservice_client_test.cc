// The HTTP ipservice client speaks upstream's protocol and turns its replies into the same
// hopannotation2 bytes as the gRPC path.
#include "services/traceroute-caller/ipservice_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/temp_dir.h"
#include "services/traceroute-caller/hop_annotation.h"
#include "services/traceroute-caller/testing/fake_annotator.h"

namespace mlab::trc {
namespace {

using ::testing::HasSubstr;

// Serves one connection on a unix socket: reads the request, answers `reply` (unless empty, then
// it never answers and keeps the connection until destroyed).
class OneShotHttpServer {
 public:
  OneShotHttpServer(const std::string& path, std::string reply) : reply_(std::move(reply)) {
    listener_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(listener_, 1), 0);
    thread_ = std::thread([this] {
      int conn = accept(listener_, nullptr, nullptr);
      char buf[4096];
      while (request_.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(conn, buf, sizeof(buf));
        if (n <= 0) break;
        request_.append(buf, n);
      }
      if (!reply_.empty()) {
        EXPECT_EQ(write(conn, reply_.data(), reply_.size()), static_cast<ssize_t>(reply_.size()));
        close(conn);
      } else {
        conn_ = conn;
      }
    });
  }
  ~OneShotHttpServer() {
    thread_.join();
    if (conn_ >= 0) close(conn_);
    close(listener_);
  }
  const std::string& request() {
    thread_.join();
    thread_ = std::thread([] {});
    return request_;
  }

 private:
  int listener_ = -1;
  int conn_ = -1;
  std::string reply_;
  std::string request_;
  std::thread thread_;
};

std::string Chunked(const std::string& body) {
  return absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
                      "Transfer-Encoding: chunked\r\n\r\n", absl::Hex(10), "\r\n",
                      body.substr(0, 10), "\r\n", absl::Hex(body.size() - 10), "\r\n",
                      body.substr(10), "\r\n0\r\n\r\n");
}

class IpServiceClientTest : public ::testing::Test {
 protected:
  ::mlab::testing::ShortTempDir tmp_;
  std::string dir_ = tmp_.path();
};

TEST_F(IpServiceClientTest, SendsUpstreamsRequestAndParsesTheReply) {
  // ua:ipservice_test.go's answer for addresses it knows nothing about.
  std::string body =
      "{\"198.51.100.1\":{\"Network\":{\"Missing\":true},\"Geo\":{\"Missing\":true}},"
      "\"2001:db8::1\":{\"Network\":{\"CIDR\":\"2001:db8::/32\",\"ASNumber\":64496,"
      "\"Systems\":[{\"ASNs\":[64496,64497]}]}}}";
  OneShotHttpServer server(dir_ + "/ip.sock", Chunked(body));
  IpServiceClient client(dir_ + "/ip.sock", absl::Seconds(10));
  auto annotations = client.Annotate({"198.51.100.1", "2001:db8::1"});
  ASSERT_TRUE(annotations.ok()) << annotations.status();
  EXPECT_THAT(server.request(),
              ::testing::StartsWith("GET /v1/annotate/ips?ip=198.51.100.1&ip=2001%3Adb8%3A%3A1 "
                                    "HTTP/1.1\r\nHost: unix\r\n"));
  ASSERT_EQ(annotations->size(), 2u);
  const auto& v4 = annotations->at("198.51.100.1");
  ASSERT_TRUE(v4.geo.has_value() && v4.network.has_value());
  EXPECT_TRUE(v4.geo->missing);
  EXPECT_TRUE(v4.network->missing);
  const auto& v6 = annotations->at("2001:db8::1");
  EXPECT_FALSE(v6.geo.has_value());
  ASSERT_TRUE(v6.network.has_value());
  EXPECT_EQ(v6.network->as_number, 64496u);
  ASSERT_EQ(v6.network->systems.size(), 1u);
  EXPECT_THAT(v6.network->systems[0].asns, ::testing::ElementsAre(64496u, 64497u));
}

TEST_F(IpServiceClientTest, EtlSampleRoundTripsThroughTheHttpPath) {
  std::ifstream in(
      "external/shared_testdata/etl/parser/testdata/HopAnnotation2/"
      "20210818T174432Z_1e0b318cf3c2_91.189.88.152.json");
  std::stringstream s;
  s << in.rdbuf();
  std::string sample = s.str();
  size_t at = sample.find("\"Annotations\":") + std::strlen("\"Annotations\":");
  std::string annotations_json = sample.substr(at, sample.size() - at - 1);
  auto parsed = ParseIpServiceReply("{\"91.189.88.152\":" + annotations_json + "}");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  absl::Time start = absl::FromUnixSeconds(1629308672);
  EXPECT_EQ(
      HopAnnotationJson("20210818_1e0b318cf3c2_91.189.88.152", start, &parsed->at("91.189.88.152")),
      sample);
}

// Go writes an empty ASNs slice as [] and a nil one as null; the hop file keeps what the service
// said, which a round trip through the gRPC message could not.
TEST_F(IpServiceClientTest, EmptyAndNullAsnListsKeepTheirForm) {
  for (const std::string value : {"{\"Network\":{\"Systems\":[{\"ASNs\":[]}]}}",
                                  "{\"Network\":{\"Systems\":[{\"ASNs\":null}]}}"}) {
    auto parsed = ParseIpServiceReply("{\"192.0.2.1\":" + value + "}");
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(
        HopAnnotationJson("x", absl::FromUnixSeconds(0), &parsed->at("192.0.2.1")),
        "{\"ID\":\"x\",\"Timestamp\":\"1970-01-01T00:00:00Z\",\"Annotations\":" + value + "}");
  }
}

TEST_F(IpServiceClientTest, ErrorsAreReportedNotHung) {
  {
    OneShotHttpServer server(dir_ + "/bad.sock", "HTTP/1.1 400 Bad Request\r\n\r\n");
    IpServiceClient client(dir_ + "/bad.sock", absl::Seconds(10));
    EXPECT_FALSE(client.Annotate({"x"}).ok());
  }
  {
    IpServiceClient client(dir_ + "/nobody.sock", absl::Seconds(10));
    EXPECT_FALSE(client.Annotate({"198.51.100.1"}).ok());
  }
  {
    OneShotHttpServer server(dir_ + "/mute.sock", "");
    IpServiceClient client(dir_ + "/mute.sock", absl::Milliseconds(300));
    absl::Time start = absl::Now();
    auto result = client.Annotate({"198.51.100.1"});
    EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  }
}

TEST(HttpResponseBodyTest, LengthAndPlainBodies) {
  EXPECT_EQ(*HttpResponseBody("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}xx"), "{}");
  EXPECT_EQ(*HttpResponseBody("HTTP/1.1 200 OK\r\n\r\n{}"), "{}");
  EXPECT_FALSE(HttpResponseBody("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}").ok());
  EXPECT_FALSE(HttpResponseBody("garbage").ok());
  EXPECT_FALSE(ParseIpServiceReply("[1]").ok());
  EXPECT_FALSE(ParseIpServiceReply("{\"a\":{\"Network\":{\"ASNumber\":-1}}}").ok());
}

}  // namespace
}  // namespace mlab::trc
