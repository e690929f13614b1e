#include "services/packet-headers/pcap_format.h"

#include <pcap/dlt.h>

#include <algorithm>
#include <cstring>

namespace mlab::packet_headers {
namespace {

void PutLe16(uint16_t v, char* p) {
  p[0] = static_cast<char>(v);
  p[1] = static_cast<char>(v >> 8);
}

void PutLe32(uint32_t v, char* p) {
  p[0] = static_cast<char>(v);
  p[1] = static_cast<char>(v >> 8);
  p[2] = static_cast<char>(v >> 16);
  p[3] = static_cast<char>(v >> 24);
}

// Where IP starts in the frame we write: captured Ethernet keeps its header (VLAN tags included).
uint32_t OutputIpOffset(const CapturedPacket& packet, const PacketLayout& layout) {
  return packet.link_type == DLT_EN10MB ? layout.ip_offset : kEthernetHeaderLength;
}

}  // namespace

std::string PcapFileHeader(uint32_t snaplen, uint32_t link_type) {
  std::string header(kPcapFileHeaderSize, '\0');
  PutLe32(kPcapMagicNanoseconds, &header[0]);
  PutLe16(2, &header[4]);  // version 2.4
  PutLe16(4, &header[6]);
  // thiszone and sigfigs stay 0.
  PutLe32(snaplen, &header[16]);
  PutLe32(link_type, &header[20]);
  return header;
}

uint32_t FlowSnaplen(const CapturedPacket& packet, const PacketLayout& layout) {
  return OutputIpOffset(packet, layout) + (layout.tcp_offset - layout.ip_offset) +
         kMaxTcpHeaderLength;
}

size_t PcapRecordSize(const CapturedPacket& packet, const PacketLayout& layout, uint32_t snaplen) {
  const uint32_t frame_caplen = OutputIpOffset(packet, layout) + (packet.caplen - layout.ip_offset);
  return kPcapRecordHeaderSize + std::min(frame_caplen, snaplen);
}

size_t AppendPcapRecord(const CapturedPacket& packet, const PacketLayout& layout, uint32_t snaplen,
                        const Anonymizer& anonymizer, std::string* out) {
  const uint32_t out_ip = OutputIpOffset(packet, layout);
  // The frame we write: the same IP packet, behind `out_ip` bytes of Ethernet header.
  const uint32_t frame_caplen = out_ip + (packet.caplen - layout.ip_offset);
  const uint32_t frame_wirelen = out_ip + (packet.wirelen - layout.ip_offset);
  const uint32_t incl = std::min(frame_caplen, snaplen);

  const size_t start = out->size();
  out->resize(start + kPcapRecordHeaderSize + incl);
  char* record = &(*out)[start];
  PutLe32(static_cast<uint32_t>(packet.timestamp_ns / 1000000000), record);
  PutLe32(static_cast<uint32_t>(packet.timestamp_ns % 1000000000), record + 4);
  PutLe32(incl, record + 8);
  PutLe32(frame_wirelen, record + 12);

  uint8_t* frame = reinterpret_cast<uint8_t*>(record + kPcapRecordHeaderSize);
  if (packet.link_type == DLT_EN10MB) {
    std::memcpy(frame, packet.data, incl);
  } else {
    // Zero MACs, as Linux loopback frames have; the EtherType says which IP follows.
    std::memset(frame, 0, 12);
    frame[12] = layout.ip_version == 4 ? 0x08 : 0x86;
    frame[13] = layout.ip_version == 4 ? 0x00 : 0xDD;
    if (incl > out_ip) std::memcpy(frame + out_ip, packet.data + layout.ip_offset, incl - out_ip);
  }

  // The addresses sit in the fixed IP header; a snap length shorter than that header (never the
  // service's, but possible for a caller) cuts them: then the captured part is zeroed, so
  // anonymization never reads past the record nor leaves address bytes in it.
  if (anonymizer.enabled()) {
    const uint32_t length = layout.ip_version == 4 ? 4 : 16;
    for (uint32_t offset : {layout.src_ip_offset() - layout.ip_offset + out_ip,
                            layout.dst_ip_offset() - layout.ip_offset + out_ip}) {
      if (offset + length <= incl) {
        anonymizer.AnonymizeInPlace(layout.ip_version, frame + offset);
      } else if (offset < incl) {
        std::memset(frame + offset, 0, incl - offset);
      }
    }
  }
  // Everything after the TCP header is application data (or trailer padding): zero it.
  const uint32_t payload = layout.tcp_offset - layout.ip_offset + out_ip + layout.tcp_header_length;
  if (payload < incl) std::memset(frame + payload, 0, incl - payload);
  return kPcapRecordHeaderSize + incl;
}

}  // namespace mlab::packet_headers
