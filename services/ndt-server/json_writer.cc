#include "services/ndt-server/json_writer.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mlab::ndt7 {

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (need_comma_) out_->push_back(',');
}

void JsonWriter::Open(char c) {
  BeforeValue();
  out_->push_back(c);
  need_comma_ = false;
}

void JsonWriter::Close(char c) {
  out_->push_back(c);
  need_comma_ = true;
}

void JsonWriter::Key(absl::string_view key) {
  if (need_comma_) out_->push_back(',');
  AppendJsonString(key, out_);
  out_->push_back(':');
  after_key_ = true;
  need_comma_ = true;
}

void JsonWriter::String(absl::string_view value) {
  BeforeValue();
  AppendJsonString(value, out_);
  need_comma_ = true;
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  absl::StrAppend(out_, value);
  need_comma_ = true;
}

void JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  absl::StrAppend(out_, value);
  need_comma_ = true;
}

void JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) value = 0;  // JSON has no NaN or Inf.
  absl::StrAppend(out_, absl::StrFormat("%.17g", value));
  need_comma_ = true;
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
  need_comma_ = true;
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
  need_comma_ = true;
}

namespace {

// Length of the valid UTF-8 sequence at the start of `s`, or 0 if it is not valid.
size_t Utf8SequenceLength(absl::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  size_t n;
  uint32_t min;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) {
    n = 2, min = 0x80, cp = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3, min = 0x800, cp = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

}  // namespace

void AppendJsonString(absl::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  while (!value.empty()) {
    const unsigned char c = value[0];
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(value);
      if (n == 0) {
        out->append("\\ufffd");  // As Go: invalid UTF-8 becomes the replacement character.
        value.remove_prefix(1);
      } else if (n == 3 && value.substr(0, 2) == "\xe2\x80" &&
                 (value[2] == '\xa8' || value[2] == '\xa9')) {
        out->append(value[2] == '\xa8' ? "\\u2028" : "\\u2029");
        value.remove_prefix(3);
      } else {
        out->append(value.data(), n);
        value.remove_prefix(n);
      }
      continue;
    }
    value.remove_prefix(1);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

}  // namespace mlab::ndt7
