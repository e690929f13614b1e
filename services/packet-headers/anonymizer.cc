#include "services/packet-headers/anonymizer.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace mlab::packet_headers {

absl::StatusOr<Anonymizer::Mode> Anonymizer::ParseMode(absl::string_view text) {
  if (text == "none") return Mode::kNone;
  if (text == "netblock") return Mode::kNetblock;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown -anonymize.ip \"", text, "\" (want none or netblock)"));
}

Anonymizer::Anonymizer(Mode mode, const std::vector<IpAddress>& local)
    : mode_(mode), local_(local.begin(), local.end()) {}

void Anonymizer::AnonymizeInPlace(int family, uint8_t* address) const {
  if (mode_ == Mode::kNone) return;
  IpAddress ip = family == 4 ? IpAddress::V4(address) : IpAddress::V6(address);
  if (local_.contains(ip)) return;
  if (family == 4) {
    address[3] = 0;  // /24
  } else {
    std::memset(address + 6, 0, 10);  // /48 (m-lab/go #154), not the /64 its docstring says
  }
}

IpAddress Anonymizer::Anonymize(const IpAddress& address) const {
  IpAddress out = address;
  AnonymizeInPlace(out.family, out.bytes.data());
  return out;
}

std::string Anonymizer::Format(const FlowKey& key) const {
  return FlowKey(Anonymize(key.lo_ip()), key.lo_port(), Anonymize(key.hi_ip()), key.hi_port())
      .ToString();
}

}  // namespace mlab::packet_headers
