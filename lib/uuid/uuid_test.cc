#include "lib/uuid/uuid.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <regex>

#include "gtest/gtest.h"

namespace mlab::uuid {
namespace {

TEST(FromCookie, UpstreamForm) {
  EXPECT_EQ(FromCookie("ndt-jdczh_1553815964", 1000), "ndt-jdczh_1553815964_00000000000003E8");
  EXPECT_EQ(FromCookie("ndt-7hhhv_1559749627", 404868), "ndt-7hhhv_1559749627_0000000000062D84");
  EXPECT_EQ(FromCookie("p", ~uint64_t{0}), "p_FFFFFFFFFFFFFFFF");
  EXPECT_EQ(FromCookie("p", 0), "p_0000000000000000");
}

TEST(Parse, RoundTrip) {
  absl::StatusOr<ParsedUUID> parsed = Parse("gfr14.nyc_1554836592_unsafe_000000000135A272");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->prefix, "gfr14.nyc_1554836592_unsafe");
  EXPECT_EQ(parsed->cookie, 0x135A272u);
  EXPECT_FALSE(Parse("short").ok());
  EXPECT_FALSE(Parse("p_000000000135a272").ok());  // upstream writes upper case only
  EXPECT_FALSE(Parse("p-000000000135A272").ok());
}

TEST(CookieOf, FailsOnNonSocket) { EXPECT_FALSE(CookieOf(-1).ok()); }

// Asks the kernel's inet_diag for the cookie of the TCP socket with this exact 4-tuple.
uint64_t InetDiagCookie(const sockaddr_in& local, const sockaddr_in& remote) {
  int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  EXPECT_GE(nl, 0);
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message = {};
  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;
  message.request.sdiag_family = AF_INET;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = ~0u;
  message.request.id.idiag_sport = local.sin_port;
  message.request.id.idiag_dport = remote.sin_port;
  message.request.id.idiag_src[0] = local.sin_addr.s_addr;
  message.request.id.idiag_dst[0] = remote.sin_addr.s_addr;
  message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  EXPECT_EQ(sendto(nl, &message, sizeof(message), 0, reinterpret_cast<sockaddr*>(&kernel),
                   sizeof(kernel)),
            static_cast<ssize_t>(sizeof(message)));
  alignas(nlmsghdr) char buffer[8192];
  ssize_t n = recv(nl, buffer, sizeof(buffer), 0);
  close(nl);
  auto* reply = reinterpret_cast<nlmsghdr*>(buffer);
  EXPECT_TRUE(NLMSG_OK(reply, n));
  EXPECT_EQ(reply->nlmsg_type, SOCK_DIAG_BY_FAMILY) << "netlink error reply";
  auto* diag = static_cast<inet_diag_msg*>(NLMSG_DATA(reply));
  return static_cast<uint64_t>(diag->id.idiag_cookie[0]) |
         (static_cast<uint64_t>(diag->id.idiag_cookie[1]) << 32);
}

TEST(CookieOf, EqualsTheKernelsInetDiagCookie) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);

  int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  sockaddr_in peer = {};
  length = sizeof(peer);
  int server = accept(listener, reinterpret_cast<sockaddr*>(&peer), &length);
  ASSERT_GE(server, 0);
  sockaddr_in local = {};
  length = sizeof(local);
  ASSERT_EQ(getsockname(server, reinterpret_cast<sockaddr*>(&local), &length), 0);

  absl::StatusOr<uint64_t> cookie = CookieOf(server);
  ASSERT_TRUE(cookie.ok()) << cookie.status();
  EXPECT_NE(*cookie, 0u);
  EXPECT_EQ(*cookie, InetDiagCookie(local, peer));
  // The client's end is a different socket with its own cookie.
  absl::StatusOr<uint64_t> client_cookie = CookieOf(client);
  ASSERT_TRUE(client_cookie.ok());
  EXPECT_NE(*client_cookie, *cookie);
  EXPECT_EQ(*client_cookie, InetDiagCookie(peer, local));

  absl::StatusOr<std::string> id = FromSocket("ndt-abcde_1700000000", server);
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(std::regex_match(*id, std::regex("ndt-abcde_1700000000_[0-9A-F]{16}"))) << *id;
  EXPECT_EQ(*id, FromCookie("ndt-abcde_1700000000", *cookie));
  close(client);
  close(server);
  close(listener);
}

}  // namespace
}  // namespace mlab::uuid
