#include "services/traceroute-caller/go_decoder.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "lib/json/full_precision.h"
#include "lib/json/go_encoding.h"

namespace mlab::trc {

bool ParseJson(absl::string_view text, rapidjson::Document* doc) {
  return mlab::json::ParseFullPrecision(text, doc).ok();
}

bool GoDecoder::KeyIs(const JsonValue& key, absl::string_view field) {
  return absl::EqualsIgnoreCase(absl::string_view(key.GetString(), key.GetStringLength()), field);
}

void GoDecoder::String(const JsonValue& v, std::string* out) {
  if (v.IsNull()) return;
  if (!v.IsString()) return Fail();
  *out = json::SanitizeUtf8(absl::string_view(v.GetString(), v.GetStringLength()));
}

void GoDecoder::Bool(const JsonValue& v, bool* out) {
  if (v.IsNull()) return;
  if (!v.IsBool()) return Fail();
  *out = v.GetBool();
}

void GoDecoder::Float(const JsonValue& v, double* out) {
  if (v.IsNull()) return;
  if (!v.IsNumber()) return Fail();
  *out = v.GetDouble();
}

void GoDecoder::Int(const JsonValue& v, int64_t min, int64_t max, int64_t* out) {
  if (v.IsNull()) return;
  // Go parses the literal with strconv.ParseInt: "1.0", "1e2" and out-of-range values fail.
  if (!v.IsNumber() || !v.IsInt64()) return Fail();
  int64_t value = v.GetInt64();
  if (value < min || value > max) return Fail();
  *out = value;
}

void GoDecoder::Int32(const JsonValue& v, int32_t* out) {
  int64_t value = *out;
  Int(v, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), &value);
  *out = static_cast<int32_t>(value);
}

}  // namespace mlab::trc
