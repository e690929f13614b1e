#include "services/tcp-info/destroy_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "gtest/gtest.h"
#include "lib/uuid/uuid.h"

namespace mlab::tcpinfo {
namespace {

// The kernel announces a socket's destruction with its final tcp_info.
TEST(DestroyListenerTest, ReportsAResetSocketWithItsFinalTcpInfo) {
  DestroyListener listener;
  absl::Status opened = listener.Open();
  if (!opened.ok()) GTEST_SKIP() << "no destroy notifications here: " << opened;

  int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(server, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(server, 1), 0);
  ASSERT_EQ(getsockname(server, reinterpret_cast<sockaddr*>(&address), &length), 0);
  int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  int accepted = accept4(server, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(accepted, 0);
  const uint64_t cookie = *uuid::CookieOf(client);
  ASSERT_EQ(write(client, "hello", 5), 5);
  linger reset{1, 0};  // close with RST: the socket is freed at once
  setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  close(client);

  const SocketSnapshot* found = nullptr;
  std::vector<SocketSnapshot> all;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (found == nullptr && absl::Now() < deadline) {
    pollfd fd{listener.fd(), POLLIN, 0};
    ASSERT_GE(poll(&fd, 1, 10000), 0);
    bool overflowed = false;
    absl::StatusOr<std::vector<SocketSnapshot>> drained = listener.Drain(absl::Now(), &overflowed);
    ASSERT_TRUE(drained.ok()) << drained.status();
    for (SocketSnapshot& s : *drained) all.push_back(std::move(s));
    for (const SocketSnapshot& s : all) {
      if (s.cookie() == cookie) found = &s;
    }
  }
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->state(), 7);  // CLOSE
  ASSERT_TRUE(found->attribute(2).has_value());
  EXPECT_GE(found->attribute(2)->size(), 168u);
  close(accepted);
  close(server);
}

}  // namespace
}  // namespace mlab::tcpinfo
