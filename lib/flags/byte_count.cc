#include "lib/flags/byte_count.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "lib/flags/absl_compat.h"

namespace mlab::flags {

absl::StatusOr<ByteCount> ByteCount::Parse(std::string_view text) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("invalid size format \"", internal::ToAbsl(text),
                                                   "\" (want e.g. 5, 10K, 50MB, 2GB)"));
  };
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return invalid();
  std::string_view unit = text.substr(digits);
  int64_t multiplier = 0;
  if (unit.empty() || unit == "B") {
    multiplier = kByte;
  } else if (unit == "K" || unit == "KB") {
    multiplier = kKilobyte;
  } else if (unit == "M" || unit == "MB") {
    multiplier = kMegabyte;
  } else if (unit == "G" || unit == "GB") {
    multiplier = kGigabyte;
  } else {
    return invalid();
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t quantity = 0;
  for (char c : text.substr(0, digits)) {
    if (quantity > (kMax - (c - '0')) / 10) {
      return absl::OutOfRangeError(
          absl::StrCat("size \"", internal::ToAbsl(text), "\" is out of range"));
    }
    quantity = quantity * 10 + (c - '0');
  }
  if (quantity > kMax / multiplier) {
    return absl::OutOfRangeError(
        absl::StrCat("size \"", internal::ToAbsl(text), "\" is out of range"));
  }
  return ByteCount(quantity * multiplier);
}

std::string ByteCount::ToString() const {
  if (bytes_ == 0) return "0B";
  if (bytes_ % kGigabyte == 0) return absl::StrCat(bytes_ / kGigabyte, "GB");
  if (bytes_ % kMegabyte == 0) return absl::StrCat(bytes_ / kMegabyte, "MB");
  if (bytes_ % kKilobyte == 0) return absl::StrCat(bytes_ / kKilobyte, "KB");
  return absl::StrCat(bytes_, "B");
}

absl::Status FlagTraits<ByteCount>::Parse(std::string_view text, ByteCount* value) {
  absl::StatusOr<ByteCount> parsed = ByteCount::Parse(text);
  if (!parsed.ok()) return parsed.status();
  *value = *parsed;
  return absl::OkStatus();
}

}  // namespace mlab::flags
