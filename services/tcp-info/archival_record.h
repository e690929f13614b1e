#ifndef MLAB_SERVICES_TCP_INFO_ARCHIVAL_RECORD_H_
#define MLAB_SERVICES_TCP_INFO_ARCHIVAL_RECORD_H_

// The lines of a tcpinfo archive (<UUID>.<seq>.jsonl.zst), byte for byte what upstream's
// ArchivalRecord marshals to and what M-Lab's ETL parses:
//
//   {"Timestamp":"0001-01-01T00:00:00Z","Metadata":{"UUID":"…","Sequence":0,"StartTime":"…"}}
//   {"Timestamp":"…","RawIDM":"<base64 inet_diag_msg>","Attributes":[null,"<base64>",…]}

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/tcp-info/socket_snapshot.h"

namespace mlab::tcpinfo {

// Appends the header line of an archive file (no newline).
void AppendMetadataLine(absl::string_view uuid, int64_t sequence, absl::Time start_time,
                        std::string* out);

// Appends the data line of `snapshot` (no newline): `timestamp`, `raw_idm` (the snapshot's own
// bytes, or an anonymized copy) and every attribute slot, null where the kernel sent none.
void AppendSnapshotLine(absl::Time timestamp, absl::string_view raw_idm,
                        const SocketSnapshot& snapshot, std::string* out);

// The same with the snapshot's own timestamp and RawIDM.
void AppendSnapshotLine(const SocketSnapshot& snapshot, std::string* out);

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_ARCHIVAL_RECORD_H_
