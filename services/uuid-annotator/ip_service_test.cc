// Upstream's ipservice: HTTP over a unix socket, answers byte for byte as upstream's tests expect.
#include "services/uuid-annotator/ip_service.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/uuid-annotator/annotator_metrics.h"
#include "services/uuid-annotator/test_datasets.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

constexpr char kMissingBoth[] = R"({"Geo":{"Missing":true},"Network":{"Missing":true}})";
constexpr char kBoxford[] =
    R"({"Geo":{"ContinentCode":"EU","CountryCode":"GB","CountryName":"United Kingdom",)"
    R"("Subdivision1ISOCode":"ENG","Subdivision1Name":"England","Subdivision2ISOCode":"WBK",)"
    R"("Subdivision2Name":"West Berkshire","City":"Boxford","PostalCode":"OX1","Latitude":51.75,)"
    R"("Longitude":-1.25,"AccuracyRadiusKm":100},"Network":{"CIDR":"2.120.0.0/13",)"
    R"("ASNumber":5607,"ASName":"Sky UK Limited","Systems":[{"ASNs":[5607]}]}})";

int Connect(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  timeval timeout{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

// Reads one response (headers plus Content-Length bytes) from fd.
std::string ReadResponse(int fd) {
  std::string data;
  char buf[65536];
  while (true) {
    const size_t end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      const size_t cl = data.find("Content-Length: ");
      size_t length = cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
      if (data.size() >= end + 4 + length) return data.substr(0, end + 4 + length);
    }
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) return data;
    data.append(buf, n);
  }
}

std::string Body(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

class IpServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::FillStore(&store_);
    service_ = std::make_unique<IpService>(&store_, dir_.File("annotator.sock"));
    ASSERT_TRUE(service_->Start().ok());
  }

  std::string Get(const std::string& target, const std::string& method = "GET") {
    const int fd = Connect(dir_.File("annotator.sock"));
    EXPECT_GE(fd, 0);
    const std::string request = absl::StrCat(
        method, " ", target, " HTTP/1.1\r\nHost: unix\r\nUser-Agent: Go-http-client/1.1\r\n",
        "Accept-Encoding: gzip\r\n\r\n");
    EXPECT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    std::string response = ReadResponse(fd);
    close(fd);
    return response;
  }

  testing::TempDir dir_;
  DatasetStore store_;
  std::unique_ptr<IpService> service_;
};

TEST_F(IpServiceTest, UpstreamExamples) {
  const std::string response = Get("/v1/annotate/ips?ip=127.0.0.1&ip=::1");
  EXPECT_TRUE(absl::StartsWith(response, "HTTP/1.1 200 OK\r\nDate: ")) << response;
  EXPECT_TRUE(absl::StrContains(response, "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"));
  EXPECT_EQ(Body(response),
            absl::StrCat(R"({"127.0.0.1":)", kMissingBoth, R"(,"::1":)", kMissingBoth, "}"));
  EXPECT_EQ(Body(Get("/v1/annotate/ips?ip=2.125.160.216")),
            absl::StrCat(R"({"2.125.160.216":)", kBoxford, "}"));
}

TEST_F(IpServiceTest, KeysAreTheQueryStringsAndBadOnesAreSkipped) {
  const double bad_before = metrics::ServerRpcs().WithLabels({"badip_error"}).Value();
  // Escapes are decoded; a repeated address answers once; the absolute form works too.
  EXPECT_EQ(
      Body(
          Get("http://unix/v1/annotate/ips?ip=2.125.160.216&ip=bogus&ip=%3A%3A1&ip=2.125.160.216")),
      absl::StrCat(R"({"2.125.160.216":)", kBoxford, R"(,"::1":)", kMissingBoth, "}"));
  EXPECT_EQ(metrics::ServerRpcs().WithLabels({"badip_error"}).Value() - bad_before, 1);
  // Any method works, as upstream's mux matches only the path.
  EXPECT_TRUE(absl::StartsWith(Get("/v1/annotate/ips?ip=::1", "POST"), "HTTP/1.1 200 OK"));
}

TEST_F(IpServiceTest, NoValidIpIs400WithEmptyBody) {
  const double before = metrics::ServerRpcs().WithLabels({"bad_request_error"}).Value();
  for (const char* target : {"/v1/annotate/ips", "/v1/annotate/ips?ip=", "/v1/annotate/ips?ip=x",
                             "/v1/annotate/ips?addr=1.2.3.4", "/v1/annotate/ips?ip=1.2.3.4;x=1"}) {
    const std::string response = Get(target);
    EXPECT_TRUE(absl::StartsWith(response, "HTTP/1.1 400 Bad Request\r\nDate: ")) << response;
    EXPECT_TRUE(absl::EndsWith(response, "\r\nContent-Length: 0\r\n\r\n")) << response;
  }
  EXPECT_EQ(metrics::ServerRpcs().WithLabels({"bad_request_error"}).Value() - before, 5);
}

TEST_F(IpServiceTest, OtherPathsAre404) {
  const std::string response = Get("/v1/annotate/ip?ip=1.2.3.4");
  EXPECT_TRUE(absl::StartsWith(response, "HTTP/1.1 404 Not Found\r\n")) << response;
  EXPECT_EQ(Body(response), "404 page not found\n");
}

TEST_F(IpServiceTest, KeepAliveServesManyRequestsOnOneConnection) {
  const int fd = Connect(dir_.File("annotator.sock"));
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 3; ++i) {
    const std::string request = "GET /v1/annotate/ips?ip=::1 HTTP/1.1\r\nHost: unix\r\n\r\n";
    ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    const std::string response = ReadResponse(fd);
    EXPECT_EQ(Body(response), absl::StrCat(R"({"::1":)", kMissingBoth, "}"));
    EXPECT_FALSE(absl::StrContains(response, "Connection: close"));
  }
  close(fd);
}

TEST_F(IpServiceTest, GarbageGets400AndShutdownClosesIdleConnections) {
  const int fd = Connect(dir_.File("annotator.sock"));
  ASSERT_GE(fd, 0);
  const std::string garbage = "NOT HTTP AT ALL\r\n\r\n";
  ASSERT_EQ(write(fd, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
  EXPECT_TRUE(absl::StartsWith(ReadResponse(fd), "HTTP/1.1 400 Bad Request"));
  close(fd);
  const int idle = Connect(dir_.File("annotator.sock"));
  ASSERT_GE(idle, 0);
  service_->Shutdown();  // Must not hang on the idle connection.
  char byte;
  EXPECT_LE(read(idle, &byte, 1), 0);
  close(idle);
  EXPECT_NE(access(dir_.File("annotator.sock").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace mlab::uuid_annotator
