#include "lib/flags/duration.h"

#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "lib/flags/absl_compat.h"

namespace mlab::flags {
namespace {

constexpr uint64_t kNanosecond = 1;
constexpr uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr uint64_t kSecond = 1000 * kMillisecond;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kHour = 60 * kMinute;
// Go's Duration is int64 nanoseconds; the magnitude may reach 2^63 only when negative.
constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;

uint64_t UnitNanos(std::string_view unit) {
  if (unit == "ns") return kNanosecond;
  if (unit == "us" || unit == "\xc2\xb5s" /* U+00B5 */ || unit == "\xce\xbcs" /* U+03BC */) {
    return kMicrosecond;
  }
  if (unit == "ms") return kMillisecond;
  if (unit == "s") return kSecond;
  if (unit == "m") return kMinute;
  if (unit == "h") return kHour;
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::Status Invalid(std::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid duration \"", internal::ToAbsl(text), "\""));
}

// Appends the digits of v / 10^precision with trailing zeros dropped, and leaves v's integer part.
std::string FractionDigits(uint64_t* v, int precision) {
  std::string digits;
  bool printing = false;
  for (int i = 0; i < precision; ++i) {
    uint64_t digit = *v % 10;
    printing = printing || digit != 0;
    if (printing) digits.insert(digits.begin(), static_cast<char>('0' + digit));
    *v /= 10;
  }
  return digits.empty() ? "" : absl::StrCat(".", digits);
}

}  // namespace

absl::StatusOr<absl::Duration> ParseGoDuration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return absl::ZeroDuration();
  if (s.empty()) return Invalid(text);

  uint64_t total = 0;
  while (!s.empty()) {
    if (!IsDigit(s[0]) && s[0] != '.') return Invalid(text);
    // Integer part.
    uint64_t whole = 0;
    size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (whole > (kMaxMagnitude - 1) / 10) return Invalid(text);  // overflow
      whole = whole * 10 + (s[i] - '0');
      if (whole > kMaxMagnitude) return Invalid(text);
    }
    bool had_whole = i > 0;
    s.remove_prefix(i);
    // Fraction: digits past what fits in 63 bits only lose precision, as in Go.
    uint64_t fraction = 0;
    double scale = 1;
    bool had_fraction = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool overflowed = false;
      for (i = 0; i < s.size() && IsDigit(s[i]); ++i) {
        if (overflowed) continue;
        if (fraction > (kMaxMagnitude - 1) / 10) {
          overflowed = true;
          continue;
        }
        uint64_t next = fraction * 10 + (s[i] - '0');
        if (next > kMaxMagnitude) {
          overflowed = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      had_fraction = i > 0;
      s.remove_prefix(i);
    }
    if (!had_whole && !had_fraction) return Invalid(text);  // "." or ".s"
    // Unit: everything up to the next digit or '.'.
    for (i = 0; i < s.size() && s[i] != '.' && !IsDigit(s[i]); ++i) {
    }
    if (i == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("missing unit in duration \"", internal::ToAbsl(text), "\""));
    }
    std::string_view unit = s.substr(0, i);
    s.remove_prefix(i);
    uint64_t unit_nanos = UnitNanos(unit);
    if (unit_nanos == 0) {
      return absl::InvalidArgumentError(absl::StrCat("unknown unit \"", internal::ToAbsl(unit),
                                                     "\" in duration \"", internal::ToAbsl(text),
                                                     "\""));
    }
    if (whole > kMaxMagnitude / unit_nanos) return Invalid(text);
    uint64_t part = whole * unit_nanos;
    if (fraction > 0) {
      part += static_cast<uint64_t>(static_cast<double>(fraction) *
                                    (static_cast<double>(unit_nanos) / scale));
      if (part > kMaxMagnitude) return Invalid(text);
    }
    total += part;
    if (total > kMaxMagnitude) return Invalid(text);
  }
  if (total == kMaxMagnitude) {
    if (!negative) return Invalid(text);
    return absl::Nanoseconds(std::numeric_limits<int64_t>::min());
  }
  int64_t nanos = static_cast<int64_t>(total);
  return absl::Nanoseconds(negative ? -nanos : nanos);
}

std::string FormatGoDuration(absl::Duration duration) {
  if (duration < absl::Nanoseconds(std::numeric_limits<int64_t>::min()) ||
      duration > absl::Nanoseconds(std::numeric_limits<int64_t>::max())) {
    return absl::FormatDuration(duration);
  }
  // Truncates sub-nanosecond precision toward zero, as an int64 nanosecond count would.
  int64_t nanos = absl::ToInt64Nanoseconds(duration);
  if (nanos == 0) return "0s";
  bool negative = nanos < 0;
  uint64_t v = negative ? 0 - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  std::string sign = negative ? "-" : "";
  if (v < kSecond) {
    // Below a second Go picks the largest unit under it and prints a fraction.
    const char* unit = "ns";
    int precision = 0;
    if (v >= kMillisecond) {
      unit = "ms";
      precision = 6;
    } else if (v >= kMicrosecond) {
      unit = "\xc2\xb5s";  // Go prints U+00B5 MICRO SIGN
      precision = 3;
    }
    std::string fraction = FractionDigits(&v, precision);
    return absl::StrCat(sign, v, fraction, unit);
  }
  std::string fraction = FractionDigits(&v, 9);  // v is now whole seconds
  std::string out = absl::StrCat(v % 60, fraction, "s");
  v /= 60;
  if (v > 0) {
    out = absl::StrCat(v % 60, "m", out);
    v /= 60;
    if (v > 0) out = absl::StrCat(v, "h", out);
  }
  return absl::StrCat(sign, out);
}

absl::Status FlagTraits<absl::Duration>::Parse(std::string_view text, absl::Duration* value) {
  absl::StatusOr<absl::Duration> parsed = ParseGoDuration(text);
  if (!parsed.ok()) return parsed.status();
  *value = *parsed;
  return absl::OkStatus();
}

}  // namespace mlab::flags
