// Flow keys, packet parsing, anonymization and the pcap record layout, on synthetic frames.
#include <pcap/dlt.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/packet-headers/anonymizer.h"
#include "services/packet-headers/flow_key.h"
#include "services/packet-headers/packet_parser.h"
#include "services/packet-headers/pcap_format.h"
#include "services/packet-headers/testing/test_packets.h"

namespace mlab::packet_headers {
namespace {

using testing::BuildFrame;
using testing::Captured;
using testing::FrameSpec;

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

uint32_t Le32(const std::string& s, size_t at) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data() + at);
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

TEST(FlowKeyTest, SameForBothDirections) {
  FlowKey a(Ip("192.0.2.1"), 443, Ip("198.51.100.7"), 51234);
  FlowKey b(Ip("198.51.100.7"), 51234, Ip("192.0.2.1"), 443);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.lo_ip(), Ip("192.0.2.1"));
  EXPECT_EQ(a.lo_port(), 443);
  EXPECT_EQ(a.ToString(), "192.0.2.1:443<->198.51.100.7:51234");
  // Equal addresses: the smaller port is "low".
  FlowKey c(Ip("127.0.0.1"), 9000, Ip("127.0.0.1"), 80);
  EXPECT_EQ(c.lo_port(), 80);
  EXPECT_EQ(c, FlowKey(Ip("127.0.0.1"), 80, Ip("127.0.0.1"), 9000));
  EXPECT_NE(a, FlowKey(Ip("192.0.2.1"), 443, Ip("198.51.100.7"), 51235));
}

TEST(FlowKeyTest, ParsesAddressesAsTheWireCarriesThem) {
  EXPECT_EQ(Ip("::ffff:192.0.2.9"), Ip("192.0.2.9"));  // v4-mapped socket, IPv4 packets
  EXPECT_EQ(Ip("192.0.2.9").family, 4);
  EXPECT_EQ(Ip("2001:db8::1").family, 6);
  EXPECT_EQ(FlowKey(Ip("2001:db8::1"), 80, Ip("2001:db8::2"), 1).ToString(),
            "[2001:db8::1]:80<->[2001:db8::2]:1");
  EXPECT_FALSE(IpAddress::Parse("not-an-ip").ok());
  EXPECT_FALSE(IpAddress::Parse("").ok());
}

TEST(AnonymizerTest, NetblockZeroesRemoteHostBitsOnly) {
  Anonymizer netblock(Anonymizer::Mode::kNetblock, {Ip("192.0.2.1"), Ip("2001:db8::1")});
  EXPECT_EQ(netblock.Anonymize(Ip("198.51.100.7")), Ip("198.51.100.0"));
  EXPECT_EQ(netblock.Anonymize(Ip("2abc:3:4:5:6:7:8:9")), Ip("2abc:3:4::"));  // /48
  EXPECT_EQ(netblock.Anonymize(Ip("192.0.2.1")), Ip("192.0.2.1"));            // local
  EXPECT_EQ(netblock.Anonymize(Ip("2001:db8::1")), Ip("2001:db8::1"));
  EXPECT_EQ(netblock.Format(FlowKey(Ip("192.0.2.1"), 443, Ip("198.51.100.7"), 5)),
            "192.0.2.1:443<->198.51.100.0:5");

  Anonymizer none(Anonymizer::Mode::kNone, {});
  EXPECT_FALSE(none.enabled());
  EXPECT_EQ(none.Anonymize(Ip("198.51.100.7")), Ip("198.51.100.7"));
  EXPECT_TRUE(Anonymizer::ParseMode("netblock").ok());
  EXPECT_FALSE(Anonymizer::ParseMode("bogus").ok());
}

TEST(PacketParserTest, EthernetIpv4) {
  FrameSpec spec;
  spec.payload = "hello";
  const std::string frame = BuildFrame(spec);
  std::optional<PacketLayout> p =
      ParsePacket(DLT_EN10MB, reinterpret_cast<const uint8_t*>(frame.data()), frame.size());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ip_version, 4);
  EXPECT_EQ(p->ip_offset, 14u);
  EXPECT_EQ(p->tcp_offset, 34u);
  EXPECT_EQ(p->tcp_header_length, 32u);
  EXPECT_EQ(p->tcp_payload_length, 5u);
  EXPECT_EQ(p->src, Ip("192.0.2.1"));
  EXPECT_EQ(p->dst_port, 51234);
  EXPECT_EQ(p->key(), FlowKey(Ip("198.51.100.7"), 51234, Ip("192.0.2.1"), 443));
}

