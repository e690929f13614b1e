#ifndef MLAB_SERVICES_PUSHER_CHECKSUMS_H_
#define MLAB_SERVICES_PUSHER_CHECKSUMS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace mlab::pusher {

// The 16-byte MD5 digest (what GCS calls md5Hash and S3 Content-MD5 / the ETag of a PUT).
std::string Md5(absl::string_view data);
// Lower-case hex SHA-256 (S3's x-amz-content-sha256).
std::string Sha256Hex(absl::string_view data);
// CRC-32C (Castagnoli), extending `crc`; uses SSE4.2 when the CPU has it.
uint32_t Crc32c(absl::string_view data, uint32_t crc = 0);

std::string HexEncode(absl::string_view bytes);
// GCS's encoding of a CRC-32C: base64 of the big-endian 4 bytes.
std::string Crc32cBase64(uint32_t crc);

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_CHECKSUMS_H_
