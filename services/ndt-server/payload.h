#ifndef MLAB_SERVICES_NDT_SERVER_PAYLOAD_H_
#define MLAB_SERVICES_NDT_SERVER_PAYLOAD_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/ndt-server/spec.h"

namespace mlab::ndt7 {

// One read-only buffer of kMaxScaledMessageSize random bytes for every connection: server frames
// are not masked, so every download message is a prefix of it and nothing is copied per send.
// It is the payload of FramedPayload's largest frame, so the process holds it once.
absl::string_view SharedPayload();

// Every download message as a complete server WebSocket frame (header, then a prefix of
// SharedPayload()), one per message size, built once for the whole process. Cleartext
// connections write a frame with one send(2) from data(), or with sendfile(2) from fd() (a
// sealed memfd holding the same bytes), so no message is ever assembled or copied in user space.
class FramedPayload {
 public:
  struct Frame {
    off_t offset = 0;
    size_t length = 0;  // header and payload
  };

  // The process-wide instance, built on first use.
  static const FramedPayload& Get();

  // All frames, back to back.
  const char* data() const { return data_; }
  // The same bytes as a file for sendfile(2); -1 if this kernel gave us no memfd.
  int fd() const { return fd_; }
  // The largest frame's payload: SharedPayload().
  absl::string_view payload() const;
  // `message_size` must be one MessageSizer yields: kInitialMessageSize doubled, at most
  // kMaxScaledMessageSize.
  Frame FrameFor(size_t message_size) const;

 private:
  static const FramedPayload* Build();
  FramedPayload(const char* data, int fd, std::vector<Frame> frames)
      : data_(data), fd_(fd), frames_(std::move(frames)) {}
  const char* const data_;
  const int fd_;
  const std::vector<Frame> frames_;  // index k: kInitialMessageSize << k
};

// How cleartext downloads hand frames to the kernel (-ndt7.sendfile).
enum class FrameWrite {
  // send(2), the kernel copying into its own large buffers: cheapest end to end when the
  // receiver is on this host (loopback), which would otherwise copy out of 4 KiB fragments.
  kSend,
  // sendfile(2): the socket references the memfd's pages, nothing is copied on the send path;
  // the NIC gathers them. For peers across a network.
  kSendfile,
};

// `auto` picks kSend for peers on this host and kSendfile otherwise; `always`, `never` force it.
enum class FrameWritePolicy { kAuto, kAlways, kNever };
FrameWrite ChooseFrameWrite(FrameWritePolicy policy, bool peer_is_local, bool have_memfd);

// The header of an unmasked, final, binary frame of `payload_size` bytes (RFC 6455 5.2);
// returns its length (2, 4 or 10) in `out`.
size_t BinaryFrameHeader(uint64_t payload_size, unsigned char out[10]);

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
