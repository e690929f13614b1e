#include "lib/json/go_writer.h"

#include "absl/strings/str_cat.h"
#include "lib/json/go_encoding.h"

namespace mlab::json {

std::string* GoJsonWriter::BeginValue() {
  if (after_key_) {
    after_key_ = false;
  } else if (need_comma_) {
    out_->push_back(',');
  }
  need_comma_ = true;
  return out_;
}

void GoJsonWriter::Open(char c) {
  BeginValue()->push_back(c);
  need_comma_ = false;
}

void GoJsonWriter::Close(char c) {
  out_->push_back(c);
  need_comma_ = true;
}

void GoJsonWriter::Key(absl::string_view key) {
  if (need_comma_) out_->push_back(',');
  AppendGoString(key, out_, escapes_);
  out_->push_back(':');
  after_key_ = true;
  need_comma_ = true;
}

void GoJsonWriter::String(absl::string_view value) {
  AppendGoString(value, BeginValue(), escapes_);
}
void GoJsonWriter::Int(int64_t value) { AppendGoInt(value, BeginValue()); }
void GoJsonWriter::Uint(uint64_t value) { absl::StrAppend(BeginValue(), value); }
void GoJsonWriter::Double(double value) { AppendGoFloat(value, BeginValue()); }
void GoJsonWriter::Bool(bool value) { AppendGoBool(value, BeginValue()); }
void GoJsonWriter::Time(absl::Time value) { AppendGoTime(value, BeginValue()); }
void GoJsonWriter::Null() { BeginValue()->append("null"); }

void GoJsonWriter::FieldOmitEmpty(absl::string_view key, absl::string_view value) {
  if (!value.empty()) Key(key), String(value);
}

void GoJsonWriter::FieldIntOmitEmpty(absl::string_view key, int64_t value) {
  if (value != 0) Key(key), Int(value);
}

void GoJsonWriter::FieldDoubleOmitEmpty(absl::string_view key, double value) {
  if (value != 0) Key(key), Double(value);
}

void GoJsonWriter::FieldBoolOmitEmpty(absl::string_view key, bool value) {
  if (value) Key(key), Bool(value);
}

}  // namespace mlab::json
