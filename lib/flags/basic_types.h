#ifndef MLAB_LIB_FLAGS_BASIC_TYPES_H_
#define MLAB_LIB_FLAGS_BASIC_TYPES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/flags/flag_traits.h"

namespace mlab::flags {

// Go's strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False.
absl::StatusOr<bool> ParseGoBool(std::string_view text);

// Go's strconv.ParseInt(text, 0, bits): optional sign, decimal, 0x hex, 0o/leading-0 octal,
// 0b binary, '_' between digits. Errors read "parse error" or "value out of range".
absl::StatusOr<int64_t> ParseGoInt(std::string_view text, int bits = 64);

// Go's strconv.ParseUint(text, 0, 64): like ParseGoInt without a sign.
absl::StatusOr<uint64_t> ParseGoUint(std::string_view text);

// Go's strconv.ParseFloat(text, 64): decimal or hex floats, exponents, inf, nan.
absl::StatusOr<double> ParseGoFloat(std::string_view text);

// Go's strconv.FormatFloat(value, 'g', -1, 64): shortest text that parses back exactly.
std::string FormatGoFloat(double value);

template <>
struct FlagTraits<bool> {
  static constexpr bool kIsBool = true;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(bool) { return "bool"; }
  static absl::Status Parse(std::string_view text, bool* value);
  static std::string Format(bool value) { return value ? "true" : "false"; }
  static bool IsZero(bool value) { return !value; }
};

template <>
struct FlagTraits<int> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(int) { return "int"; }
  static absl::Status Parse(std::string_view text, int* value);
  static std::string Format(int value) { return std::to_string(value); }
  static bool IsZero(int value) { return value == 0; }
};

template <>
struct FlagTraits<int64_t> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(int64_t) { return "int"; }
  static absl::Status Parse(std::string_view text, int64_t* value);
  static std::string Format(int64_t value) { return std::to_string(value); }
  static bool IsZero(int64_t value) { return value == 0; }
};

template <>
struct FlagTraits<uint64_t> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(uint64_t) { return "uint"; }
  static absl::Status Parse(std::string_view text, uint64_t* value);
  static std::string Format(uint64_t value) { return std::to_string(value); }
  static bool IsZero(uint64_t value) { return value == 0; }
};

template <>
struct FlagTraits<double> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(double) { return "float"; }
  static absl::Status Parse(std::string_view text, double* value);
  static std::string Format(double value) { return FormatGoFloat(value); }
  static bool IsZero(double value) { return value == 0; }
};

template <>
struct FlagTraits<std::string> {
  static constexpr bool kIsBool = false;
  static constexpr bool kRepeatable = false;
  static std::string TypeName(const std::string&) { return "string"; }
  static absl::Status Parse(std::string_view text, std::string* value);
  static std::string Format(const std::string& value) { return value; }
  static bool IsZero(const std::string& value) { return value.empty(); }
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_BASIC_TYPES_H_
