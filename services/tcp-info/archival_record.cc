#include "services/tcp-info/archival_record.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/json/go_encoding.h"

namespace mlab::tcpinfo {

using json::AppendGoBytes;
using json::AppendGoString;
using json::AppendGoTime;
using json::GoZeroTime;

void AppendMetadataLine(absl::string_view uuid, int64_t sequence, absl::Time start_time,
                        std::string* out) {
  out->append("{\"Timestamp\":");
  AppendGoTime(GoZeroTime(), out);
  out->append(",\"Metadata\":{\"UUID\":");
  AppendGoString(uuid, out);
  absl::StrAppend(out, ",\"Sequence\":", sequence, ",\"StartTime\":");
  AppendGoTime(start_time, out);
  out->append("}}");
}

void AppendSnapshotLine(absl::Time timestamp, absl::string_view raw_idm,
                        const SocketSnapshot& snapshot, std::string* out) {
  out->append("{\"Timestamp\":");
  AppendGoTime(timestamp, out);
  if (!raw_idm.empty()) {  // Go's omitempty
    out->append(",\"RawIDM\":");
    AppendGoBytes(raw_idm, out);
  }
  out->append(",\"Attributes\":[");
  const int slots = snapshot.attribute_slots();
  for (int type = 0; type < slots; ++type) {
    if (type > 0) out->push_back(',');
    std::optional<absl::string_view> payload = snapshot.attribute(type);
    if (payload.has_value()) {
      AppendGoBytes(*payload, out);
    } else {
      out->append("null");
    }
  }
  out->append("]}");
}

void AppendSnapshotLine(const SocketSnapshot& snapshot, std::string* out) {
  AppendSnapshotLine(snapshot.timestamp(), snapshot.raw_idm(), snapshot, out);
}

}  // namespace mlab::tcpinfo
