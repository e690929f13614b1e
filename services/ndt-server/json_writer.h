#ifndef MLAB_SERVICES_NDT_SERVER_JSON_WRITER_H_
#define MLAB_SERVICES_NDT_SERVER_JSON_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace mlab::ndt7 {

// Appends compact JSON to a string in exactly the order the caller writes keys: the archive and
// the wire format follow Go's struct order, which a generic writer would not guarantee. Commas
// are inserted automatically.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  void Key(absl::string_view key);
  void String(absl::string_view value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Double(double value);
  void Bool(bool value);
  void Null();

  // Key and value in one call.
  void Field(absl::string_view key, absl::string_view value) { Key(key), String(value); }
  void Field(absl::string_view key, const char* value) { Key(key), String(value); }
  void Field(absl::string_view key, const std::string& value) { Key(key), String(value); }
  void FieldInt(absl::string_view key, int64_t value) { Key(key), Int(value); }
  void FieldUint(absl::string_view key, uint64_t value) { Key(key), Uint(value); }

 private:
  void Open(char c);
  void Close(char c);
  void BeforeValue();

  std::string* out_;
  bool need_comma_ = false;
  bool after_key_ = false;
};

// Appends `value` as a JSON string literal, escaped as Go's encoding/json does (including <, >
// and & as \u003c, \u003e, \u0026).
void AppendJsonString(absl::string_view value, std::string* out);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_JSON_WRITER_H_
