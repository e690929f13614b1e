#ifndef MLAB_SERVICES_NDT_SERVER_QUERY_H_
#define MLAB_SERVICES_NDT_SERVER_QUERY_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace mlab::ndt7 {

// A decoded URL query, as Go's url.ParseQuery reads it: pairs split on '&', '+' is a space,
// %XX escapes decoded; pairs with a ';' or a bad escape are dropped. Keys keep first-seen order.
class Query {
 public:
  static Query Parse(absl::string_view raw);

  // The first value of `key` (upstream uses only that one), nullopt when absent.
  std::optional<std::string> First(absl::string_view key) const;

  // Each distinct key with its first value, in first-seen order.
  std::vector<std::pair<std::string, std::string>> FirstValues() const;

  const std::vector<std::pair<std::string, std::string>>& pairs() const { return pairs_; }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_QUERY_H_
