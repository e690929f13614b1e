#include "services/tcp-info/legacy_event.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "lib/json/go_encoding.h"

namespace mlab::tcpinfo {
namespace {

using json::AppendGoString;
using json::AppendGoTime;

void AppendHead(int event, absl::Time timestamp, absl::string_view uuid, std::string* out) {
  absl::StrAppend(out, "{\"Event\":", event, ",\"Timestamp\":");
  AppendGoTime(timestamp, out);
  out->append(",\"UUID\":");
  AppendGoString(uuid, out);
}

}  // namespace

std::string LegacyOpenLine(absl::Time timestamp, absl::string_view uuid, const SockId& id) {
  std::string line;
  AppendHead(0, timestamp, uuid, &line);
  uint8_t interface[4];
  std::memcpy(interface, &id.interface, 4);  // the kernel's host-order bytes
  const uint32_t interface_big_endian = static_cast<uint32_t>(interface[0]) << 24 |
                                        static_cast<uint32_t>(interface[1]) << 16 |
                                        static_cast<uint32_t>(interface[2]) << 8 | interface[3];
  absl::StrAppend(&line, ",\"ID\":{\"SPort\":", id.src_port, ",\"DPort\":", id.dst_port,
                  ",\"SrcIP\":");
  AppendGoString(FormatAddressLikeUpstream(id.src), &line);
  line.append(",\"DstIP\":");
  AppendGoString(FormatAddressLikeUpstream(id.dst), &line);
  absl::StrAppend(&line, ",\"Interface\":", interface_big_endian,
                  ",\"Cookie\":", static_cast<int64_t>(id.cookie), "}}\n");
  return line;
}

std::string LegacyCloseLine(absl::Time timestamp, absl::string_view uuid) {
  std::string line;
  AppendHead(1, timestamp, uuid, &line);
  line.append(",\"ID\":null}\n");
  return line;
}

}  // namespace mlab::tcpinfo
