#include "services/uuid-annotator/csv_reader.h"

#include "absl/strings/str_cat.h"

namespace mlab::uuid_annotator {
namespace {

bool EndsWithNewline(absl::string_view s) { return !s.empty() && s.back() == '\n'; }

}  // namespace

bool CsvReader::ReadLine(std::string* line) {
  line->clear();
  if (pos_ >= data_.size()) return false;
  size_t end = data_.find('\n', pos_);
  if (end == absl::string_view::npos) {
    line->assign(data_.data() + pos_, data_.size() - pos_);
    pos_ = data_.size();
    // Go drops a trailing \r before the end of the input.
    if (!line->empty() && line->back() == '\r') line->pop_back();
  } else {
    line->assign(data_.data() + pos_, end + 1 - pos_);
    pos_ = end + 1;
  }
  ++line_;
  const size_t n = line->size();
  if (n >= 2 && (*line)[n - 2] == '\r' && (*line)[n - 1] == '\n') {
    (*line)[n - 2] = '\n';
    line->pop_back();
  }
  return true;
}

CsvReader::Result CsvReader::Next(std::vector<std::string>* record) {
  record->clear();
  std::string line;
  bool have = false;
  while ((have = ReadLine(&line))) {
    if (line == "\n") continue;  // Empty lines are skipped.
    break;
  }
  if (!have) return Result::kEnd;
  record_line_ = line_;

  bool syntax_error = false;
  absl::string_view rest = line;
  std::string owned;  // Holds continuation lines of a multi-line quoted field.
  while (true) {
    if (rest.empty() || rest[0] != '"') {
      const size_t i = rest.find(delimiter_);
      absl::string_view field = rest;
      if (i != absl::string_view::npos) {
        field = field.substr(0, i);
      } else if (EndsWithNewline(field)) {
        field.remove_suffix(1);
      }
      if (field.find('"') != absl::string_view::npos) {
        syntax_error = true;
        break;
      }
      record->emplace_back(field);
      if (i != absl::string_view::npos) {
        rest.remove_prefix(i + 1);
        continue;
      }
      break;
    }
    // Quoted field.
    rest.remove_prefix(1);
    std::string value;
    bool field_done = false;
    bool record_done = false;
    while (!field_done) {
      const size_t i = rest.find('"');
      if (i != absl::string_view::npos) {
        value.append(rest.data(), i);
        rest.remove_prefix(i + 1);
        if (!rest.empty() && rest[0] == '"') {
          value.push_back('"');
          rest.remove_prefix(1);
        } else if (!rest.empty() && rest[0] == delimiter_) {
          rest.remove_prefix(1);
          field_done = true;
        } else if (rest.empty() || rest == "\n") {
          field_done = true;
          record_done = true;
        } else {
          syntax_error = true;
          break;
        }
      } else if (!rest.empty()) {
        value.append(rest.data(), rest.size());
        if (!ReadLine(&owned)) {
          // Unterminated quote at the end of the input.
          syntax_error = true;
          break;
        }
        rest = owned;
      } else {
        syntax_error = true;
        break;
      }
    }
    if (syntax_error) break;
    record->push_back(std::move(value));
    if (record_done) break;
  }

  if (fields_per_record_ == 0) {
    fields_per_record_ = static_cast<int>(record->size());
  } else if (!syntax_error && static_cast<int>(record->size()) != fields_per_record_) {
    return Result::kFieldCount;
  }
  return syntax_error ? Result::kSyntax : Result::kRecord;
}

absl::Status ReadAllCsv(absl::string_view data, char delimiter,
                        std::vector<std::vector<std::string>>* records) {
  CsvReader reader(data, delimiter);
  records->clear();
  std::vector<std::string> record;
  while (true) {
    switch (reader.Next(&record)) {
      case CsvReader::Result::kEnd:
        return absl::OkStatus();
      case CsvReader::Result::kRecord:
        records->push_back(std::move(record));
        break;
      case CsvReader::Result::kFieldCount:
        return absl::InvalidArgumentError(
            absl::StrCat("record on line ", reader.line(), ": wrong number of fields"));
      case CsvReader::Result::kSyntax:
        return absl::InvalidArgumentError(
            absl::StrCat("record on line ", reader.line(), ": bare or unterminated quote"));
    }
  }
}

}  // namespace mlab::uuid_annotator
