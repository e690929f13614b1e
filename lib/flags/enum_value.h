#ifndef MLAB_LIB_FLAGS_ENUM_VALUE_H_
#define MLAB_LIB_FLAGS_ENUM_VALUE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "lib/flags/flag_traits.h"

namespace mlab::flags {

// Enum is flagx.Enum: a string restricted to a fixed set of options, e.g.
//   Flag<Enum> FLAGS_trace_type("scamper.trace-type", Enum("mda", {"mda", "regular"}), "...");
class Enum {
 public:
  // The default value is not checked against the options (upstream allows e.g. "").
  Enum(std::string value, std::vector<std::string> options)
      : value_(std::move(value)), options_(std::move(options)) {}

  // Selects text if it is one of the options; the error lists them.
  absl::Status Select(std::string_view text);

  const std::string& value() const { return value_; }
  const std::vector<std::string>& options() const { return options_; }

  friend bool operator==(const Enum& e, std::string_view value) { return e.value_ == value; }
  friend bool operator!=(const Enum& e, std::string_view value) { return e.value_ != value; }

 private:
  std::string value_;
  std::vector<std::string> options_;
};

template <>
struct FlagTraits<Enum> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(const Enum& value);  // "mda|regular"
  static absl::Status Parse(std::string_view text, Enum* value) { return value->Select(text); }
  static std::string Format(const Enum& value) { return value.value(); }
  static bool IsZero(const Enum& value) { return value.value().empty(); }
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_ENUM_VALUE_H_
