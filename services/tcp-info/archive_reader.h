#ifndef MLAB_SERVICES_TCP_INFO_ARCHIVE_READER_H_
#define MLAB_SERVICES_TCP_INFO_ARCHIVE_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlab::tcpinfo {

// One line of a tcpinfo archive read back, as ETL's reader sees it.
struct ArchiveLine {
  struct Metadata {
    std::string uuid;
    int64_t sequence = 0;
    absl::Time start_time;
  };

  absl::Time timestamp;
  std::string raw_idm;                                 // decoded; empty when absent
  std::vector<std::optional<std::string>> attributes;  // decoded; nullopt for null
  std::optional<Metadata> metadata;
};

// Parses one JSON line (RFC 3339 times with any offset, standard base64).
absl::StatusOr<ArchiveLine> ParseArchiveLine(absl::string_view line);

// Decompresses a .jsonl.zst archive and parses every line.
absl::StatusOr<std::vector<ArchiveLine>> ReadArchive(const std::string& path);

// Little-endian u64 at `offset` of a tcp_info payload, 0 past its end (e.g. bytes_sent at 200,
// bytes_received at 128).
uint64_t TcpInfoU64(absl::string_view tcp_info, size_t offset);

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_ARCHIVE_READER_H_
