// Splits one fuzz input into the pieces a target needs (a choice, a few numbers, several
// messages), deterministically, so every byte string is a valid input and crashes reproduce.
#ifndef MLAB_LIB_TESTING_FUZZ_INPUT_H_
#define MLAB_LIB_TESTING_FUZZ_INPUT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace mlab::testing {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : data_(reinterpret_cast<const char*>(data)), size_(data == nullptr ? 0 : size) {}

  bool empty() const { return pos_ >= size_; }
  size_t remaining() const { return size_ - pos_; }

  // The next byte, or 0 once the input is used up.
  uint8_t Byte() { return empty() ? 0 : static_cast<uint8_t>(data_[pos_++]); }
  uint16_t U16() { return static_cast<uint16_t>(Byte() << 8 | Byte()); }
  uint32_t U32() { return static_cast<uint32_t>(U16()) << 16 | U16(); }
  uint64_t U64() { return static_cast<uint64_t>(U32()) << 32 | U32(); }

  // Up to `n` bytes (fewer at the end of the input).
  absl::string_view Bytes(size_t n) {
    n = std::min(n, remaining());
    absl::string_view out(data_ + pos_, n);
    pos_ += n;
    return out;
  }
  // A piece whose length comes from the next two bytes (big-endian).
  absl::string_view LengthPrefixed() { return Bytes(U16()); }
  // Everything not consumed yet.
  absl::string_view Rest() { return Bytes(remaining()); }

 private:
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace mlab::testing

#endif  // MLAB_LIB_TESTING_FUZZ_INPUT_H_
