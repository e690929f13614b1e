#ifndef MLAB_SERVICES_PACKET_HEADERS_PCAP_FORMAT_H_
#define MLAB_SERVICES_PACKET_HEADERS_PCAP_FORMAT_H_

// The classic pcap layout packet-headers archives use (what ETL's pcapgo reader accepts):
// little-endian, nanosecond magic, version 2.4, Ethernet framing, snap length = the flow's
// header length, every TCP payload byte zeroed.

#include <cstddef>
#include <cstdint>
#include <string>

#include "services/packet-headers/anonymizer.h"
#include "services/packet-headers/packet_parser.h"

namespace mlab::packet_headers {

inline constexpr uint32_t kPcapMagicNanoseconds = 0xA1B23C4D;
inline constexpr uint32_t kLinkTypeEthernet = 1;
inline constexpr size_t kPcapFileHeaderSize = 24;
inline constexpr size_t kPcapRecordHeaderSize = 16;
// The largest TCP header (data offset 15): the header length keeps room for every option.
inline constexpr uint32_t kMaxTcpHeaderLength = 60;
// Frames that are not Ethernet on the capture get this synthetic Ethernet header (zero MACs).
inline constexpr uint32_t kEthernetHeaderLength = 14;

// The 24-byte file header.
std::string PcapFileHeader(uint32_t snaplen, uint32_t link_type = kLinkTypeEthernet);

// The snap length of a flow, from its first packet: every byte before the TCP header (in the
// Ethernet framing we write) plus the largest TCP header.
uint32_t FlowSnaplen(const CapturedPacket& packet, const PacketLayout& layout);

// The bytes AppendPcapRecord appends for this packet.
size_t PcapRecordSize(const CapturedPacket& packet, const PacketLayout& layout, uint32_t snaplen);

// Appends one record: the record header and the first min(caplen, snaplen) bytes of the packet
// in Ethernet framing, with addresses anonymized and TCP payload bytes set to zero. Returns the
// number of bytes appended.
size_t AppendPcapRecord(const CapturedPacket& packet, const PacketLayout& layout, uint32_t snaplen,
                        const Anonymizer& anonymizer, std::string* out);

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_PCAP_FORMAT_H_
