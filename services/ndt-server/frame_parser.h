#ifndef MLAB_SERVICES_NDT_SERVER_FRAME_PARSER_H_
#define MLAB_SERVICES_NDT_SERVER_FRAME_PARSER_H_

// Client-to-server WebSocket frames (RFC 6455) for the upload fast path: binary payload is
// neither copied nor unmasked, only counted (the caller can drop it in the kernel with
// MSG_TRUNC); text messages are unmasked and reassembled; Ping and Close are reported.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mlab::ndt7 {

class FrameParser {
 public:
  struct Event {
    enum class Kind { kText, kPing, kClose, kError };
    Kind kind;
    std::string payload;      // text message, ping payload, close reason, or the error
    uint16_t close_code = 0;  // kClose: the peer's code (1005 if none); kError: ours to send
  };

  explicit FrameParser(uint64_t max_message_size) : max_message_(max_message_size) {}

  // Parses `data` (bytes read from the socket); appends what completed to `events`. After a
  // kError or kClose event nothing more is parsed.
  void Consume(absl::string_view data, std::vector<Event>* events);

  // Bytes of binary payload that come next on the wire and may be dropped unread.
  uint64_t skippable() const { return in_payload_ && !text_ && !control_ ? remaining_ : 0; }
  // Records that `n` <= skippable() bytes were dropped.
  void Skip(uint64_t n, std::vector<Event>* events);

  uint64_t binary_bytes() const { return binary_bytes_; }
  bool done() const { return done_; }

 private:
  void Fail(uint16_t code, const char* why, std::vector<Event>* events);
  void FinishFrame(std::vector<Event>* events);

  const uint64_t max_message_;
  unsigned char header_[14];
  size_t header_len_ = 0;
  bool in_payload_ = false;
  uint64_t remaining_ = 0;
  unsigned char mask_[4];
  size_t mask_offset_ = 0;
  bool fin_ = false;
  int opcode_ = 0;
  bool control_ = false;
  bool text_ = false;        // the current data frame belongs to a text message
  bool in_message_ = false;  // a fragmented message is in progress
  bool message_is_text_ = false;
  uint64_t message_size_ = 0;
  std::string text_buf_;     // text message being assembled
  std::string control_buf_;  // control frame payload
  uint64_t binary_bytes_ = 0;
  bool done_ = false;
};

// XOR-unmasks `n` bytes at `data` with `mask`, starting at mask byte `offset` (word at a time).
void Unmask(char* data, size_t n, const unsigned char mask[4], size_t offset);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_FRAME_PARSER_H_
