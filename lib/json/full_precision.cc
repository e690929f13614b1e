#include "lib/json/full_precision.h"

#include <algorithm>
#include <cstddef>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/error/en.h"

namespace mlab::json {
namespace {

// Rapidjson 1.1.0 looks up 10^(exponent - up to 20 digits) in a table that starts at 10^-348.
constexpr int kMinDecimalExponent = -326;
constexpr int kMaxDecimalExponent = 310;

// The decimal exponent of the number token at text[*pos] (the power of ten of its first
// significant digit, plus one), or nullopt for zero; advances *pos past the token. Only the
// shape rapidjson accepts matters here: anything else it rejects on its own.
std::optional<int> NumberMagnitude(absl::string_view text, size_t* pos) {
  size_t i = *pos;
  if (i < text.size() && text[i] == '-') ++i;
  long magnitude = 0;
  bool significant = false;
  for (; i < text.size() && absl::ascii_isdigit(text[i]); ++i) {
    if (significant) {
      ++magnitude;
    } else if (text[i] != '0') {
      significant = true;
      magnitude = 1;
    }
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && absl::ascii_isdigit(text[i]); ++i) {
      if (!significant) {
        if (text[i] != '0') {
          significant = true;
        } else {
          --magnitude;
        }
      }
    }
  }
  long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    for (; i < text.size() && absl::ascii_isdigit(text[i]); ++i) {
      exponent = std::min(exponent * 10 + (text[i] - '0'), 1000000L);  // saturates, never wraps
    }
    if (negative) exponent = -exponent;
  }
  *pos = i;
  if (!significant) return std::nullopt;
  return static_cast<int>(std::clamp(magnitude + exponent, -2000000L, 2000000L));
}

// The offset of the first number token outside strings whose magnitude rapidjson cannot be
// trusted with, or nullopt.
std::optional<size_t> FindNumberOutOfRange(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;  // the escaped character, quote included
      }
      ++i;
    } else if (c == '-' || absl::ascii_isdigit(c)) {
      const size_t start = i;
      const std::optional<int> magnitude = NumberMagnitude(text, &i);
      if (magnitude.has_value() &&
          (*magnitude < kMinDecimalExponent || *magnitude > kMaxDecimalExponent)) {
        return start;
      }
      if (i == start) ++i;
    } else {
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace

absl::Status ParseFullPrecision(absl::string_view text, rapidjson::Document* doc) {
  if (const std::optional<size_t> offset = FindNumberOutOfRange(text); offset.has_value()) {
    doc->SetNull();
    return absl::InvalidArgumentError(absl::StrCat("number out of range at offset ", *offset));
  }
  doc->Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  if (doc->HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad JSON at offset ", doc->GetErrorOffset(), ": ",
                     rapidjson::GetParseError_En(doc->GetParseError())));
  }
  return absl::OkStatus();
}

}  // namespace mlab::json
