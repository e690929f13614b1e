// Fuzz target: one sock_diag dump buffer (netlink messages with inet_diag_msg and attributes,
// tcp_info of any length) parsed into snapshots, each written as an archive line and diffed
// against the previous one, as the poller does with every dump the kernel sends. Every line must
// be one JSON object on one line, whatever the attributes hold.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rapidjson/document.h"
#include "services/tcp-info/archival_record.h"
#include "services/tcp-info/snapshot_diff.h"
#include "services/tcp-info/socket_snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::tcpinfo;
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<SocketSnapshot>> snapshots = ParseSockDiagMessages(bytes);
  if (!snapshots.ok()) return 0;
  const SocketSnapshot* previous = nullptr;
  std::string line;
  for (SocketSnapshot& snapshot : *snapshots) {
    snapshot.set_timestamp(absl::FromUnixSeconds(1700000000));
    for (int type = -1; type <= kMaxArchivedAttributeType + 1; ++type) snapshot.attribute(type);
    snapshot.cookie();
    line.clear();
    AppendSnapshotLine(snapshot, &line);
    rapidjson::Document doc;
    doc.Parse(line.data(), line.size());
    if (doc.HasParseError() || !doc.IsObject() || line.find('\n') != std::string::npos) {
      __builtin_trap();
    }
    DiffSnapshots(previous, snapshot);
    previous = &snapshot;
  }
  return 0;
}
