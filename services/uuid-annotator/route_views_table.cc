#include "services/uuid-annotator/route_views_table.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/uuid-annotator/csv_reader.h"

namespace mlab::uuid_annotator {
namespace {

using annotation::System;

// Top bits of an address that pick its bucket of the index (RouteViewsTable::Index::buckets).
constexpr int kBucketBits = 16;

template <typename Key>
size_t BucketOf(Key address) {
  return static_cast<size_t>(address >> (sizeof(Key) * 8 - kBucketBits));
}

// strconv.ParseUint(s, 10, 32).
bool ParseUint32(absl::string_view s, uint32_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
    if (v > UINT32_MAX) return false;
  }
  *out = static_cast<uint32_t>(v);
  return true;
}

// strconv.ParseInt(s, 10, 32): an optional sign, then digits.
bool ParseInt32(absl::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty()) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
    if (v > (int64_t{1} << 31)) return false;
  }
  return true;
}

}  // namespace

std::vector<System> ParseSystems(absl::string_view field) {
  std::vector<System> systems;
  for (absl::string_view part : absl::StrSplit(field, '_')) {
    System system;
    for (absl::string_view token : absl::StrSplit(part, ',')) {
      uint32_t asn;
      if (ParseUint32(token, &asn)) system.asns.push_back(asn);
    }
    systems.push_back(std::move(system));
  }
  return systems;
}

absl::StatusOr<std::unique_ptr<RouteViewsTable>> RouteViewsTable::Parse(
    absl::string_view text, RouteViewsRowCounts* counts) {
  std::unique_ptr<RouteViewsTable> table(new RouteViewsTable());
  RouteViewsRowCounts local;
  if (counts == nullptr) counts = &local;
  *counts = RouteViewsRowCounts();

  std::vector<Prefix<uint32_t>> v4;
  std::vector<Prefix<unsigned __int128>> v6;
  // Most prefixes share a handful of AS fields: parse each distinct one once.
  absl::flat_hash_map<std::string, uint32_t> system_index;

  CsvReader reader(text, '\t');
  std::vector<std::string> record;
  std::string cidr;
  while (true) {
    const CsvReader::Result result = reader.Next(&record);
    if (result == CsvReader::Result::kEnd) break;
    // Like upstream, a syntax or field-count error still leaves the fields read so far.
    if (record.size() < 3) {
      ++counts->missing_fields;
      continue;
    }
    if (!ParseInt32(record[1])) {
      ++counts->corrupt_netblock;
      continue;
    }
    cidr = absl::StrCat(record[0], "/", record[1]);
    std::optional<IpPrefix> prefix = ParseCidr(cidr);
    if (!prefix) {
      ++counts->corrupt_prefix;
      continue;
    }
    auto [it, inserted] =
        system_index.try_emplace(record[2], static_cast<uint32_t>(table->systems_.size()));
    if (inserted) table->systems_.push_back(ParseSystems(record[2]));
    const uint8_t length = static_cast<uint8_t>(prefix->length);
    if (prefix->network.is_v4()) {
      v4.push_back({prefix->network.v4(), length, it->second});
    } else {
      v6.push_back({prefix->network.value(), length, it->second});
    }
    ++counts->parsed;
  }
  if (counts->parsed == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no RouteViews row parsed (", counts->missing_fields, " missing fields, ",
        counts->corrupt_netblock, " bad lengths, ", counts->corrupt_prefix, " bad prefixes)"));
  }
  table->rows_ = counts->parsed;
  Build(32, std::move(v4), &table->v4_);
  Build(128, std::move(v6), &table->v6_);
  return table;
}

template <typename Key>
void RouteViewsTable::Build(int bits, std::vector<Prefix<Key>> prefixes, Index<Key>* index) {
  // Outer prefixes before the ones nested in them; stable, so of duplicate rows the first wins.
  std::stable_sort(prefixes.begin(), prefixes.end(),
                   [](const Prefix<Key>& a, const Prefix<Key>& b) {
                     return a.network != b.network ? a.network < b.network : a.length < b.length;
                   });
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end(),
                             [](const Prefix<Key>& a, const Prefix<Key>& b) {
                               return a.network == b.network && a.length == b.length;
                             }),
                 prefixes.end());
  const auto last_address = [bits](const Prefix<Key>& p) -> Key {
    const int host_bits = bits - p.length;
    const Key host =
        host_bits == 0 ? Key{0} : static_cast<Key>(~Key{0}) >> (sizeof(Key) * 8 - host_bits);
    return p.network | host;
  };
  // From `start` on, addresses are covered by prefix `cover` (-1: none). A later change at the
  // same start replaces an earlier one.
  const auto emit = [index](Key start, int32_t cover) {
    if (!index->starts.empty() && index->starts.back() == start) {
      index->covers.back() = cover;
      if (index->covers.size() > 1 && index->covers[index->covers.size() - 2] == cover) {
        index->starts.pop_back();
        index->covers.pop_back();
      }
      return;
    }
    if (!index->covers.empty() && index->covers.back() == cover) return;
    index->starts.push_back(start);
    index->covers.push_back(cover);
  };
  emit(Key{0}, -1);
  // CIDR prefixes are nested or disjoint, so the open ones form a stack.
  std::vector<int32_t> open;
  const auto close_until = [&](bool all, Key next_start) {
    while (!open.empty()) {
      const Key end = last_address(prefixes[open.back()]);
      if (!all && end >= next_start) return;
      open.pop_back();
      if (end == static_cast<Key>(~Key{0}) >> (sizeof(Key) * 8 - bits)) continue;
      emit(end + 1, open.empty() ? -1 : open.back());
    }
  };
  for (size_t i = 0; i < prefixes.size(); ++i) {
    close_until(false, prefixes[i].network);
    emit(prefixes[i].network, static_cast<int32_t>(i));
    open.push_back(static_cast<int32_t>(i));
  }
  close_until(true, Key{0});
  index->prefixes = std::move(prefixes);
  index->starts.shrink_to_fit();
  index->covers.shrink_to_fit();
  index->buckets.resize((size_t{1} << kBucketBits) + 1);
  size_t i = 0;
  for (size_t b = 0; b < index->buckets.size(); ++b) {
    while (i < index->starts.size() && BucketOf(index->starts[i]) < b) ++i;
    index->buckets[b] = static_cast<uint32_t>(i);
  }
}

template <typename Key>
const RouteViewsTable::Prefix<Key>* RouteViewsTable::Find(const Index<Key>& index, Key value) {
  if (index.starts.empty()) return nullptr;
  const size_t bucket = BucketOf(value);
  // starts[0] == 0, so the answer is at least starts[0]; it may be the last start before the
  // bucket.
  const size_t at = std::upper_bound(index.starts.begin() + index.buckets[bucket],
                                     index.starts.begin() + index.buckets[bucket + 1], value) -
                    index.starts.begin() - 1;
  const int32_t cover = index.covers[at];
  return cover < 0 ? nullptr : &index.prefixes[cover];
}

std::optional<RouteViewsTable::Match> RouteViewsTable::Lookup(const IpAddress& ip) const {
  if (ip.is_v4()) {
    const Prefix<uint32_t>* p = Find(v4_, ip.v4());
    if (p == nullptr) return std::nullopt;
    return Match{IpPrefix{IpAddress::V4(p->network), p->length}, &systems_[p->systems]};
  }
  const Prefix<unsigned __int128>* p = Find(v6_, ip.value());
  if (p == nullptr) return std::nullopt;
  return Match{IpPrefix{ip.Masked(p->length), p->length}, &systems_[p->systems]};
}

}  // namespace mlab::uuid_annotator
