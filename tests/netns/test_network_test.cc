#include "tests/netns/test_network.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"

namespace mlab::testing {
namespace {

bool NamespaceExists(const std::string& ns) { return std::ifstream("/var/run/netns/" + ns).good(); }

TEST(TestNetwork, ConnectsClientToServerOverBothFamiliesAndCleansUp) {
  std::string server_ns, client_ns;
  {
    absl::StatusOr<std::unique_ptr<TestNetwork>> network = TestNetwork::Create();
    ASSERT_TRUE(network.ok()) << network.status();
    server_ns = (*network)->server_ns();
    client_ns = (*network)->client_ns();
    EXPECT_TRUE(NamespaceExists(server_ns));

    for (int family : {AF_INET, AF_INET6}) {
      int listener = -1;
      uint16_t port = 0;
      ASSERT_TRUE(
          TestNetwork::RunIn(server_ns, [&] {
            listener = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_storage address = {};
            socklen_t length;
            if (family == AF_INET) {
              auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
              v4->sin_family = AF_INET;
              inet_pton(AF_INET, TestNetwork::kServerV4, &v4->sin_addr);
              length = sizeof(*v4);
            } else {
              auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
              v6->sin6_family = AF_INET6;
              inet_pton(AF_INET6, TestNetwork::kServerV6, &v6->sin6_addr);
              length = sizeof(*v6);
            }
            ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), length), 0);
            ASSERT_EQ(listen(listener, 1), 0);
            ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
            port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&address)->sin_port
                                           : reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
          }).ok());
      ASSERT_GE(listener, 0);
      ASSERT_TRUE(TestNetwork::RunIn(client_ns, [&] {
                    int client = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
                    sockaddr_storage address = {};
                    socklen_t length;
                    if (family == AF_INET) {
                      auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
                      v4->sin_family = AF_INET;
                      v4->sin_port = htons(port);
                      inet_pton(AF_INET, TestNetwork::kServerV4, &v4->sin_addr);
                      length = sizeof(*v4);
                    } else {
                      auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
                      v6->sin6_family = AF_INET6;
                      v6->sin6_port = htons(port);
                      inet_pton(AF_INET6, TestNetwork::kServerV6, &v6->sin6_addr);
                      length = sizeof(*v6);
                    }
                    EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), length), 0)
                        << strerror(errno);
                    close(client);
                  }).ok());
      int accepted = accept(listener, nullptr, nullptr);
      EXPECT_GE(accepted, 0);
      close(accepted);
      close(listener);
    }
  }
  EXPECT_FALSE(NamespaceExists(server_ns));
  EXPECT_FALSE(NamespaceExists(client_ns));
}

}  // namespace
}  // namespace mlab::testing
