#include "services/tcp-info/ip_anonymizer.h"

#include <netinet/in.h>

#include <string>

#include "gtest/gtest.h"
#include "services/tcp-info/testing/diag_message_builder.h"

namespace mlab::tcpinfo {
namespace {

std::string Idm(uint8_t family, const char* src, const char* dst) {
  testing::DiagMessageSpec spec;
  spec.family = family;
  spec.src = testing::Address(src);
  spec.dst = testing::Address(dst);
  return std::string(testing::Snapshot(spec).raw_idm());
}

std::pair<std::string, std::string> Ends(const std::string& idm) {
  SockId id = DecodeSockId(idm);
  return {FormatAddress(id.src_mapped()), FormatAddress(id.dst_mapped())};
}

TEST(IpAnonymizerTest, NetblockZeroesHostBitsExceptLocalAddresses) {
  IpAnonymizer anonymizer(
      IpAnonymizer::Mode::kNetblock,
      {ToMapped(AF_INET, testing::Address("192.0.2.1")), testing::Address("2001:db8::1")});
  std::string v4 = Idm(AF_INET, "192.0.2.1", "198.51.100.77");
  anonymizer.AnonymizeIdm(&v4);
  EXPECT_EQ(Ends(v4), std::make_pair(std::string("192.0.2.1"), std::string("198.51.100.0")));

  std::string mapped = Idm(AF_INET6, "::ffff:192.0.2.1", "::ffff:203.0.113.9");
  anonymizer.AnonymizeIdm(&mapped);
  EXPECT_EQ(Ends(mapped), std::make_pair(std::string("192.0.2.1"), std::string("203.0.113.0")));

  std::string v6 = Idm(AF_INET6, "2001:db8::1", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
  anonymizer.AnonymizeIdm(&v6);
  EXPECT_EQ(Ends(v6), std::make_pair(std::string("2001:db8::1"), std::string("2001:db8:aaaa::")));
}

TEST(IpAnonymizerTest, NoneAndModes) {
  IpAnonymizer none(IpAnonymizer::Mode::kNone, {});
  std::string v4 = Idm(AF_INET, "192.0.2.1", "198.51.100.77");
  const std::string before = v4;
  none.AnonymizeIdm(&v4);
  EXPECT_EQ(v4, before);
  EXPECT_FALSE(none.enabled());
  EXPECT_EQ(*IpAnonymizer::ParseMode("netblock"), IpAnonymizer::Mode::kNetblock);
  EXPECT_EQ(*IpAnonymizer::ParseMode("none"), IpAnonymizer::Mode::kNone);
  EXPECT_FALSE(IpAnonymizer::ParseMode("random").ok());
  // This host has at least a loopback address.
  bool has_loopback = false;
  for (const RawAddress& a : IpAnonymizer::LocalAddresses()) {
    has_loopback = has_loopback || FormatAddress(a) == "127.0.0.1";
  }
  EXPECT_TRUE(has_loopback);
}

}  // namespace
}  // namespace mlab::tcpinfo
