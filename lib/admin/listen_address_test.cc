#include "lib/admin/listen_address.h"

#include "gtest/gtest.h"

namespace mlab::admin {
namespace {

TEST(ParseListenAddressTest, GoForms) {
  absl::StatusOr<ListenAddress> a = ParseListenAddress(":9990");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "");
  EXPECT_EQ(a->port, 9990);

  a = ParseListenAddress("127.0.0.1:8000");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8000);

  a = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);

  a = ParseListenAddress("localhost:65535");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "localhost");
  EXPECT_EQ(a->port, 65535);

  a = ParseListenAddress("[::]:9990");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "::");
}

TEST(ParseListenAddressTest, Errors) {
  for (const char* bad : {"", "9990", "localhost", ":", "::1:80", "[::1:80", "::1]:80", ":http",
                          ":-1", ":65536", ":99999999999", "host:80x"}) {
    absl::StatusOr<ListenAddress> a = ParseListenAddress(bad);
    EXPECT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace mlab::admin
