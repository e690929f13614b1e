// Fuzz target: one captured packet of any supported link type (the first input byte picks it),
// located down to its TCP header as the demuxer does, then written as a pcap record (Ethernet
// framing, anonymized addresses, payload zeroed) with snap lengths taken from itself and from the
// input, as the flow saver does.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/packet-headers/anonymizer.h"
#include "services/packet-headers/packet_parser.h"
#include "services/packet-headers/pcap_format.h"

namespace {

// pcap DLT_* values the parser supports, and one it does not.
constexpr int kLinkTypes[] = {1 /*EN10MB*/, 113 /*LINUX_SLL*/, 276 /*LINUX_SLL2*/,
                              0 /*NULL*/,   108 /*LOOP*/,      12 /*RAW*/,
                              228 /*IPV4*/, 229 /*IPV6*/,      105 /*IEEE802_11: unsupported*/};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::packet_headers;
  if (size < 1) return 0;
  const int link_type = kLinkTypes[data[0] % (sizeof(kLinkTypes) / sizeof(kLinkTypes[0]))];
  // An exact-size copy: ASan reports any read past caplen.
  std::vector<uint8_t> packet(data + 1, data + size);
  const uint32_t caplen = static_cast<uint32_t>(packet.size());
  IsSupportedLinkType(link_type);
  std::optional<PacketLayout> layout = ParsePacket(link_type, packet.data(), caplen);
  if (!layout) return 0;
  const uint32_t address_bytes = layout->ip_version == 4 ? 4 : 16;
  if (layout->tcp_offset + 20 > caplen || layout->ip_offset >= layout->tcp_offset ||
      layout->src_ip_offset() + address_bytes > caplen ||
      layout->dst_ip_offset() + address_bytes > caplen || layout->tcp_header_length < 20) {
    __builtin_trap();  // the layout points outside the captured bytes
  }
  layout->key();
  static const Anonymizer* anonymizer = new Anonymizer(Anonymizer::Mode::kNetblock, {});
  CapturedPacket captured;
  captured.timestamp_ns = 1700000000000000000;
  captured.data = packet.data();
  captured.caplen = caplen;
  captured.wirelen = caplen + (data[0] & 0x80 ? 1000 : 0);
  captured.link_type = link_type;
  const uint32_t flow_snaplen = FlowSnaplen(captured, *layout);
  for (uint32_t snaplen : {flow_snaplen, uint32_t{1}, caplen, caplen + 100}) {
    std::string out;
    const size_t expected = PcapRecordSize(captured, *layout, snaplen);
    if (AppendPcapRecord(captured, *layout, snaplen, *anonymizer, &out) != expected ||
        out.size() != expected) {
      __builtin_trap();  // the record is not the size the writer reserved for it
    }
  }
  return 0;
}
