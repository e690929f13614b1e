#include "services/uuid-annotator/data_source.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using testing::TempDir;
using testing::WriteFileOrDie;

absl::StatusOr<std::optional<DataSource::Content>> FetchUrl(const std::string& url,
                                                            const std::string& version = "") {
  absl::StatusOr<std::unique_ptr<DataSource>> source = DataSource::FromUrl(url);
  if (!source.ok()) return source.status();
  return (*source)->Fetch(version);
}

TEST(DataSourceTest, UrlForms) {
  TempDir dir;
  const std::string path = dir.File("data file");
  WriteFileOrDie(path, "hello");
  for (const std::string& url :
       {path, absl::StrCat("file://", dir.path(), "/data%20file"), absl::StrCat("file:", path),
        absl::StrCat("file://localhost", dir.path(), "/data%20file")}) {
    auto fetched = FetchUrl(url);
    ASSERT_TRUE(fetched.ok()) << url << ": " << fetched.status();
    ASSERT_TRUE(fetched->has_value());
    EXPECT_EQ((*fetched)->data, "hello") << url;
  }
  EXPECT_TRUE(DataSource::FromUrl("gs://bucket/object").ok());
  EXPECT_FALSE(DataSource::FromUrl("s3://bucket/object").ok());
  EXPECT_FALSE(DataSource::FromUrl("ftp://x/y").ok());
  EXPECT_FALSE(DataSource::FromUrl("").ok());
  const auto bad_escape = DataSource::FromUrl("file:///data%2");
  EXPECT_TRUE(absl::IsInvalidArgument(bad_escape.status())) << bad_escape.status();
}

TEST(DataSourceTest, FileUnchangedIsSkippedAndChangesAreSeen) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteFileOrDie(path, "one");
  absl::StatusOr<std::unique_ptr<DataSource>> source = DataSource::FromUrl(path);
  ASSERT_TRUE(source.ok());
  auto first = (*source)->Fetch("");
  ASSERT_TRUE(first.ok() && first->has_value());
  auto again = (*source)->Fetch((*first)->version);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  WriteFileOrDie(path, "two!");  // Replaced by rename: a new inode.
  auto changed = (*source)->Fetch((*first)->version);
  ASSERT_TRUE(changed.ok() && changed->has_value());
  EXPECT_EQ((*changed)->data, "two!");
  unlink(path.c_str());
  EXPECT_FALSE((*source)->Fetch((*changed)->version).ok());
}

// A tiny HTTP/1.1 server on 127.0.0.1 answering every request with `status` and an ETag, and
// 304 when the request carries If-None-Match with that ETag.
class TestHttpServer {
 public:
  TestHttpServer(int status, std::string body, std::string etag)
      : status_(status), body_(std::move(body)), etag_(std::move(etag)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 8);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~TestHttpServer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_, "/data.gz"); }
  int requests() const { return requests_; }
  int not_modified() const { return not_modified_; }

 private:
  void Run() {
    while (true) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = read(c, buf, sizeof(buf));
        if (n <= 0) break;
        request.append(buf, n);
      }
      ++requests_;
      std::string response;
      if (!etag_.empty() && absl::StrContains(request, "If-None-Match: " + etag_)) {
        ++not_modified_;
        response = "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n";
      } else {
        response = absl::StrCat("HTTP/1.1 ", status_, " X\r\nContent-Length: ", body_.size(),
                                "\r\nConnection: close\r\n",
                                etag_.empty() ? "" : "ETag: " + etag_ + "\r\n", "\r\n", body_);
      }
      (void)!write(c, response.data(), response.size());
      close(c);
    }
  }
  int fd_;
  int port_;
  const int status_;
  const std::string body_;
  const std::string etag_;
  std::atomic<int> requests_{0};
  std::atomic<int> not_modified_{0};
  std::thread thread_;
};

TEST(DataSourceTest, HttpConditionalGet) {
  TestHttpServer server(200, "payload", "\"v1\"");
  absl::StatusOr<std::unique_ptr<DataSource>> source = DataSource::FromUrl(server.url());
  ASSERT_TRUE(source.ok());
  auto first = (*source)->Fetch("");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->data, "payload");
  auto again = (*source)->Fetch((*first)->version);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(server.not_modified(), 1);
}

TEST(DataSourceTest, HttpWithoutValidatorsComparesContent) {
  TestHttpServer server(200, "same", "");
  auto first = FetchUrl(server.url());
  ASSERT_TRUE(first.ok() && first->has_value());
  auto again = FetchUrl(server.url(), (*first)->version);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(server.requests(), 2);
}

TEST(DataSourceTest, HttpErrorStatusIsAnError) {
  TestHttpServer server(404, "not here", "");
  auto fetched = FetchUrl(server.url());
  EXPECT_FALSE(fetched.ok());
  EXPECT_TRUE(absl::StrContains(fetched.status().message(), "404")) << fetched.status();
}

TEST(DataSourceTest, HttpConnectionRefusedIsAnError) {
  int port;
  {
    TestHttpServer server(200, "", "");
    port = std::stoi(server.url().substr(17));
  }
  EXPECT_FALSE(FetchUrl(absl::StrCat("http://127.0.0.1:", port, "/x")).ok());
}

}  // namespace
}  // namespace mlab::uuid_annotator
