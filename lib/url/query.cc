#include "lib/url/query.h"

#include <set>

#include "absl/strings/str_split.h"
#include "lib/url/escape.h"

namespace mlab::url {

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

std::vector<std::string> Query::All(absl::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : pairs_) {
    if (k == key) out.push_back(v);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Query::FirstValues() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (const auto& [k, v] : pairs_) {
    if (seen.insert(k).second) out.emplace_back(k, v);
  }
  return out;
}

}  // namespace mlab::url
