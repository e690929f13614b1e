#include "services/ndt-server/payload.h"

#include <memory>
#include <random>

namespace mlab::ndt7 {

absl::string_view SharedPayload() {
  static const char* const payload = [] {
    char* data = new char[kMaxScaledMessageSize];
    std::random_device seed;
    std::mt19937_64 rng(seed());
    for (size_t i = 0; i + 8 <= kMaxScaledMessageSize; i += 8) {
      const uint64_t v = rng();
      __builtin_memcpy(data + i, &v, 8);
    }
    return data;
  }();
  return absl::string_view(payload, kMaxScaledMessageSize);
}

}  // namespace mlab::ndt7
