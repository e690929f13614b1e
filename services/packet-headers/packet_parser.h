#ifndef MLAB_SERVICES_PACKET_HEADERS_PACKET_PARSER_H_
#define MLAB_SERVICES_PACKET_HEADERS_PACKET_PARSER_H_

#include <cstdint>
#include <optional>

#include "services/packet-headers/flow_key.h"

namespace mlab::packet_headers {

// One packet as libpcap delivered it. `data` is only valid during the callback.
struct CapturedPacket {
  int64_t timestamp_ns = 0;  // since the Unix epoch
  const uint8_t* data = nullptr;
  uint32_t caplen = 0;   // bytes captured
  uint32_t wirelen = 0;  // bytes on the wire
  int link_type = 1;     // pcap DLT_* of the capture
};

// Where the layers of a captured TCP/IP packet are; offsets index CapturedPacket::data.
struct PacketLayout {
  uint32_t ip_offset = 0;
  uint8_t ip_version = 0;  // 4 or 6
  uint32_t tcp_offset = 0;
  uint32_t tcp_header_length = 0;   // from the data offset field; may reach past caplen
  uint32_t tcp_payload_length = 0;  // per the IP length fields (0 when they are unset, e.g. GSO)
  IpAddress src;
  IpAddress dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;

  FlowKey key() const { return FlowKey(src, src_port, dst, dst_port); }
  // Offsets of the two addresses inside the IP header.
  uint32_t src_ip_offset() const { return ip_offset + (ip_version == 4 ? 12 : 8); }
  uint32_t dst_ip_offset() const { return ip_offset + (ip_version == 4 ? 16 : 24); }
};

// True for the link types ParsePacket understands: Ethernet (with VLAN tags), Linux cooked v1/v2,
// raw IP, BSD loopback and DLT_IPV4/DLT_IPV6.
bool IsSupportedLinkType(int link_type);

// Finds IP and TCP in a captured frame without copying. nullopt for anything that is not a TCP
// segment with its fixed 20-byte header captured (ARP, UDP, non-first fragments, short captures).
std::optional<PacketLayout> ParsePacket(int link_type, const uint8_t* data, uint32_t caplen);

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_PACKET_PARSER_H_
