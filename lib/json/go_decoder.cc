#include "lib/json/go_decoder.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/json/go_encoding.h"

namespace mlab::json {

absl::Status GoDecoder::status() const {
  if (ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(*failure_);
}

void GoDecoder::Fail(absl::string_view want) {
  if (failure_) return;
  std::string path;
  for (const PathStep& step : path_) {
    if (step.key.data() == nullptr) {
      absl::StrAppend(&path, "[", step.index, "]");
    } else {
      absl::StrAppend(&path, path.empty() ? "" : ".", step.key);
    }
  }
  failure_ = absl::StrCat("cannot decode ", path.empty() ? "the document" : path, " as ", want);
}

bool GoDecoder::KeyIs(const JsonValue& key, absl::string_view field) {
  return absl::EqualsIgnoreCase(Text(key), field);
}

void GoDecoder::String(const JsonValue& v, std::string* out) {
  if (v.IsNull()) return;
  if (!v.IsString()) return Fail("string");
  *out = SanitizeUtf8(Text(v));
}

void GoDecoder::Bool(const JsonValue& v, bool* out) {
  if (v.IsNull()) return;
  if (!v.IsBool()) return Fail("bool");
  *out = v.GetBool();
}

void GoDecoder::Float(const JsonValue& v, double* out) {
  if (v.IsNull()) return;
  if (!v.IsNumber()) return Fail("float64");
  *out = v.GetDouble();
}

void GoDecoder::Int(const JsonValue& v, int64_t min, int64_t max, absl::string_view want,
                    int64_t* out) {
  if (v.IsNull()) return;
  // Go parses the literal with strconv.ParseInt: "1.0", "1e2" and out-of-range values fail.
  if (!v.IsNumber() || !v.IsInt64()) return Fail(want);
  const int64_t value = v.GetInt64();
  if (value < min || value > max) return Fail(want);
  *out = value;
}

void GoDecoder::Int32(const JsonValue& v, int32_t* out) {
  int64_t value = *out;
  Int(v, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), "int32", &value);
  *out = static_cast<int32_t>(value);
}

void GoDecoder::Uint32(const JsonValue& v, uint32_t* out) {
  int64_t value = *out;
  Int(v, 0, std::numeric_limits<uint32_t>::max(), "uint32", &value);
  *out = static_cast<uint32_t>(value);
}

}  // namespace mlab::json
