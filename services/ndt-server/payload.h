#ifndef MLAB_SERVICES_NDT_SERVER_PAYLOAD_H_
#define MLAB_SERVICES_NDT_SERVER_PAYLOAD_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "services/ndt-server/spec.h"

namespace mlab::ndt7 {

// One read-only buffer of kMaxScaledMessageSize random bytes for every connection: server frames
// are not masked, so every download message is a prefix of it and nothing is copied per send.
absl::string_view SharedPayload();

// The download message size: starts at 8 KiB and doubles whenever the next size is at most
// 1/16 of what has been sent, up to the 1 MiB cap (upstream's scaling rule).
class MessageSizer {
 public:
  size_t size() const { return size_; }
  int64_t total_sent() const { return total_; }

  // Records that one message of size() went out and picks the size of the next one.
  void OnSent() {
    total_ += static_cast<int64_t>(size_);
    if (size_ >= kMaxScaledMessageSize) return;
    if (static_cast<int64_t>(size_) > total_ / static_cast<int64_t>(kScalingFraction)) return;
    size_ *= 2;
  }

 private:
  size_t size_ = kInitialMessageSize;
  int64_t total_ = 0;
};

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_PAYLOAD_H_
