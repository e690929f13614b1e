// CAIDA RouteViews prefix-to-AS data (pfx2as), searched by longest prefix as upstream does.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_ROUTE_VIEWS_TABLE_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_ROUTE_VIEWS_TABLE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/annotation/annotation.h"
#include "services/uuid-annotator/ip_address.h"

namespace mlab::uuid_annotator {

// How the rows of one file fared (uuid_annotator_routeview_rows_total{status}).
struct RouteViewsRowCounts {
  int64_t parsed = 0;
  int64_t missing_fields = 0;
  int64_t corrupt_netblock = 0;
  int64_t corrupt_prefix = 0;
};

// The AS field grammar: '_' separates the systems of a multi-origin prefix, ',' the ASNs of an AS
// set; tokens that are not uint32 numbers are dropped ("x" -> [{ASNs:[]}]).
std::vector<annotation::System> ParseSystems(absl::string_view field);

class RouteViewsTable {
 public:
  struct Match {
    IpPrefix prefix;
    // Parsed from the row's AS field; owned by the table.
    const std::vector<annotation::System>* systems;
  };

  // Parses pfx2as text (`prefix<TAB>length<TAB>AS`), skipping bad rows as upstream does: fewer
  // than 3 fields, a length that is not an int32, or a prefix Go's ParseCIDR rejects.
  // InvalidArgument when not a single row parses (a source that is not pfx2as at all).
  static absl::StatusOr<std::unique_ptr<RouteViewsTable>> Parse(absl::string_view text,
                                                                RouteViewsRowCounts* counts);

  // The longest prefix containing `ip`, or nullopt. Rows of either family are searched.
  std::optional<Match> Lookup(const IpAddress& ip) const;

  size_t size() const { return rows_; }

 private:
  RouteViewsTable() = default;

  // One prefix of the file (the first of duplicate rows).
  template <typename Key>
  struct Prefix {
    Key network;
    uint8_t length;
    uint32_t systems;  // Index into systems_.
  };

  // The address space cut into ranges, each covered by one longest prefix (or none): a lookup
  // is one binary search, whatever the number of prefix lengths.
  template <typename Key>
  struct Index {
    std::vector<Prefix<Key>> prefixes;
    std::vector<Key> starts;      // Sorted; starts[0] == 0.
    std::vector<int32_t> covers;  // Index into prefixes, or -1, from starts[i] on.
    // buckets[b]: the first i whose starts[i] has top 16 bits >= b (65,537 entries). A lookup
    // searches only its bucket's starts: a few steps instead of twenty cache misses.
    std::vector<uint32_t> buckets;
  };

  template <typename Key>
  static void Build(int bits, std::vector<Prefix<Key>> prefixes, Index<Key>* index);
  template <typename Key>
  static const Prefix<Key>* Find(const Index<Key>& index, Key value);

  Index<uint32_t> v4_;
  Index<unsigned __int128> v6_;
  std::vector<std::vector<annotation::System>> systems_;
  size_t rows_ = 0;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_ROUTE_VIEWS_TABLE_H_
