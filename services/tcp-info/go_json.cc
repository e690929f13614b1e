#include "services/tcp-info/go_json.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace mlab::tcpinfo {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void AppendUnicodeEscape(uint32_t code, std::string* out) {
  out->append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(code >> shift) & 0xF]);
}

// Length of the valid UTF-8 sequence at the start of `s` (0 if invalid), and its code point.
size_t DecodeUtf8(absl::string_view s, uint32_t* code) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t lead = byte(0);
  size_t length;
  uint32_t min;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, min = 0x80, *code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, min = 0x800, *code = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, min = 0x10000, *code = lead & 0x07;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    *code = (*code << 6) | (byte(i) & 0x3F);
  }
  if (*code < min || *code > 0x10FFFF || (*code >= 0xD800 && *code <= 0xDFFF)) return 0;
  return length;
}

}  // namespace

void AppendGoJsonString(absl::string_view value, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < value.size()) {
    const uint8_t c = static_cast<uint8_t>(value[i]);
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
        case '<':
        case '>':
        case '&':
          AppendUnicodeEscape(c, out);
          break;
        default:
          if (c < 0x20) {
            AppendUnicodeEscape(c, out);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    uint32_t code = 0;
    const size_t length = DecodeUtf8(value.substr(i), &code);
    if (length == 0) {
      out->append("\\ufffd");
      ++i;
    } else if (code == 0x2028 || code == 0x2029) {
      AppendUnicodeEscape(code, out);
      i += length;
    } else {
      out->append(value.data() + i, length);
      i += length;
    }
  }
  out->push_back('"');
}

void AppendBase64(absl::string_view bytes, std::string* out) {
  const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t n = bytes.size();
  size_t at = out->size();
  out->resize(at + (n + 2) / 3 * 4);
  char* dst = out->data() + at;
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
}

absl::Time GoZeroTime() {
  return absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
}

void AppendGoTime(absl::Time t, std::string* out) {
  const absl::CivilSecond civil = absl::ToCivilSecond(t, absl::UTCTimeZone());
  int64_t nanos = absl::ToInt64Nanoseconds(t - absl::FromCivil(civil, absl::UTCTimeZone()));
  absl::StrAppendFormat(out, "%04d-%02d-%02dT%02d:%02d:%02d", civil.year(), civil.month(),
                        civil.day(), civil.hour(), civil.minute(), civil.second());
  if (nanos > 0) {
    char fraction[10];
    int digits = 9;
    for (int i = 8; i >= 0; --i) {
      fraction[i] = static_cast<char>('0' + nanos % 10);
      nanos /= 10;
    }
    while (digits > 0 && fraction[digits - 1] == '0') --digits;
    out->push_back('.');
    out->append(fraction, digits);
  }
  out->push_back('Z');
}

std::string FormatGoTime(absl::Time t) {
  std::string out;
  AppendGoTime(t, &out);
  return out;
}

}  // namespace mlab::tcpinfo
