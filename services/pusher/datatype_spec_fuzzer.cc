// Fuzz target: the -datatype flag value (name[=ratio],...). Whatever we accept must format (as
// --help shows it: ratios with 6 significant digits) to text that parses back to the same names
// with the same ratios, to that precision.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "services/pusher/datatype_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlab::pusher;
  DatatypeList list;
  if (!ParseDatatypes(std::string_view(reinterpret_cast<const char*>(data), size), &list).ok()) {
    return 0;
  }
  const std::string text = FormatDatatypes(list);
  DatatypeList again;
  if (!ParseDatatypes(text, &again).ok() || again.size() != list.size()) __builtin_trap();
  for (size_t i = 0; i < list.size(); ++i) {
    if (again[i].name != list[i].name || std::fabs(again[i].ratio - list[i].ratio) > 1e-5) {
      __builtin_trap();
    }
  }
  return 0;
}
