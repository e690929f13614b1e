// Fuzz target: the CSV reader under the AS names and siteinfo files (Go encoding/csv rules:
// quotes, doubled quotes, CRLF, field counts), with a comma or a tab as delimiter.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/uuid-annotator/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::uuid_annotator;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  for (char delimiter : {',', '\t'}) {
    std::vector<std::vector<std::string>> records;
    (void)ReadAllCsv(text, delimiter, &records);
    CsvReader reader(text, delimiter);
    std::vector<std::string> record;
    int last_line = 0;
    for (size_t steps = 0; steps <= size + 1; ++steps) {
      if (reader.Next(&record) == CsvReader::Result::kEnd) break;
      if (reader.line() < last_line) __builtin_trap();  // line numbers never go back
      last_line = reader.line();
      if (steps == size + 1) __builtin_trap();  // more records than input bytes: no progress
    }
  }
  return 0;
}
