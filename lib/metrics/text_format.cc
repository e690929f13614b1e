#include "lib/metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "lib/json/go_encoding.h"

namespace mlab::metrics {
namespace {

bool IsNameStart(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}

bool IsNameChar(char c, bool allow_colon) {
  return IsNameStart(c, allow_colon) || (c >= '0' && c <= '9');
}

bool IsValidName(absl::string_view name, bool allow_colon) {
  if (name.empty() || !IsNameStart(name[0], allow_colon)) return false;
  for (char c : name) {
    if (!IsNameChar(c, allow_colon)) return false;
  }
  return true;
}

// Backslash and newline escaped (HELP text), and with `quote` the double quote (label values).
void AppendEscaped(absl::string_view text, bool quote, std::string* out) {
  for (const char c : text) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && quote) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

void AppendFloat(double value, std::string* out) {
  // The same special cases as Go's expfmt writeFloat (which also maps -0 to "0").
  if (std::isnan(value)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (value == 0) {
    out->push_back('0');
    return;
  }
  // Shortest round-trip digits in scientific form, e.g. "-1.2345e+02", then Go's 'g' layout.
  char buf[64];
  const std::to_chars_result result =
      std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  const absl::string_view sci(buf, result.ptr - buf);
  const size_t e_pos = sci.find('e');
  std::string digits;
  bool negative = false;
  for (char c : sci.substr(0, e_pos)) {
    if (c == '-') {
      negative = true;
    } else if (c != '.') {
      digits.push_back(c);
    }
  }
  const int exp = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  const int nd = static_cast<int>(digits.size());
  if (negative) out->push_back('-');
  // strconv.FormatFloat(f, 'g', -1, 64) uses %e when exp < -4 || exp >= 6 for shortest output.
  if (exp < -4 || exp >= 6) {
    out->push_back(digits[0]);
    if (nd > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back('e');
    out->push_back(exp < 0 ? '-' : '+');
    const int abs_exp = std::abs(exp);
    if (abs_exp < 10) out->push_back('0');
    out->append(std::to_string(abs_exp));
    return;
  }
  const int dp = exp + 1;  // Digits before the decimal point.
  if (dp > 0) {
    for (int i = 0; i < dp; ++i) out->push_back(i < nd ? digits[i] : '0');
  } else {
    out->push_back('0');
  }
  const int frac = nd - dp;
  if (frac > 0) {
    out->push_back('.');
    for (int i = 0; i < frac; ++i) {
      const int idx = dp + i;
      out->push_back(idx >= 0 && idx < nd ? digits[idx] : '0');
    }
  }
}

void AppendSampleStart(absl::string_view name, absl::string_view suffix, absl::string_view labels,
                       std::string* out) {
  out->append(name.data(), name.size());
  out->append(suffix.data(), suffix.size());
  if (!labels.empty()) {
    out->push_back('{');
    out->append(labels.data(), labels.size());
    out->push_back('}');
  }
  out->push_back(' ');
}

std::string FormatFloat(double value) {
  std::string out;
  AppendFloat(value, &out);
  return out;
}

void AppendEscapedHelp(absl::string_view help, std::string* out) {
  AppendEscaped(help, /*quote=*/false, out);
}

void AppendEscapedLabelValue(absl::string_view value, std::string* out) {
  // Each byte that is not valid UTF-8 becomes U+FFFD, so the exposition stays valid UTF-8.
  AppendEscaped(json::SanitizeUtf8(value), /*quote=*/true, out);
}

bool IsValidMetricName(absl::string_view name) { return IsValidName(name, /*allow_colon=*/true); }

bool IsValidLabelName(absl::string_view name) {
  return IsValidName(name, /*allow_colon=*/false) && name.substr(0, 2) != "__";
}

}  // namespace mlab::metrics
