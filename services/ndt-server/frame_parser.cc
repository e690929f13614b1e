#include "services/ndt-server/frame_parser.h"

#include <algorithm>
#include <cstring>

namespace mlab::ndt7 {

void Unmask(char* data, size_t n, const unsigned char mask[4], size_t offset) {
  size_t i = 0;
  // Bytewise up to the key's start, then 8 bytes at a time with the rotated key.
  while (i < n && (offset + i) % 4 != 0) {
    data[i] ^= mask[(offset + i) % 4];
    ++i;
  }
  uint64_t key;
  unsigned char k8[8] = {mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3]};
  std::memcpy(&key, k8, 8);
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, data + i, 8);
    v ^= key;
    std::memcpy(data + i, &v, 8);
  }
  for (; i < n; ++i) data[i] ^= mask[(offset + i) % 4];
}

void FrameParser::Fail(uint16_t code, const char* why, std::vector<Event>* events) {
  done_ = true;
  events->push_back(Event{Event::Kind::kError, why, code});
}

void FrameParser::Skip(uint64_t n, std::vector<Event>* events) {
  n = std::min(n, skippable());
  remaining_ -= n;
  binary_bytes_ += n;
  if (remaining_ == 0) FinishFrame(events);
}

void FrameParser::FinishFrame(std::vector<Event>* events) {
  in_payload_ = false;
  header_len_ = 0;
  if (control_) {
    if (opcode_ == 0x9) {
      events->push_back(Event{Event::Kind::kPing, std::move(control_buf_)});
    } else if (opcode_ == 0x8) {
      done_ = true;
      uint16_t code = 1005;
      std::string reason;
      if (control_buf_.size() == 1) return Fail(1002, "close frame with a 1-byte payload", events);
      if (control_buf_.size() >= 2) {
        code = static_cast<uint16_t>((static_cast<unsigned char>(control_buf_[0]) << 8) |
                                     static_cast<unsigned char>(control_buf_[1]));
        reason = control_buf_.substr(2);
      }
      events->push_back(Event{Event::Kind::kClose, std::move(reason), code});
    }  // Pong: nothing to do.
    control_buf_.clear();
    return;
  }
  if (fin_) {
    in_message_ = false;
    if (message_is_text_) {
      events->push_back(Event{Event::Kind::kText, std::move(text_buf_)});
      text_buf_.clear();
    }
  }
}

void FrameParser::Consume(absl::string_view data, std::vector<Event>* events) {
  while (!data.empty() && !done_) {
    if (!in_payload_) {
      // Collect the header: 2 bytes, then the extended length and the mask key.
      header_[header_len_++] = static_cast<unsigned char>(data[0]);
      data.remove_prefix(1);
      if (header_len_ < 2) continue;
      if ((header_[1] & 0x80) == 0) return Fail(1002, "client frame not masked", events);
      const unsigned len7 = header_[1] & 0x7f;
      const size_t need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
      if (header_len_ < need) continue;
      fin_ = (header_[0] & 0x80) != 0;
      opcode_ = header_[0] & 0x0f;
      if ((header_[0] & 0x70) != 0) return Fail(1002, "reserved bits set", events);
      uint64_t len = len7;
      if (len7 == 126) {
        len = (uint64_t{header_[2]} << 8) | header_[3];
      } else if (len7 == 127) {
        len = 0;
        for (int i = 2; i < 10; ++i) len = (len << 8) | header_[i];
        if (len >> 63) return Fail(1002, "bad frame length", events);
      }
      std::memcpy(mask_, header_ + need - 4, 4);
      mask_offset_ = 0;
      control_ = (opcode_ & 0x8) != 0;
      if (control_) {
        if (opcode_ != 0x8 && opcode_ != 0x9 && opcode_ != 0xa) {
          return Fail(1002, "unknown control opcode", events);
        }
        if (!fin_ || len > 125) return Fail(1002, "fragmented or long control frame", events);
      } else if (opcode_ == 0x0) {
        if (!in_message_) return Fail(1002, "continuation without a message", events);
      } else if (opcode_ == 0x1 || opcode_ == 0x2) {
        if (in_message_) return Fail(1002, "new message inside a fragmented one", events);
        in_message_ = true;
        message_is_text_ = opcode_ == 0x1;
        message_size_ = 0;
      } else {
        return Fail(1002, "unknown opcode", events);
      }
      if (!control_) {
        message_size_ += len;
        if (message_size_ > max_message_) return Fail(1009, "message too big", events);
        text_ = message_is_text_;
      }
      in_payload_ = true;
      remaining_ = len;
      if (len == 0) FinishFrame(events);
      continue;
    }
    const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
    if (control_ || text_) {
      std::string& dst = control_ ? control_buf_ : text_buf_;
      const size_t at = dst.size();
      dst.append(data.data(), take);
      Unmask(dst.data() + at, take, mask_, mask_offset_);
      mask_offset_ = (mask_offset_ + take) % 4;
    } else {
      binary_bytes_ += take;  // Bulk upload data: counted, never unmasked.
    }
    remaining_ -= take;
    data.remove_prefix(take);
    if (remaining_ == 0) FinishFrame(events);
  }
}

}  // namespace mlab::ndt7
