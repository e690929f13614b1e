#ifndef MLAB_LIB_JSON_GO_DECODER_H_
#define MLAB_LIB_JSON_GO_DECODER_H_

// Decodes parsed JSON into C++ records with the rules of Go's json.Unmarshal, which is what
// upstream's readers (and ETL's parsers) accept or reject: keys match field names ignoring ASCII
// case, unknown keys are ignored, null leaves a field as it is, an integer field takes only an
// integer literal in range, invalid UTF-8 in a string becomes U+FFFD, and a type mismatch fails
// the whole document (decoding goes on; the first failure is what status() reports).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace mlab::json {

using JsonValue = rapidjson::Value;

class GoDecoder {
 public:
  bool ok() const { return !failure_.has_value(); }

  // OK, or InvalidArgument "cannot decode <path> as <type>" for the first failure, where the
  // path names the object keys and array indices leading to it (a.b[2].c).
  absl::Status status() const;

  // Records a failure at the current path: the value is not a `want` (or not a valid one).
  void Fail(absl::string_view want = "value");

  // True when an object key names `field` (Go's case-insensitive match).
  static bool KeyIs(const JsonValue& key, absl::string_view field);
  static absl::string_view Text(const JsonValue& string) {
    return absl::string_view(string.GetString(), string.GetStringLength());
  }

  void String(const JsonValue& v, std::string* out);
  void Bool(const JsonValue& v, bool* out);
  void Float(const JsonValue& v, double* out);
  void Int(const JsonValue& v, int64_t* out) {
    Int(v, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), "int64", out);
  }
  void Int32(const JsonValue& v, int32_t* out);
  void Uint32(const JsonValue& v, uint32_t* out);

  // Decodes an object member by member with `field(key, value)`; null is a no-op. Returns
  // whether `v` was an object.
  template <typename FieldFn>
  bool Object(const JsonValue& v, FieldFn field) {
    if (v.IsNull()) return false;
    if (!v.IsObject()) {
      Fail("object");
      return false;
    }
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      path_.push_back(PathStep{Text(it->name), 0});
      field(it->name, it->value);
      path_.pop_back();
    }
    return true;
  }

  // Decodes an array into a Go slice: null gives nil (nullopt), [] an empty slice.
  template <typename T, typename ElementFn>
  void Array(const JsonValue& v, std::optional<std::vector<T>>* out, ElementFn element) {
    if (v.IsNull()) {
      out->reset();
      return;
    }
    out->emplace();
    Elements(v, &**out, element);
  }

  // Decodes an array into a vector (null leaves it empty, as Go leaves a nil slice).
  template <typename T, typename ElementFn>
  void Array(const JsonValue& v, std::vector<T>* out, ElementFn element) {
    out->clear();
    if (!v.IsNull()) Elements(v, out, element);
  }

 private:
  struct PathStep {
    absl::string_view key;  // Empty for an array index.
    size_t index;
  };

  template <typename T, typename ElementFn>
  void Elements(const JsonValue& v, std::vector<T>* out, ElementFn element) {
    if (!v.IsArray()) {
      Fail("array");
      return;
    }
    out->reserve(v.Size());
    for (const JsonValue& item : v.GetArray()) {
      path_.push_back(PathStep{absl::string_view(), out->size()});
      out->emplace_back();
      element(item, &out->back());
      path_.pop_back();
    }
  }

  void Int(const JsonValue& v, int64_t min, int64_t max, absl::string_view want, int64_t* out);

  std::vector<PathStep> path_;
  std::optional<std::string> failure_;
};

}  // namespace mlab::json

#endif  // MLAB_LIB_JSON_GO_DECODER_H_