TEST(PacketParserTest, EthernetIpv6AndVlan) {
  FrameSpec spec;
  spec.ipv6 = true;
  spec.src = "2001:db8::1";
  spec.dst = "2001:db8::2";
  std::string frame = BuildFrame(spec);
  std::optional<PacketLayout> p =
      ParsePacket(DLT_EN10MB, reinterpret_cast<const uint8_t*>(frame.data()), frame.size());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ip_version, 6);
  EXPECT_EQ(p->tcp_offset, 54u);
  EXPECT_EQ(p->src_ip_offset(), 22u);

  // The same packet behind an 802.1Q tag.
  std::string tagged = frame.substr(0, 12) + std::string("\x81\x00\x00\x07", 4) + frame.substr(12);
  p = ParsePacket(DLT_EN10MB, reinterpret_cast<const uint8_t*>(tagged.data()), tagged.size());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ip_offset, 18u);
  EXPECT_EQ(p->tcp_offset, 58u);
}

TEST(PacketParserTest, OtherLinkTypes) {
  FrameSpec spec;
  spec.link_type = 113;
  std::string sll = BuildFrame(spec);
  std::optional<PacketLayout> p =
      ParsePacket(DLT_LINUX_SLL, reinterpret_cast<const uint8_t*>(sll.data()), sll.size());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ip_offset, 16u);

  spec.link_type = DLT_RAW;
  std::string raw = BuildFrame(spec);
  p = ParsePacket(DLT_RAW, reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ip_offset, 0u);
  EXPECT_EQ(p->tcp_offset, 20u);
  EXPECT_FALSE(IsSupportedLinkType(DLT_IEEE802_11_RADIO));
}

TEST(PacketParserTest, RejectsWhatIsNotATcpSegment) {
  FrameSpec spec;
  std::string frame = BuildFrame(spec);
  auto parse = [](const std::string& f, uint32_t caplen) {
    return ParsePacket(DLT_EN10MB, reinterpret_cast<const uint8_t*>(f.data()), caplen);
  };
  EXPECT_TRUE(parse(frame, frame.size()).has_value());
  EXPECT_FALSE(parse(frame, 14 + 20 + 19).has_value());  // TCP header cut short
  std::string udp = frame;
  udp[14 + 9] = 17;
  EXPECT_FALSE(parse(udp, udp.size()).has_value());
  std::string fragment = frame;
  fragment[14 + 7] = 0x10;  // fragment offset != 0
  EXPECT_FALSE(parse(fragment, fragment.size()).has_value());
  std::string arp = frame;
  arp[12] = 0x08;
  arp[13] = 0x06;
  EXPECT_FALSE(parse(arp, arp.size()).has_value());
}

TEST(PcapFormatTest, FileHeaderIsUpstreamsBytes) {
  // ETL's sample ndt-4c6fb_..._121C1A0.pcap.gz begins with exactly these 24 bytes.
  const std::string expected(
      "\x4d\x3c\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x5e\x00\x00\x00\x01\x00\x00\x00",
      24);
  EXPECT_EQ(PcapFileHeader(94), expected);
}

