#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_GO_DECODER_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_GO_DECODER_H_

// Decodes parsed JSON into C++ records with the rules of Go's json.Unmarshal, which is what
// upstream's (and ETL's) scamper parsers accept or reject: keys match field names ignoring ASCII
// case, unknown keys are ignored, null leaves a field as it is, an integer field takes only an
// integer literal in range, and any type mismatch fails the whole line.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace mlab::trc {

using JsonValue = rapidjson::Value;

// Parses one JSON text (surrounding whitespace allowed, nothing else) with exact float rounding.
// Returns false on a syntax error.
bool ParseJson(absl::string_view text, rapidjson::Document* doc);

class GoDecoder {
 public:
  bool ok() const { return ok_; }
  void Fail() { ok_ = false; }

  // True when an object key names `field` (Go's case-insensitive match).
  static bool KeyIs(const JsonValue& key, absl::string_view field);

  void String(const JsonValue& v, std::string* out);
  void Bool(const JsonValue& v, bool* out);
  void Float(const JsonValue& v, double* out);
  void Int(const JsonValue& v, int64_t* out) {
    Int(v, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), out);
  }
  void Int32(const JsonValue& v, int32_t* out);

  // Decodes an object member by member with `field(key, value)`; null is a no-op.
  template <typename FieldFn>
  void Object(const JsonValue& v, FieldFn field) {
    if (v.IsNull()) return;
    if (!v.IsObject()) {
      Fail();
      return;
    }
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) field(it->name, it->value);
  }

  // Decodes an array into a Go slice: null gives nil (nullopt), [] an empty slice.
  template <typename T, typename ElementFn>
  void Array(const JsonValue& v, std::optional<std::vector<T>>* out, ElementFn element) {
    if (v.IsNull()) {
      out->reset();
      return;
    }
    if (!v.IsArray()) {
      Fail();
      return;
    }
    out->emplace();
    (*out)->reserve(v.Size());
    for (const JsonValue& item : v.GetArray()) {
      (*out)->emplace_back();
      element(item, &(*out)->back());
    }
  }

 private:
  void Int(const JsonValue& v, int64_t min, int64_t max, int64_t* out);

  bool ok_ = true;
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_GO_DECODER_H_
