#ifndef MLAB_LIB_URL_QUERY_H_
#define MLAB_LIB_URL_QUERY_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace mlab::url {

// A decoded URL query, as Go's url.ParseQuery reads it: pairs split on '&', '+' is a space,
// %XX escapes decoded; pairs with a ';' or a bad escape are dropped. Keys keep first-seen order.
class Query {
 public:
  static Query Parse(absl::string_view raw);

  // The first value of `key` (Go's Values.Get), or nullopt when absent (Get would say "").
  std::optional<std::string> First(absl::string_view key) const;

  // Every value of `key`, in order (Go's Values[key]).
  std::vector<std::string> All(absl::string_view key) const;

  // Each distinct key with its first value, in first-seen order.
  std::vector<std::pair<std::string, std::string>> FirstValues() const;

  const std::vector<std::pair<std::string, std::string>>& pairs() const { return pairs_; }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

}  // namespace mlab::url

#endif  // MLAB_LIB_URL_QUERY_H_
