#ifndef MLAB_LIB_FLAGS_FLAG_H_
#define MLAB_LIB_FLAGS_FLAG_H_

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "lib/flags/basic_types.h"  // so Flag<bool|int|int64_t|uint64_t|double|std::string> works
#include "lib/flags/duration.h"     // and Flag<absl::Duration>
#include "lib/flags/flag_base.h"
#include "lib/flags/flag_traits.h"

namespace mlab::flags {

// Flag<T> is a typed flag declared at namespace scope in the file that uses it:
//
//   mlab::flags::Flag<std::string> FLAGS_output("output", "", "Root of the archive tree.");
//   ... *FLAGS_output ...
//
// T needs a FlagTraits<T> specialization: the basic types and absl::Duration come with this
// header; for the others include their header (byte_count.h, key_values.h, ...) or flags.h.
template <typename T>
class Flag final : public FlagBase {
 public:
  using Traits = FlagTraits<T>;

  Flag(std::string_view name, T default_value, std::string_view help)
      : FlagBase(name, help), default_(std::move(default_value)), value_(default_) {}

  const T& Get() const { return value_; }
  const T& operator*() const { return value_; }
  const T* operator->() const { return &value_; }
  const T& default_value() const { return default_; }

  // Replaces the value as if it came from the command line (was_set() becomes true).
  void SetForTest(T value) {
    value_ = std::move(value);
    set_was_set(true);
  }

  absl::Status Set(std::string_view text) override {
    T next = value_;
    if constexpr (Traits::kRepeatable) {
      // A default is a fallback, not a prefix: the first Set of a repeatable flag starts empty.
      if (!was_set()) next.clear();
    }
    absl::Status status = Traits::Parse(text, &next);
    if (!status.ok()) return status;
    value_ = std::move(next);
    set_was_set(true);
    return absl::OkStatus();
  }
  bool IsBool() const override { return Traits::kIsBool; }
  std::string DefaultText() const override { return Traits::Format(default_); }
  std::string CurrentText() const override { return Traits::Format(value_); }
  std::string TypeName() const override { return Traits::TypeName(value_); }
  bool DefaultIsZero() const override { return Traits::IsZero(default_); }
  void ResetForTest() override {
    value_ = default_;
    set_was_set(false);
  }

 private:
  const T default_;
  T value_;
};

}  // namespace mlab::flags

#endif  // MLAB_LIB_FLAGS_FLAG_H_
