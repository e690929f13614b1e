#include "services/uuid-annotator/go_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace mlab::uuid_annotator {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at s[i] (as Go's utf8.DecodeRuneInString accepts it:
// shortest form, no surrogates, at most U+10FFFF), or 0 if invalid. Sets *rune.
int DecodeRune(absl::string_view s, size_t i, uint32_t* rune) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  const size_t left = s.size() - i;
  const auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (left < 2 || !cont(i + 1)) return 0;
    *rune = (b0 & 0x1F) << 6 | (byte(i + 1) & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    const uint32_t r = (b0 & 0x0F) << 12 | (byte(i + 1) & 0x3F) << 6 | (byte(i + 2) & 0x3F);
    if (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF)) return 0;
    *rune = r;
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    const uint32_t r = (b0 & 0x07) << 18 | (byte(i + 1) & 0x3F) << 12 | (byte(i + 2) & 0x3F) << 6 |
                       (byte(i + 3) & 0x3F);
    if (r < 0x10000 || r > 0x10FFFF) return 0;
    *rune = r;
    return 4;
  }
  return 0;
}

}  // namespace

void AppendGoString(absl::string_view value, std::string* out) {
  out->push_back('"');
  size_t start = 0;
  size_t i = 0;
  while (i < value.size()) {
    const uint8_t b = static_cast<uint8_t>(value[i]);
    if (b < 0x80) {
      if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&') {
        ++i;
        continue;
      }
      out->append(value.data() + start, i - start);
      switch (b) {
        case '"':
        case '\\':
          out->push_back('\\');
          out->push_back(static_cast<char>(b));
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
          out->append("\\u00");
          out->push_back(kHex[b >> 4]);
          out->push_back(kHex[b & 0xF]);
      }
      start = ++i;
      continue;
    }
    uint32_t rune = 0;
    const int size = DecodeRune(value, i, &rune);
    if (size == 0) {
      out->append(value.data() + start, i - start);
      out->append("\\ufffd");
      start = ++i;
      continue;
    }
    if (rune == 0x2028 || rune == 0x2029) {
      out->append(value.data() + start, i - start);
      out->append(rune == 0x2028 ? "\\u2028" : "\\u2029");
      i += size;
      start = i;
      continue;
    }
    i += size;
  }
  out->append(value.data() + start, value.size() - start);
  out->push_back('"');
}

void AppendGoFloat(double value, std::string* out) {
  // json.Marshal refuses NaN and infinities; no dataset field can hold them.
  if (!std::isfinite(value)) value = 0;
  const double magnitude = std::fabs(value);
  const bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  char buf[64];
  const std::to_chars_result r =
      std::to_chars(buf, buf + sizeof(buf), value,
                    exponent ? std::chars_format::scientific : std::chars_format::fixed);
  std::string text(buf, r.ptr);
  if (exponent) {
    // Go writes e-7 where C++ writes e-07 (but keeps two-digit exponents such as e-10).
    const size_t n = text.size();
    if (n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') {
      text.erase(n - 2, 1);
    }
  }
  out->append(text);
}

std::string FormatGoTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

void JsonObject::Key(absl::string_view key) {
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendGoString(key, out_);
  out_->push_back(':');
}

}  // namespace mlab::uuid_annotator
