#include "services/uuid-annotator/as_names.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/uuid-annotator/csv_reader.h"

namespace mlab::uuid_annotator {

absl::StatusOr<std::unique_ptr<AsNames>> AsNames::Parse(absl::string_view csv) {
  std::vector<std::vector<std::string>> rows;
  if (absl::Status status = ReadAllCsv(csv, ',', &rows); !status.ok()) return status;
  if (rows.empty()) return absl::InvalidArgumentError("AS names CSV is empty");
  std::unique_ptr<AsNames> names(new AsNames());
  names->names_.reserve(rows.size());
  // One warning per file, not per row: a garbage file of a million short rows must not flood the
  // log.
  size_t skipped = 0;
  std::string first_skipped;
  for (size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string>& row = rows[i];
    if (row.size() < 2 || row[0].size() < 2) {
      if (skipped++ == 0) first_skipped = absl::StrCat("row ", i + 1, " is short");
      continue;
    }
    absl::string_view number = absl::string_view(row[0]).substr(2);
    uint32_t asn = 0;
    // strconv.ParseUint(s, 10, 32): digits only.
    bool ok = !number.empty() &&
              number.find_first_not_of("0123456789") == absl::string_view::npos &&
              absl::SimpleAtoi(number, &asn);
    if (!ok) {
      if (skipped++ == 0) {
        first_skipped = absl::StrCat("row ", i + 1, " has AS \"", absl::CHexEscape(row[0]), "\"");
      }
      continue;
    }
    names->names_[asn] = row[1];
  }
  if (skipped > 0) {
    LOG(WARNING) << "AS names: skipped " << skipped << " of " << rows.size() - 1
                 << " rows; first: " << first_skipped;
  }
  return names;
}

const std::string& AsNames::Find(uint32_t asn) const {
  static const std::string* const kEmpty = new std::string();
  auto it = names_.find(asn);
  return it == names_.end() ? *kEmpty : it->second;
}

}  // namespace mlab::uuid_annotator
