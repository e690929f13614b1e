#include "services/uuid-annotator/local_addresses.h"

#include <atomic>

#include "gtest/gtest.h"

namespace mlab::uuid_annotator {
namespace {

std::optional<IpAddress> Ip(const char* s) { return IpAddress::Parse(s); }

TEST(FindDirectionTest, UpstreamRules) {
  const std::vector<IpAddress> locals = {*Ip("127.0.0.1"), *Ip("192.0.2.1"), *Ip("2001:db8::1")};
  const std::vector<IpAddress> none;
  EXPECT_EQ(FindDirection(locals, none, Ip("192.0.2.1"), Ip("198.51.100.7")),
            Direction::kSrcIsServer);
  EXPECT_EQ(FindDirection(locals, none, Ip("198.51.100.7"), Ip("192.0.2.1")),
            Direction::kDstIsServer);
  EXPECT_EQ(FindDirection(locals, none, Ip("198.51.100.7"), Ip("198.51.100.8")),
            Direction::kUnknown);
  // Loopback to loopback: the source is the server.
  EXPECT_EQ(FindDirection(locals, none, Ip("127.0.0.1"), Ip("127.0.0.1")), Direction::kSrcIsServer);
  // Both ends local: the first local address in order decides.
  EXPECT_EQ(FindDirection(locals, none, Ip("192.0.2.1"), Ip("127.0.0.1")), Direction::kDstIsServer);
  // Binary comparison: a v4-mapped or differently written address still matches.
  EXPECT_EQ(FindDirection(locals, none, Ip("::ffff:192.0.2.1"), Ip("198.51.100.7")),
            Direction::kSrcIsServer);
  EXPECT_EQ(FindDirection(locals, none, Ip("2001:0db8:0:0::0001"), Ip("2001:db8::99")),
            Direction::kSrcIsServer);
  // Unparsable addresses match nothing, but the other end still can.
  EXPECT_EQ(FindDirection(locals, none, std::nullopt, Ip("192.0.2.1")), Direction::kDstIsServer);
  // A virtual site's load balancer address counts as local.
  EXPECT_EQ(FindDirection(locals, {*Ip("203.0.113.9")}, Ip("203.0.113.9"), Ip("198.51.100.7")),
            Direction::kSrcIsServer);
}

TEST(LocalAddressesTest, RereadsWhenNothingMatchesAtMostOncePerInterval) {
  std::atomic<int> reads{0};
  std::vector<IpAddress> current = {*Ip("127.0.0.1")};
  LocalAddresses locals(
      [&]() -> absl::StatusOr<std::vector<IpAddress>> {
        ++reads;
        return current;
      },
      absl::Hours(1));
  ASSERT_TRUE(locals.Refresh().ok());
  EXPECT_EQ(reads, 1);
  current.push_back(*Ip("192.0.2.1"));  // An address added after startup.
  // The last read was just now: no re-read yet.
  EXPECT_EQ(locals.Find(Ip("192.0.2.1"), Ip("198.51.100.7"), {}), Direction::kUnknown);
  EXPECT_EQ(reads, 1);

  LocalAddresses eager(
      [&]() -> absl::StatusOr<std::vector<IpAddress>> {
        ++reads;
        return current;
      },
      absl::ZeroDuration());
  current = {*Ip("127.0.0.1")};
  ASSERT_TRUE(eager.Refresh().ok());
  current.push_back(*Ip("192.0.2.1"));
  EXPECT_EQ(eager.Find(Ip("192.0.2.1"), Ip("198.51.100.7"), {}), Direction::kSrcIsServer);
  // A match needs no re-read.
  const int before = reads;
  EXPECT_EQ(eager.Find(Ip("192.0.2.1"), Ip("198.51.100.7"), {}), Direction::kSrcIsServer);
  EXPECT_EQ(reads, before);
}

TEST(LocalAddressesTest, ReadsThisMachinesLoopback) {
  absl::StatusOr<std::vector<IpAddress>> addresses = ReadInterfaceAddresses();
  ASSERT_TRUE(addresses.ok()) << addresses.status();
  bool loopback = false;
  for (const IpAddress& ip : *addresses) loopback |= ip.ToString() == "127.0.0.1";
  EXPECT_TRUE(loopback);
}

}  // namespace
}  // namespace mlab::uuid_annotator
