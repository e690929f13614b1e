#include "services/ndt-server/query.h"

#include <set>

#include "absl/strings/str_split.h"

namespace mlab::ndt7 {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> QueryUnescape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Query Query::Parse(absl::string_view raw) {
  Query q;
  for (absl::string_view part : absl::StrSplit(raw, '&')) {
    if (part.empty() || part.find(';') != absl::string_view::npos) continue;
    absl::string_view key = part;
    absl::string_view value;
    if (const size_t eq = part.find('='); eq != absl::string_view::npos) {
      key = part.substr(0, eq);
      value = part.substr(eq + 1);
    }
    std::optional<std::string> k = QueryUnescape(key);
    std::optional<std::string> v = QueryUnescape(value);
    if (!k || !v) continue;
    q.pairs_.emplace_back(std::move(*k), std::move(*v));
  }
  return q;
}

std::optional<std::string> Query::First(absl::string_view key) const {
  for (const auto& [k, v] : pairs_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Query::FirstValues() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (const auto& [k, v] : pairs_) {
    if (seen.insert(k).second) out.emplace_back(k, v);
  }
  return out;
}

}  // namespace mlab::ndt7
