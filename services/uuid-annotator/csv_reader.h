// A reader for delimited text that accepts and rejects exactly what Go's encoding/csv does with
// its defaults, since upstream reads RouteViews (tab) and AS names (comma) with it.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_CSV_READER_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_CSV_READER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mlab::uuid_annotator {

// Go's rules: records end at \n (\r\n counts as \n); empty lines are skipped; a field starting
// with " is quoted ("" is a quote, newlines allowed) and must end with " before the delimiter or
// the end of the line; a " inside an unquoted field is an error. The first record fixes the field
// count; a record with another count is still returned, with a FieldCount error.
class CsvReader {
 public:
  enum class Result {
    kRecord,      // *record holds the next record.
    kFieldCount,  // *record holds a record whose field count differs from the first one's.
    kSyntax,      // A bare or unterminated quote; the bad record is skipped.
    kEnd,
  };

  // `data` must outlive the reader.
  CsvReader(absl::string_view data, char delimiter) : data_(data), delimiter_(delimiter) {}

  Result Next(std::vector<std::string>* record);

  // 1-based line where the last record started, for error messages.
  int line() const { return record_line_; }

 private:
  // The next line including its \n (normalised from \r\n), or empty at the end.
  bool ReadLine(std::string* line);

  absl::string_view data_;
  size_t pos_ = 0;
  const char delimiter_;
  int fields_per_record_ = 0;
  int line_ = 0;
  int record_line_ = 0;
};

// Reads every record as Go's csv.Reader.ReadAll does: any error fails the whole read.
absl::Status ReadAllCsv(absl::string_view data, char delimiter,
                        std::vector<std::vector<std::string>>* records);

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_CSV_READER_H_
