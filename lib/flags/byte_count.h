#ifndef MLAB_LIB_FLAGS_BYTE_COUNT_H_
#define MLAB_LIB_FLAGS_BYTE_COUNT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/flags/flag_traits.h"

namespace mlab::flags {

// ByteCount is a size with M-Lab's decimal units (m-lab/go bytecount): "20MB" is 20,000,000 bytes.
class ByteCount {
 public:
  static constexpr int64_t kByte = 1;
  static constexpr int64_t kKilobyte = 1000 * kByte;
  static constexpr int64_t kMegabyte = 1000 * kKilobyte;
  static constexpr int64_t kGigabyte = 1000 * kMegabyte;

  constexpr ByteCount() = default;
  constexpr explicit ByteCount(int64_t bytes) : bytes_(bytes) {}

  // Accepts ^[0-9]+([KMG]?B?)?$: "" or "B" = 1, "K"/"KB" = 1e3, "M"/"MB" = 1e6, "G"/"GB" = 1e9.
  static absl::StatusOr<ByteCount> Parse(std::string_view text);

  constexpr int64_t bytes() const { return bytes_; }
  // The largest unit that divides evenly: "50MB", "10KB", "1234B", "0B".
  std::string ToString() const;

  friend constexpr bool operator==(ByteCount a, ByteCount b) { return a.bytes_ == b.bytes_; }
  friend constexpr bool operator!=(ByteCount a, ByteCount b) { return a.bytes_ != b.bytes_; }

 private:
  int64_t bytes_ = 0;
};

template <>
struct FlagTraits<ByteCount> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(ByteCount) { return "bytes"; }
  static absl::Status Parse(std::string_view text, ByteCount* value);
  static std::string Format(ByteCount value) { return value.ToString(); }
  static bool IsZero(ByteCount value) { return value.bytes() == 0; }
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_BYTE_COUNT_H_
