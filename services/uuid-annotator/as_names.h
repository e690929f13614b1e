// AS numbers to names, from IPinfo.io's CSV (asn,name,country,registry), as upstream reads it.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_AS_NAMES_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_AS_NAMES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::uuid_annotator {

class AsNames {
 public:
  // Skips the header row; takes the number after the first two characters of column 0 ("AS") and
  // the name in column 1. Rows whose number does not parse are skipped; a CSV syntax error or a
  // row with another field count fails the whole load, as Go's csv.ReadAll does.
  static absl::StatusOr<std::unique_ptr<AsNames>> Parse(absl::string_view csv);

  // The name, or "" when unknown.
  const std::string& Find(uint32_t asn) const;
  size_t size() const { return names_.size(); }

 private:
  AsNames() = default;
  absl::flat_hash_map<uint32_t, std::string> names_;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_AS_NAMES_H_