TEST(PcapFormatTest, RecordKeepsHeadersAndZeroesPayload) {
  FrameSpec spec;
  spec.payload = std::string(1000, 'x');
  spec.tcp_options = 12;
  const std::string frame = BuildFrame(spec);
  const absl::Time ts = absl::FromUnixNanos(1700000000123456789);
  CapturedPacket packet = Captured(frame, ts);
  std::optional<PacketLayout> layout = ParsePacket(packet.link_type, packet.data, packet.caplen);
  ASSERT_TRUE(layout.has_value());
  const uint32_t snaplen = FlowSnaplen(packet, *layout);
  EXPECT_EQ(snaplen, 94u);  // 14 + 20 + 60, as in upstream's IPv4 archives

  Anonymizer anon(Anonymizer::Mode::kNetblock, {Ip("192.0.2.1")});
  std::string out;
  EXPECT_EQ(AppendPcapRecord(packet, *layout, snaplen, anon, &out), 16u + 94u);
  EXPECT_EQ(PcapRecordSize(packet, *layout, snaplen), out.size());
  EXPECT_EQ(Le32(out, 0), 1700000000u);
  EXPECT_EQ(Le32(out, 4), 123456789u);
  EXPECT_EQ(Le32(out, 8), 94u);
  EXPECT_EQ(Le32(out, 12), frame.size());
  const std::string data = out.substr(16);
  EXPECT_EQ(data.substr(0, 14 + 12), frame.substr(0, 14 + 12));  // link and IP up to addresses
  EXPECT_EQ(data.substr(14 + 12, 4), std::string("\xc0\x00\x02\x01", 4));  // local: kept
  EXPECT_EQ(data.substr(14 + 16, 4), std::string("\xc6\x33\x64\x00", 4));  // remote: /24
  EXPECT_EQ(data.substr(34, 32), frame.substr(34, 32));                    // TCP header untouched
  EXPECT_EQ(data.substr(66), std::string(94 - 66, '\0'));                  // payload zeroed
}

TEST(PcapFormatTest, ASnapLengthThatCutsTheAddressesZeroesWhatItKeeps) {
  // Found by the packet_parser fuzzer under ASan: anonymizing read past a record whose snap
  // length ends inside the IP header. The cut address is zeroed, never left or overread.
  const std::string frame = BuildFrame(FrameSpec());
  CapturedPacket packet = Captured(frame, absl::UnixEpoch());
  std::optional<PacketLayout> layout = ParsePacket(packet.link_type, packet.data, packet.caplen);
  ASSERT_TRUE(layout.has_value());
  Anonymizer anon(Anonymizer::Mode::kNetblock, {Ip("192.0.2.1")});
  std::string out;
  EXPECT_EQ(AppendPcapRecord(packet, *layout, /*snaplen=*/14 + 18, anon, &out), 16u + 32u);
  const std::string data = out.substr(16);
  EXPECT_EQ(data.substr(0, 14 + 12), frame.substr(0, 14 + 12));
  EXPECT_EQ(data.substr(14 + 12, 4), std::string("\xc0\x00\x02\x01", 4));  // local, whole: kept
  EXPECT_EQ(data.substr(14 + 16, 2), std::string(2, '\0'));  // remote, cut at 2 bytes: zeroed
}

TEST(PcapFormatTest, NonEthernetCapturesAreWrittenAsEthernet) {
  FrameSpec spec;
  spec.ipv6 = true;
  spec.src = "2001:db8::1";
  spec.dst = "2001:db8::2";
  spec.link_type = DLT_LINUX_SLL;
  spec.payload = "abc";
  const std::string frame = BuildFrame(spec);
  CapturedPacket packet = Captured(frame, absl::UnixEpoch(), 256, DLT_LINUX_SLL);
  std::optional<PacketLayout> layout = ParsePacket(packet.link_type, packet.data, packet.caplen);
  ASSERT_TRUE(layout.has_value());
  const uint32_t snaplen = FlowSnaplen(packet, *layout);
  EXPECT_EQ(snaplen, 114u);  // 14 + 40 + 60: the same as Ethernet captures of IPv6
  std::string out;
  AppendPcapRecord(packet, *layout, snaplen, Anonymizer(Anonymizer::Mode::kNone, {}), &out);
  const std::string data = out.substr(16);
  ASSERT_EQ(data.size(), 14u + 40 + 32 + 3);
  EXPECT_EQ(Le32(out, 12), frame.size() - 16 + 14);  // orig_len in Ethernet framing
  EXPECT_EQ(data.substr(0, 12), std::string(12, '\0'));
  EXPECT_EQ(data.substr(12, 2), std::string("\x86\xdd", 2));
  EXPECT_EQ(data.substr(14, 72), frame.substr(16, 72));
  EXPECT_EQ(data.substr(86), std::string(3, '\0'));
}

}  // namespace
}  // namespace mlab::packet_headers
