// Fuzz target: the query string of an ndt7 request (client metadata, early_exit, access_token),
// parsed as Go's url.ParseQuery does, and every lookup the handler makes on it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "lib/url/escape.h"
#include "lib/url/query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using mlab::url::Query;
  const absl::string_view raw(reinterpret_cast<const char*>(data), size);
  Query query = Query::Parse(raw);
  query.First("access_token");
  query.First("early_exit");
  for (const auto& [key, value] : query.FirstValues()) {
    if (!query.First(key).has_value()) __builtin_trap();  // every listed key can be looked up
  }
  mlab::url::QueryUnescape(raw);
  mlab::url::PathUnescape(raw);
  return 0;
}
