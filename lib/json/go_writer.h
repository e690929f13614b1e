#ifndef MLAB_LIB_JSON_GO_WRITER_H_
#define MLAB_LIB_JSON_GO_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/json/go_encoding.h"

namespace mlab::json {

// Appends compact JSON to a string in exactly the order the caller writes keys, with values
// encoded as Go's encoding/json does (lib/json/go_encoding.h): archives follow Go's struct field
// order, which a generic writer would not guarantee. Commas are inserted automatically.
class GoJsonWriter {
 public:
  explicit GoJsonWriter(std::string* out, GoEscapes escapes = GoEscapes::kGo120)
      : out_(out), escapes_(escapes) {}

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
  void Time(absl::Time value);
  void Null();

  // Key and value in one call.
  void Field(absl::string_view key, absl::string_view value) { Key(key), String(value); }
  void Field(absl::string_view key, const char* value) { Key(key), String(value); }
  void Field(absl::string_view key, const std::string& value) { Key(key), String(value); }
  void FieldInt(absl::string_view key, int64_t value) { Key(key), Int(value); }
  void FieldUint(absl::string_view key, uint64_t value) { Key(key), Uint(value); }

  // A field tagged `json:",omitempty"`: nothing at all when the value is "", 0, 0.0 (-0.0 too)
  // or false.
  void FieldOmitEmpty(absl::string_view key, absl::string_view value);
  void FieldIntOmitEmpty(absl::string_view key, int64_t value);
  void FieldDoubleOmitEmpty(absl::string_view key, double value);
  void FieldBoolOmitEmpty(absl::string_view key, bool value);

 private:
  void Open(char c);
  void Close(char c);
  // The comma (unless first or after a key) before a value; returns the string to append it to.
  std::string* BeginValue();

  std::string* out_;
  GoEscapes escapes_;
  bool need_comma_ = false;
  bool after_key_ = false;
};

}  // namespace mlab::json

#endif  // MLAB_LIB_JSON_GO_WRITER_H_
