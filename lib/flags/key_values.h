#ifndef MLAB_LIB_FLAGS_KEY_VALUES_H_
#define MLAB_LIB_FLAGS_KEY_VALUES_H_

#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "lib/flags/flag_traits.h"

namespace mlab::flags {

// KeyValues is flagx.KeyValue: "k=v[,k2=v2]", repeatable; a later key overwrites an earlier one
// in place, so iteration keeps first-insertion order. A value "@path" is the file's content with
// surrounding whitespace trimmed.
class KeyValues {
 public:
  using Pair = std::pair<std::string, std::string>;

  KeyValues() = default;
  KeyValues(std::initializer_list<Pair> pairs);

  // Adds every entry of "k=v[,k2=v2]"; on error (an entry without '=', an empty key, an
  // unreadable @file) nothing is added.
  absl::Status Add(std::string_view text);
  // Adds or overwrites one literal pair.
  void Put(std::string key, std::string value);

  // The value for key, or nullptr.
  const std::string* Find(std::string_view key) const;
  const std::vector<Pair>& pairs() const { return pairs_; }
  std::map<std::string, std::string> ToMap() const;
  // "k=v,k2=@path", in insertion order (file values print as their @path).
  std::string ToString() const;

  std::vector<Pair>::const_iterator begin() const { return pairs_.begin(); }
  std::vector<Pair>::const_iterator end() const { return pairs_.end(); }
  size_t size() const { return pairs_.size(); }
  bool empty() const { return pairs_.empty(); }
  void clear();

  friend bool operator==(const KeyValues& a, const KeyValues& b) { return a.pairs_ == b.pairs_; }

 private:
  void PutWithSource(std::string key, std::string value, std::string path);

  std::vector<Pair> pairs_;
  std::vector<std::string> paths_;  // parallel to pairs_: the @file path, or "" for a literal
};

template <>
struct FlagTraits<KeyValues> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = true;
  static std::string TypeName(const KeyValues&) { return "key=value"; }
  static absl::Status Parse(std::string_view text, KeyValues* value) { return value->Add(text); }
  static std::string Format(const KeyValues& value) { return value.ToString(); }
  static bool IsZero(const KeyValues& value) { return value.empty(); }
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_KEY_VALUES_H_
