#include "lib/json/go_encoding.h"

#include <charconv>
#include <cmath>
#include <cstddef>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace mlab::json {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Length of the valid UTF-8 sequence that starts at s[i], or 0 when it is not valid by Go's
// utf8.DecodeRuneInString rules (shortest form, no surrogates, at most U+10FFFF); sets *rune.
size_t DecodeRune(absl::string_view s, size_t i, uint32_t* rune) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    *rune = lead;
    return 1;
  }
  size_t n;
  uint32_t r;
  uint32_t min;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2, r = lead & 0x1F, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3, r = lead & 0x0F, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4, r = lead & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() - i < n) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char c = byte(i + k);
    if ((c & 0xC0) != 0x80) return 0;
    r = (r << 6) | (c & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return 0;
  *rune = r;
  return n;
}

// Appends the ASCII byte `c` as it stands inside a Go JSON string.
void AppendEscapedAscii(unsigned char c, GoEscapes escapes, std::string* out) {
  // Go's two-character escapes: kShort[i] is written as a backslash and kLetter[i].
  constexpr absl::string_view kShort = "\"\\\n\r\t";
  constexpr absl::string_view kLetter = "\"\\nrt";
  if (const size_t at = kShort.find(static_cast<char>(c)); at != absl::string_view::npos) {
    out->push_back('\\');
    out->push_back(kLetter[at]);
  } else if (escapes == GoEscapes::kGo122 && (c == '\b' || c == '\f')) {
    out->push_back('\\');
    out->push_back(c == '\b' ? 'b' : 'f');
  } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
    out->append("\\u00");
    out->push_back(kHex[c >> 4]);
    out->push_back(kHex[c & 0xF]);
  } else {
    out->push_back(static_cast<char>(c));
  }
}

}  // namespace

void AppendGoString(absl::string_view value, std::string* out, GoEscapes escapes) {
  out->push_back('"');
  size_t i = 0;
  while (i < value.size()) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x80) {
      AppendEscapedAscii(c, escapes, out);
      ++i;
      continue;
    }
    uint32_t rune = 0;
    const size_t n = DecodeRune(value, i, &rune);
    if (n == 0) {
      // Go's utf8.DecodeRune consumes one byte of an invalid sequence, so each becomes U+FFFD.
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
    const size_t n = DecodeRune(value, i, &rune);
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

void AppendGoBytes(absl::string_view bytes, std::string* out) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  const size_t at = out->size();
  out->resize(at + 2 + (n + 2) / 3 * 4);
  char* dst = out->data() + at;
  *dst++ = '"';
  while (n >= 3) {
    const uint32_t v = in[0] << 16 | in[1] << 8 | in[2];
    *dst++ = kBase64[v >> 18];
    *dst++ = kBase64[(v >> 12) & 0x3F];
    *dst++ = kBase64[(v >> 6) & 0x3F];
    *dst++ = kBase64[v & 0x3F];
    in += 3;
    n -= 3;
  }
  if (n > 0) {
    const uint32_t v = in[0] << 16 | (n == 2 ? in[1] << 8 : 0);
    *dst++ = kBase64[v >> 18];
    *dst++ = kBase64[(v >> 12) & 0x3F];
    *dst++ = n == 2 ? kBase64[(v >> 6) & 0x3F] : '=';
    *dst++ = '=';
  }
  *dst = '"';
}

void AppendGoFloat(double value, std::string* out) {
  if (!std::isfinite(value)) {
    out->push_back('0');
    return;
  }
  const double magnitude = std::fabs(value);
  const bool scientific = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  // From 2^53 up every double is an integer, and std::to_chars(fixed) would print all its exact
  // digits (123456789012345683968) where Go pads the shortest ones with zeros (...680000).
  const bool padded = !scientific && magnitude >= 0x1p53;
  char buf[32];
  const std::to_chars_result r = std::to_chars(
      buf, buf + sizeof(buf), value,
      scientific || padded ? std::chars_format::scientific : std::chars_format::fixed);
  const absl::string_view text(buf, r.ptr - buf);
  if (scientific) {
    // Go writes e-7 where C++ writes e-07 (two-digit exponents and e+21 stay as they are).
    const size_t n = text.size();
    if (text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') {
      out->append(text.data(), n - 2);
      out->push_back(text[n - 1]);
    } else {
      out->append(text.data(), n);
    }
    return;
  }
  if (!padded) {
    out->append(text.data(), text.size());
    return;
  }
  // "-d.ddde+XX" (XX from 15 to 20): the digits without the point, then zeros up to XX + 1 digits.
  const size_t e = text.find('e');
  int power = 0;
  std::from_chars(text.data() + e + 2, text.data() + text.size(), power);
  int digits = 0;
  for (const char c : text.substr(0, e)) {
    if (c == '.') continue;
    out->push_back(c);
    if (c != '-') ++digits;
  }
  out->append(static_cast<size_t>(power + 1 - digits), '0');
}

void AppendGoInt(int64_t value, std::string* out) { absl::StrAppend(out, value); }

void AppendGoBool(bool value, std::string* out) { out->append(value ? "true" : "false"); }

absl::Time GoZeroTime() {
  return absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
}

std::string FormatGoTime(absl::Time t) {
  // Not absl::FormatTime's %Y and %E*S: they print year 1 as "1" and digits below a nanosecond.
  const absl::CivilSecond civil = absl::ToCivilSecond(t, absl::UTCTimeZone());
  int64_t nanos = absl::ToInt64Nanoseconds(t - absl::FromCivil(civil, absl::UTCTimeZone()));
  std::string out = absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d", civil.year(), civil.month(),
                                    civil.day(), civil.hour(), civil.minute(), civil.second());
  if (nanos > 0) {
    char fraction[9];
    for (int i = 8; i >= 0; --i) {
      fraction[i] = static_cast<char>('0' + nanos % 10);
      nanos /= 10;
    }
    int digits = 9;
    while (fraction[digits - 1] == '0') --digits;
    out.push_back('.');
    out.append(fraction, digits);
  }
  out.push_back('Z');
  return out;
}

void AppendGoTime(absl::Time t, std::string* out) {
  out->push_back('"');
  out->append(FormatGoTime(t));
  out->push_back('"');
}

}  // namespace mlab::json
