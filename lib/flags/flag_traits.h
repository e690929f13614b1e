#ifndef MLAB_LIB_FLAGS_FLAG_TRAITS_H_
#define MLAB_LIB_FLAGS_FLAG_TRAITS_H_

namespace mlab::flags {

// FlagTraits<T> teaches Flag<T> how to parse and print a T. Each value type's header specializes
// it with these static members:
//
//   static constexpr bool kIsBool;      // `-name` alone means "true"; never takes the next arg.
//   static constexpr bool kRepeatable;  // Set appends; the first Set replaces the default.
//   static std::string TypeName(const T& value);  // shown in usage: "string", "duration", ...
//   static absl::Status Parse(std::string_view text, T* value);  // repeatable: appends to *value
//   static std::string Format(const T& value);  // text that Parse accepts back
//   static bool IsZero(const T& value);  // usage omits "(default ...)" for zero values
template <typename T>
struct FlagTraits;

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_FLAG_TRAITS_H_
