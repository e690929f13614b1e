#ifndef MLAB_SERVICES_TCP_INFO_ARCHIVE_REPAIR_H_
#define MLAB_SERVICES_TCP_INFO_ARCHIVE_REPAIR_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "lib/spool/spool_dir.h"

namespace mlab::tcpinfo {

struct RepairReport {
  int repaired = 0;   // committed under their own name
  int renamed = 0;    // committed under the next free sequence (header updated to match)
  int discarded = 0;  // nothing recorded beyond a header
  int failed = 0;
  uint64_t lines = 0;  // lines recovered, headers included
};

// Completes the archives a killed predecessor left staged: decompresses what is valid of each
// truncated zstd stream, keeps its whole lines and writes them as a complete archive (one frame,
// checksum) under its intended name, or under the next free sequence if that name was taken
// meanwhile. Run before polling starts, so the flows it continues find these names taken.
absl::StatusOr<RepairReport> RepairLeftovers(const spool::SpoolDir& spool);

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_ARCHIVE_REPAIR_H_
