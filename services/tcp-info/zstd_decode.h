#ifndef MLAB_SERVICES_TCP_INFO_ZSTD_DECODE_H_
#define MLAB_SERVICES_TCP_INFO_ZSTD_DECODE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::tcpinfo {

// What could be decompressed from a zstd stream that may be cut short or damaged.
struct ZstdPrefix {
  std::string data;
  // True when every byte was consumed and the last frame ended (checksum verified).
  bool complete = false;
  // Why decoding stopped early, when it did.
  std::string error;
};

// Decompresses as much of `compressed` (one or more frames) as is valid.
ZstdPrefix DecompressPrefix(absl::string_view compressed);

// Decompresses a complete stream; fails on any truncation or corruption.
absl::StatusOr<std::string> Decompress(absl::string_view compressed);

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_ZSTD_DECODE_H_
