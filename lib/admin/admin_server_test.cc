#include "lib/admin/admin_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "lib/admin/test_http_client.h"
#include "lib/metrics/registry.h"

namespace mlab::admin {
namespace {

using testing::Get;
using testing::Reply;
using testing::Request;

AdminServer::Options LocalOptions(metrics::Registry* registry) {
  AdminServer::Options options;
  options.listen_address = "127.0.0.1:0";
  options.registry = registry;
  return options;
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.NewCounterFamily("test_events_total", "Events.", {"kind"})
        .WithLabels({"a"})
        .Increment();
    ASSERT_TRUE(server_.Start().ok());
    ASSERT_GT(server_.port(), 0);
  }

  metrics::Registry registry_;
  AdminServer server_{LocalOptions(&registry_)};
};

TEST_F(AdminServerTest, ServesMetrics) {
  const Reply reply = Get(server_.port(), "/metrics");
  EXPECT_EQ(reply.status, 200);
  EXPECT_NE(reply.headers.find("content-type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos)
      << reply.headers;
  EXPECT_NE(reply.body.find("# TYPE test_events_total counter\ntest_events_total{kind=\"a\"} 1\n"),
            std::string::npos)
      << reply.body;
}

TEST_F(AdminServerTest, CountsOwnRequests) {
  Get(server_.port(), "/health");
  Get(server_.port(), "/nope");
  const Reply reply = Get(server_.port(), "/metrics");
  EXPECT_NE(reply.body.find("admin_http_requests_total{code=\"200\",path=\"/health\"} 1\n"),
            std::string::npos)
      << reply.body;
  EXPECT_NE(reply.body.find("admin_http_requests_total{code=\"404\",path=\"unmatched\"} 1\n"),
            std::string::npos)
      << reply.body;
}

TEST_F(AdminServerTest, HealthAndLameDuck) {
  Reply reply = Get(server_.port(), "/health");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ok");

  server_.SetLameDuck(true);
  EXPECT_TRUE(server_.lame_duck());
  reply = Get(server_.port(), "/health");
  EXPECT_EQ(reply.status, 503);
  // Lame duck only drains: everything else keeps working.
  EXPECT_EQ(Get(server_.port(), "/metrics").status, 200);

  server_.SetLameDuck(false);
  EXPECT_EQ(Get(server_.port(), "/health").status, 200);
}

TEST_F(AdminServerTest, HeadHasNoBody) {
  const std::string raw = testing::Exchange(
      server_.port(), "HEAD /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(raw.find("Content-Length: 2\r\n"), std::string::npos) << raw;
  EXPECT_EQ(raw.substr(raw.size() - 4), "\r\n\r\n") << raw;
}

TEST_F(AdminServerTest, UnknownPathIs404) {
  EXPECT_EQ(Get(server_.port(), "/").status, 404);
  EXPECT_EQ(Get(server_.port(), "/metricsx").status, 404);
  EXPECT_EQ(Get(server_.port(), "/debug/pprof/").status, 404);
}

TEST_F(AdminServerTest, UnsupportedMethodIs405) {
  const Reply reply = Request(server_.port(), "POST", "/metrics");
  EXPECT_EQ(reply.status, 405);
  EXPECT_NE(reply.headers.find("allow: get, head\r\n"), std::string::npos) << reply.headers;
  EXPECT_EQ(Request(server_.port(), "DELETE", "/health").status, 405);
}

TEST_F(AdminServerTest, QueryStringIsIgnoredForRouting) {
  EXPECT_EQ(Get(server_.port(), "/health?verbose=1").status, 200);
}

TEST_F(AdminServerTest, MalformedRequestGets400AndServerKeepsServing) {
  for (const char* garbage :
       {"this is not http\r\n\r\n", "GET /health HTTP/9.9\r\n\r\n", "GET\r\n\r\n",
        "GET /health HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
        "POST /metrics HTTP/1.1\r\nContent-Length: nope\r\n\r\n"}) {
    const Reply reply = testing::ParseReply(testing::Exchange(server_.port(), garbage));
    EXPECT_EQ(reply.status, 400) << garbage;
  }
  EXPECT_EQ(Get(server_.port(), "/health").status, 200);
}

TEST_F(AdminServerTest, OversizedRequestsAreRefused) {
  const std::string huge_header =
      "GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(100 * 1024, 'x') + "\r\n\r\n";
  EXPECT_EQ(testing::ParseReply(testing::Exchange(server_.port(), huge_header)).status, 431);
  const std::string huge_body =
      "POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" +
      std::string(1000, 'x');
  EXPECT_EQ(testing::ParseReply(testing::Exchange(server_.port(), huge_body)).status, 413);
  EXPECT_EQ(Get(server_.port(), "/health").status, 200);
}

TEST_F(AdminServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  const std::string raw = testing::Exchange(server_.port(),
                                            "GET /health HTTP/1.1\r\nHost: t\r\n\r\n"
                                            "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"
                                            "GET /health HTTP/1.1\r\nHost: t\r\nConnection: "
                                            "close\r\n\r\n");
  std::string rest;
  const Reply first = testing::ParseReply(raw, &rest);
  const Reply second = testing::ParseReply(rest, &rest);
  const Reply third = testing::ParseReply(rest, &rest);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "ok");
  EXPECT_EQ(second.status, 200);
  EXPECT_NE(second.body.find("test_events_total"), std::string::npos);
  EXPECT_EQ(third.status, 200);
  EXPECT_EQ(rest, "");
}

TEST_F(AdminServerTest, CustomHandlerSeesMethodPathQueryAndBody) {
  server_.Handle("/debug/echo", [](const HttpRequest& request) {
    HttpResponse response;
    response.status = 202;
    response.content_type = "application/json";
    response.body = request.method + "|" + request.target + "|" + request.path + "|" +
                    request.query + "|" + request.body;
    response.headers.emplace_back("X-Test", "yes");
    return response;
  });
  const Reply reply = testing::ParseReply(testing::Exchange(
      server_.port(),
      "PUT /debug/echo?a=1&b=2 HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nConnection: "
      "close\r\n\r\nbody"));
  EXPECT_EQ(reply.status, 202);
  EXPECT_EQ(reply.body, "PUT|/debug/echo?a=1&b=2|/debug/echo|a=1&b=2|body");
  EXPECT_NE(reply.headers.find("content-type: application/json\r\n"), std::string::npos);
  EXPECT_NE(reply.headers.find("x-test: yes\r\n"), std::string::npos);
}

TEST_F(AdminServerTest, ThrowingHandlerGives500) {
  server_.Handle("/throw",
                 [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  EXPECT_EQ(Get(server_.port(), "/throw").status, 500);
  EXPECT_EQ(Get(server_.port(), "/health").status, 200);
}

TEST_F(AdminServerTest, ManyConcurrentScrapes) {
  constexpr int kThreads = 16;
  constexpr int kRequests = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRequests; ++i) {
        const Reply reply = Get(server_.port(), "/metrics");
        if (reply.status == 200 && reply.body.find("test_events_total") != std::string::npos) {
          ++ok;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
}

TEST(AdminServerThreadsTest, SeveralIoThreads) {
  metrics::Registry registry;
  AdminServer::Options options = LocalOptions(&registry);
  options.threads = 2;
  AdminServer server(options);
  ASSERT_TRUE(server.Start().ok());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) ok += Get(server.port(), "/health").status == 200;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 160);
}

TEST(AdminServerTimeoutTest, IdleAndSlowClientsAreDisconnected) {
  metrics::Registry registry;
  AdminServer::Options options = LocalOptions(&registry);
  options.timeout = absl::Milliseconds(300);
  AdminServer server(options);
  ASSERT_TRUE(server.Start().ok());

  // A client that sends half a request and then nothing.
  const int fd = testing::Connect(server.port());
  ASSERT_GE(fd, 0);
  testing::SendAll(fd, "GET /health HTTP/1.1\r\nHo");
  const absl::Time start = absl::Now();
  EXPECT_EQ(testing::ReadAll(fd), "");  // Closed without an answer.
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  close(fd);

  // An idle keep-alive connection is closed too, and the server still answers new ones.
  const int idle = testing::Connect(server.port());
  ASSERT_GE(idle, 0);
  testing::SendAll(idle, "GET /health HTTP/1.1\r\nHost: t\r\n\r\n");
  const Reply reply = testing::ParseReply(testing::ReadAll(idle));
  EXPECT_EQ(reply.status, 200);
  close(idle);
  EXPECT_EQ(Get(server.port(), "/health").status, 200);
}

TEST(AdminServerStartTest, BindConflictIsAnError) {
  metrics::Registry registry;
  AdminServer first(LocalOptions(&registry));
  ASSERT_TRUE(first.Start().ok());
  AdminServer::Options options = LocalOptions(&registry);
  options.listen_address = "127.0.0.1:" + std::to_string(first.port());
  AdminServer second(options);
  const absl::Status status = second.Start();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("bind"), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find(options.listen_address), absl::string_view::npos) << status;
  EXPECT_EQ(second.port(), 0);
  // The first server is unaffected.
  EXPECT_EQ(Get(first.port(), "/health").status, 200);
}

TEST(AdminServerStartTest, BadAddressIsAnError) {
  metrics::Registry registry;
  AdminServer::Options options = LocalOptions(&registry);
  options.listen_address = "9990";
  AdminServer server(options);
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kInvalidArgument);
  options.listen_address = "192.0.2.1:0";  // Not an address of this host.
  AdminServer foreign(options);
  EXPECT_EQ(foreign.Start().code(), absl::StatusCode::kUnavailable);
}

TEST(AdminServerStartTest, AllInterfacesAcceptLoopback) {
  metrics::Registry registry;
  AdminServer::Options options = LocalOptions(&registry);
  options.listen_address = ":0";
  AdminServer server(options);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(Get(server.port(), "/health").status, 200);
}

TEST(AdminServerStartTest, Localhost) {
  metrics::Registry registry;
  AdminServer::Options options = LocalOptions(&registry);
  options.listen_address = "localhost:0";
  AdminServer server(options);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(Get(server.port(), "/health").status, 200);
}

TEST(AdminServerStartTest, Ipv6Loopback) {
  const int probe = socket(AF_INET6, SOCK_STREAM, 0);
  if (probe < 0) GTEST_SKIP() << "no IPv6 on this host";
  close(probe);
  metrics::Registry registry;
  AdminServer::Options options = LocalOptions(&registry);
  options.listen_address = "[::1]:0";
  AdminServer server(options);
  const absl::Status status = server.Start();
  if (!status.ok()) GTEST_SKIP() << "no IPv6 loopback: " << status;
  EXPECT_EQ(Request(server.port(), "GET", "/health", /*ipv6=*/true).status, 200);
}

TEST(AdminServerStartTest, StopReleasesThePortAndIsIdempotent) {
  metrics::Registry registry;
  AdminServer server(LocalOptions(&registry));
  ASSERT_TRUE(server.Start().ok());
  const int port = server.port();
  // A connection left open must not keep Stop from returning.
  const int open_fd = testing::Connect(port);
  ASSERT_GE(open_fd, 0);
  server.Stop();
  server.Stop();
  EXPECT_EQ(testing::ReadAll(open_fd), "");  // Closed by Stop.
  close(open_fd);
  EXPECT_EQ(testing::Connect(port), -1);
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);

  AdminServer::Options options = LocalOptions(&registry);
  options.listen_address = "127.0.0.1:" + std::to_string(port);
  AdminServer again(options);
  EXPECT_TRUE(again.Start().ok());
}

TEST(AdminServerStartTest, DefaultRegistry) {
  AdminServer::Options options;
  options.listen_address = "127.0.0.1:0";
  AdminServer server(options);
  ASSERT_TRUE(server.Start().ok());
  const Reply reply = Get(server.port(), "/metrics");
  EXPECT_EQ(reply.status, 200);
  EXPECT_NE(reply.body.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
}

}  // namespace
}  // namespace mlab::admin
