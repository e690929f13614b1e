#include "services/tcp-info/sock_diag_collector.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "lib/uuid/uuid.h"

namespace mlab::tcpinfo {
namespace {

constexpr uint8_t kEstablished = 1;
constexpr uint8_t kListen = 10;

// A listener plus connected client/server sockets on a loopback address, all closed at the end.
class LoopbackFlows {
 public:
  explicit LoopbackFlows(int family) : family_(family) {
    listener_ = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(listener_, 0);
    sockaddr_storage address = Loopback();
    socklen_t length = sizeof(address);
    EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&address), AddressLength()), 0);
    EXPECT_EQ(listen(listener_, 1024), 0);
    EXPECT_EQ(getsockname(listener_, reinterpret_cast<sockaddr*>(&bound_), &length), 0);
  }
  ~LoopbackFlows() {
    for (int fd : fds_) close(fd);
    close(listener_);
  }

  void Connect(int count) {
    for (int i = 0; i < count; ++i) {
      int client = socket(family_, SOCK_STREAM | SOCK_CLOEXEC, 0);
      ASSERT_GE(client, 0);
      ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&bound_), AddressLength()), 0);
      int server = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      ASSERT_GE(server, 0);
      fds_.push_back(client);
      fds_.push_back(server);
    }
  }

  uint64_t listener_cookie() const { return *uuid::CookieOf(listener_); }
  std::vector<uint64_t> flow_cookies() const {
    std::vector<uint64_t> cookies;
    for (int fd : fds_) cookies.push_back(*uuid::CookieOf(fd));
    return cookies;
  }

 private:
  sockaddr_storage Loopback() const {
    sockaddr_storage address{};
    if (family_ == AF_INET) {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
      v4->sin_family = AF_INET;
      v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
      v6->sin6_family = AF_INET6;
      v6->sin6_addr = in6addr_loopback;
    }
    return address;
  }
  socklen_t AddressLength() const {
    return family_ == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  }

  int family_;
  int listener_ = -1;
  sockaddr_storage bound_{};
  std::vector<int> fds_;
};

absl::flat_hash_map<uint64_t, const SocketSnapshot*> ByCookie(const FamilyDump& dump) {
  absl::flat_hash_map<uint64_t, const SocketSnapshot*> map;
  for (const SocketSnapshot& s : dump.sockets) map[s.cookie()] = &s;
  return map;
}

TEST(SockDiagCollectorTest, DumpsEachFamilyWithTcpInfo) {
  LoopbackFlows v4(AF_INET);
  v4.Connect(1);
  LoopbackFlows v6(AF_INET6);
  v6.Connect(1);

  SockDiagCollector collector;
  ASSERT_TRUE(collector.Open().ok());
  const absl::Time before = absl::Now();
  absl::StatusOr<FamilyDump> dump4 = collector.Dump(AF_INET);
  ASSERT_TRUE(dump4.ok()) << dump4.status();
  absl::StatusOr<FamilyDump> dump6 = collector.Dump(AF_INET6);
  ASSERT_TRUE(dump6.ok()) << dump6.status();

  EXPECT_EQ(dump4->family, AF_INET);
  EXPECT_GE(dump4->timestamp, before);
  EXPECT_GE(dump6->timestamp, dump4->timestamp);
  auto sockets4 = ByCookie(*dump4);
  auto sockets6 = ByCookie(*dump6);

  for (uint64_t cookie : v4.flow_cookies()) {
    ASSERT_TRUE(sockets4.contains(cookie)) << cookie;
    EXPECT_FALSE(sockets6.contains(cookie));
    const SocketSnapshot& s = *sockets4[cookie];
    EXPECT_EQ(s.family(), AF_INET);
    EXPECT_EQ(s.state(), kEstablished);
    EXPECT_EQ(s.timestamp(), dump4->timestamp);
    ASSERT_TRUE(s.attribute(2).has_value());
    EXPECT_GE(s.attribute(2)->size(), 168u);  // whatever this kernel's tcp_info is
    ASSERT_TRUE(s.attribute(4).has_value());  // congestion control name, NUL-terminated
    EXPECT_EQ(s.attribute(4)->back(), '\0');
    EXPECT_TRUE(s.attribute(1).has_value());  // MEMINFO, from the extension bits
    EXPECT_TRUE(s.attribute(7).has_value());  // SKMEMINFO
  }
  ASSERT_TRUE(sockets4.contains(v4.listener_cookie()));
  EXPECT_EQ(sockets4[v4.listener_cookie()]->state(), kListen);

  for (uint64_t cookie : v6.flow_cookies()) {
    ASSERT_TRUE(sockets6.contains(cookie)) << cookie;
    EXPECT_EQ(sockets6[cookie]->family(), AF_INET6);
    EXPECT_TRUE(sockets6[cookie]->attribute(6).has_value());  // TCLASS: AF_INET6 only
  }
}

TEST(SockDiagCollectorTest, LargeDumpSpansManyReceivesOnOneSocket) {
  LoopbackFlows v4(AF_INET);
  v4.Connect(250);  // 500 sockets of about 0.5 KB: well over one 32 KiB datagram
  SockDiagCollector collector;
  for (int round = 0; round < 3; ++round) {  // the same socket serves consecutive dumps
    absl::StatusOr<FamilyDump> dump = collector.Dump(AF_INET);
    ASSERT_TRUE(dump.ok()) << dump.status();
    EXPECT_GT(dump->receives, 3);
    absl::flat_hash_set<uint64_t> seen;
    for (const SocketSnapshot& s : dump->sockets) seen.insert(s.cookie());
    for (uint64_t cookie : v4.flow_cookies()) EXPECT_TRUE(seen.contains(cookie)) << cookie;
  }
}

TEST(SockDiagCollectorTest, RejectsOtherFamilies) {
  SockDiagCollector collector;
  EXPECT_EQ(collector.Dump(AF_UNIX).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mlab::tcpinfo
