#include "lib/flags/basic_types.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace mlab::flags {
namespace {

absl::Status SyntaxError() { return absl::InvalidArgumentError("parse error"); }
absl::Status RangeError() { return absl::OutOfRangeError("value out of range"); }

char Lower(char c) { return absl::ascii_tolower(static_cast<unsigned char>(c)); }

// Go's rule: '_' only between digits, or between a base prefix and a digit.
bool UnderscoresOk(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  char saw = '^';  // '^' start, '0' digit or prefix, '_' underscore, '!' anything else
  size_t i = 0;
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
        (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = Lower(c);
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  return 99;
}

}  // namespace

absl::StatusOr<bool> ParseGoBool(std::string_view text) {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" ||
      text == "True") {
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" ||
      text == "False") {
    return false;
  }
  return SyntaxError();
}

absl::StatusOr<uint64_t> ParseGoUint(std::string_view text) {
  if (text.empty()) return SyntaxError();
  std::string_view s = text;
  int base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && Lower(s[1]) == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  bool underscores = false;
  bool out_of_range = false;
  uint64_t n = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : s) {
    if (c == '_') {
      underscores = true;
      continue;
    }
    int d = DigitValue(c);
    if (d >= base) return SyntaxError();
    if (n > (kMax - d) / base) {
      out_of_range = true;  // keep scanning: a later bad digit is a syntax error, as in Go
      continue;
    }
    n = n * base + d;
  }
  if (underscores && !UnderscoresOk(text)) return SyntaxError();
  if (out_of_range) return RangeError();
  return n;
}

absl::StatusOr<int64_t> ParseGoInt(std::string_view text, int bits) {
  if (text.empty()) return SyntaxError();
  bool negative = false;
  std::string_view s = text;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  // A sign followed by another sign is a syntax error, as in Go.
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) return SyntaxError();
  absl::StatusOr<uint64_t> magnitude = ParseGoUint(s);
  if (!magnitude.ok()) return magnitude.status();
  uint64_t cutoff = uint64_t{1} << (bits - 1);
  if (!negative && *magnitude >= cutoff) return RangeError();
  if (negative && *magnitude > cutoff) return RangeError();
  return negative ? static_cast<int64_t>(0 - *magnitude) : static_cast<int64_t>(*magnitude);
}

absl::StatusOr<double> ParseGoFloat(std::string_view text) {
  if (text.empty()) return SyntaxError();
  std::string cleaned(text);
  if (cleaned.find('_') != std::string::npos) {
    if (!UnderscoresOk(text)) return SyntaxError();
    absl::StrReplaceAll({{"_", ""}}, &cleaned);
  }
  std::string_view s = cleaned;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  // std::from_chars takes neither a sign nor "0x", and accepts "nan(...)" which Go does not.
  if (s.empty() || s[0] == '+' || s[0] == '-' || s.find('(') != std::string_view::npos) {
    return SyntaxError();
  }
  const std::string unsigned_text(s);
  std::chars_format format = std::chars_format::general;
  if (s.size() >= 2 && s[0] == '0' && Lower(s[1]) == 'x') {
    s.remove_prefix(2);
    // Go requires the binary exponent of a hex float; from_chars would take a second sign.
    if (s.empty() || s[0] == '-' || s.find_first_of("pP") == std::string_view::npos) {
      return SyntaxError();
    }
    format = std::chars_format::hex;
  }
  double value = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value, format);
  if (end != s.data() + s.size()) return SyntaxError();
  if (error == std::errc::result_out_of_range) {
    // from_chars leaves value untouched; strtod tells overflow (HUGE_VAL) from underflow, which
    // Go rounds to zero without an error. The text is already validated, so strtod reads it all.
    value = std::strtod(unsigned_text.c_str(), nullptr);
    if (std::isinf(value)) return RangeError();
  } else if (error != std::errc()) {
    return SyntaxError();
  }
  return negative ? -value : value;
}

std::string FormatGoFloat(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits, e.g. "-1.2345e+06"; locale-independent unlike printf.
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string_view sci(buf, result.ptr - buf);
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  std::string_view exponent_text = sci.substr(e + 1);
  bool negative_exponent = exponent_text[0] == '-';
  int exponent = 0;
  std::from_chars(exponent_text.data() + 1, exponent_text.data() + exponent_text.size(), exponent);
  if (negative_exponent) exponent = -exponent;

  // Go's shortest 'g' format uses an exponent below 1e-4 and from 1e6 upward.
  if (exponent < -4 || exponent >= 6) {
    std::string mantissa = digits.substr(0, 1);
    if (digits.size() > 1) absl::StrAppend(&mantissa, ".", digits.substr(1));
    std::string exp_digits = std::to_string(exponent < 0 ? -exponent : exponent);
    if (exp_digits.size() < 2) exp_digits.insert(0, "0");
    return absl::StrCat(sign, mantissa, "e", exponent < 0 ? "-" : "+", exp_digits);
  }
  if (exponent < 0) return absl::StrCat(sign, "0.", std::string(-exponent - 1, '0'), digits);
  size_t integer_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) {
    return absl::StrCat(sign, digits, std::string(integer_digits - digits.size(), '0'));
  }
  return absl::StrCat(sign, digits.substr(0, integer_digits), ".", digits.substr(integer_digits));
}

absl::Status FlagTraits<bool>::Parse(std::string_view text, bool* value) {
  absl::StatusOr<bool> parsed = ParseGoBool(text);
  if (!parsed.ok()) return parsed.status();
  *value = *parsed;
  return absl::OkStatus();
}

absl::Status FlagTraits<int>::Parse(std::string_view text, int* value) {
  absl::StatusOr<int64_t> parsed = ParseGoInt(text, 32);
  if (!parsed.ok()) return parsed.status();
  *value = static_cast<int>(*parsed);
  return absl::OkStatus();
}

absl::Status FlagTraits<int64_t>::Parse(std::string_view text, int64_t* value) {
  absl::StatusOr<int64_t> parsed = ParseGoInt(text, 64);
  if (!parsed.ok()) return parsed.status();
  *value = *parsed;
  return absl::OkStatus();
}

absl::Status FlagTraits<uint64_t>::Parse(std::string_view text, uint64_t* value) {
  absl::StatusOr<uint64_t> parsed = ParseGoUint(text);
  if (!parsed.ok()) return parsed.status();
  *value = *parsed;
  return absl::OkStatus();
}

absl::Status FlagTraits<double>::Parse(std::string_view text, double* value) {
  absl::StatusOr<double> parsed = ParseGoFloat(text);
  if (!parsed.ok()) return parsed.status();
  *value = *parsed;
  return absl::OkStatus();
}

absl::Status FlagTraits<std::string>::Parse(std::string_view text, std::string* value) {
  *value = std::string(text);
  return absl::OkStatus();
}

}  // namespace mlab::flags
