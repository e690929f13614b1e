#include "services/traceroute-caller/go_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace mlab::trc {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid (Go's utf8.DecodeRune
// rules: no overlong forms, no surrogates, nothing above U+10FFFF).
size_t ValidUtf8Length(absl::string_view s, size_t i, uint32_t* rune) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n;
  uint32_t r;
  uint32_t min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, r = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, r = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, r = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = byte(i + k);
    if ((cc & 0xC0) != 0x80) return 0;
    r = (r << 6) | (cc & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return 0;
  *rune = r;
  return n;
}

}  // namespace

void AppendGoString(absl::string_view value, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < value.size()) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c < 0x80) {
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
            out->push_back(kHex[c & 0xF]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    uint32_t rune = 0;
    size_t n = ValidUtf8Length(value, i, &rune);
    if (n == 0) {
      out->append("\\ufffd");
      ++i;
      continue;
    }
    if (rune == 0x2028 || rune == 0x2029) {
      out->append(rune == 0x2028 ? "\\u2028" : "\\u2029");
    } else {
      out->append(value.data() + i, n);
    }
    i += n;
  }
  out->push_back('"');
}

std::string SanitizeUtf8(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  size_t i = 0;
  while (i < value.size()) {
    uint32_t rune = 0;
    size_t n = static_cast<unsigned char>(value[i]) < 0x80 ? 1 : ValidUtf8Length(value, i, &rune);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(value.data() + i, n);
      i += n;
    }
  }
  return out;
}

void AppendGoFloat(double value, std::string* out) {
  if (!std::isfinite(value)) {
    // Go refuses to marshal these; the parsers never produce them.
    out->append("0");
    return;
  }
  char buf[64];
  double abs = std::fabs(value);
  bool exponent = abs != 0 && (abs < 1e-6 || abs >= 1e21);
  std::to_chars_result result =
      std::to_chars(buf, buf + sizeof(buf), value,
                    exponent ? std::chars_format::scientific : std::chars_format::fixed);
  std::string text(buf, result.ptr);
  if (exponent) {
    // Go writes e-7, not e-07 (and e+21 stays as it is).
    size_t n = text.size();
    if (n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') {
      text.erase(n - 2, 1);
    }
  }
  out->append(text);
}

void AppendGoInt(int64_t value, std::string* out) { absl::StrAppend(out, value); }

void AppendGoBool(bool value, std::string* out) { out->append(value ? "true" : "false"); }

void AppendGoTime(absl::Time t, std::string* out) {
  out->push_back('"');
  absl::StrAppend(out, absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone()));
  out->push_back('"');
}

}  // namespace mlab::trc
