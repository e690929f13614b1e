#include "services/packet-headers/packet_parser.h"

#include <pcap/dlt.h>

namespace mlab::packet_headers {
namespace {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86DD;
constexpr uint8_t kProtoTcp = 6;

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// The offset of the IP header and its version, from the link-layer header; false if the frame
// does not carry IPv4 or IPv6.
bool FindIp(int link_type, const uint8_t* data, uint32_t caplen, uint32_t* offset) {
  uint16_t ethertype = 0;
  switch (link_type) {
    case DLT_EN10MB: {
      uint32_t at = 12;
      if (caplen < at + 2) return false;
      ethertype = Be16(data + at);
      // 802.1Q, 802.1ad and the old QinQ type: up to two tags on a host.
      for (int tags = 0;
           tags < 2 && (ethertype == 0x8100 || ethertype == 0x88A8 || ethertype == 0x9100);
           ++tags) {
        at += 4;
        if (caplen < at + 2) return false;
        ethertype = Be16(data + at);
      }
      *offset = at + 2;
      break;
    }
    case DLT_LINUX_SLL:
      if (caplen < 16) return false;
      ethertype = Be16(data + 14);
      *offset = 16;
      break;
    case DLT_LINUX_SLL2:
      if (caplen < 20) return false;
      ethertype = Be16(data);
      *offset = 20;
      break;
    case DLT_NULL:
    case DLT_LOOP: {
      if (caplen < 4) return false;
      uint32_t family = link_type == DLT_LOOP
                            ? (uint32_t{data[0]} << 24 | uint32_t{data[1]} << 16 |
                               uint32_t{data[2]} << 8 | data[3])
                            : (uint32_t{data[3]} << 24 | uint32_t{data[2]} << 16 |
                               uint32_t{data[1]} << 8 | data[0]);  // host order (little endian)
      *offset = 4;
      // AF_INET is 2 everywhere; AF_INET6 differs between the BSDs (24, 28, 30) and Linux (10).
      if (family == 2) return caplen > 4 && (data[4] >> 4) == 4;
      if (family == 10 || family == 24 || family == 28 || family == 30) {
        return caplen > 4 && (data[4] >> 4) == 6;
      }
      return false;
    }
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      *offset = 0;
      return caplen > 0 && ((data[0] >> 4) == 4 || (data[0] >> 4) == 6);
    default:
      return false;
  }
  if (ethertype != kEtherTypeIpv4 && ethertype != kEtherTypeIpv6) return false;
  return caplen > *offset && (data[*offset] >> 4) == (ethertype == kEtherTypeIpv4 ? 4 : 6);
}

}  // namespace

bool IsSupportedLinkType(int link_type) {
  switch (link_type) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      return true;
    default:
      return false;
  }
}

std::optional<PacketLayout> ParsePacket(int link_type, const uint8_t* data, uint32_t caplen) {
  PacketLayout p;
  if (!FindIp(link_type, data, caplen, &p.ip_offset)) return std::nullopt;
  const uint8_t* ip = data + p.ip_offset;
  const uint32_t available = caplen - p.ip_offset;
  p.ip_version = ip[0] >> 4;
  uint32_t ip_payload_length = 0;  // 0 = unknown
  if (p.ip_version == 4) {
    if (available < 20) return std::nullopt;
    const uint32_t header_length = (ip[0] & 0x0F) * 4u;
    if (header_length < 20 || available < header_length) return std::nullopt;
    if (ip[9] != kProtoTcp) return std::nullopt;
    if ((Be16(ip + 6) & 0x1FFF) != 0) return std::nullopt;  // not the first fragment: no TCP header
    const uint32_t total_length = Be16(ip + 2);
    if (total_length >= header_length) ip_payload_length = total_length - header_length;
    p.src = IpAddress::V4(ip + 12);
    p.dst = IpAddress::V4(ip + 16);
    p.tcp_offset = p.ip_offset + header_length;
  } else {
    if (available < 40) return std::nullopt;
    ip_payload_length = Be16(ip + 4);  // 0 for jumbograms (BIG TCP): unknown
    p.src = IpAddress::V6(ip + 8);
    p.dst = IpAddress::V6(ip + 24);
    uint8_t next = ip[6];
    uint32_t at = 40;
    // Extension headers a TCP segment may carry: hop-by-hop, routing, destination options,
    // fragment (first fragment only) and AH.
    for (int i = 0; i < 8 && next != kProtoTcp; ++i) {
      if (available < at + 8) return std::nullopt;
      const uint8_t* ext = ip + at;
      uint32_t length;
      if (next == 0 || next == 43 || next == 60) {
        length = (ext[1] + 1u) * 8u;
      } else if (next == 44) {
        if ((Be16(ext + 2) & 0xFFF8) != 0) return std::nullopt;
        length = 8;
      } else if (next == 51) {
        length = (ext[1] + 2u) * 4u;
      } else {
        return std::nullopt;
      }
      next = ext[0];
      at += length;
      if (ip_payload_length != 0) {
        if (ip_payload_length < length) return std::nullopt;
        ip_payload_length -= length;
      }
    }
    if (next != kProtoTcp) return std::nullopt;
    p.tcp_offset = p.ip_offset + at;
  }
  if (caplen < p.tcp_offset + 20) return std::nullopt;
  const uint8_t* tcp = data + p.tcp_offset;
  p.src_port = Be16(tcp);
  p.dst_port = Be16(tcp + 2);
  p.tcp_header_length = (tcp[12] >> 4) * 4u;
  if (p.tcp_header_length < 20) return std::nullopt;
  if (ip_payload_length > p.tcp_header_length) {
    p.tcp_payload_length = ip_payload_length - p.tcp_header_length;
  }
  return p;
}

}  // namespace mlab::packet_headers
