#include "lib/admin/listen_address.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace mlab::admin {

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view address) {
  const auto error = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", address, "\": ", why, " (want host:port, e.g. :9990)"));
  };
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return error("missing port");
  absl::string_view host = address.substr(0, colon);
  const absl::string_view port_text = address.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.back() != ']') return error("missing ']' in address");
    host = host.substr(1, host.size() - 2);
  } else if (host.find_first_of("[]") != absl::string_view::npos) {
    return error("unexpected '[' or ']' in address");
  } else if (host.find(':') != absl::string_view::npos) {
    return error("too many colons in address (bracket IPv6 literals: [::1]:9990)");
  }
  if (port_text.empty()) return error("missing port");
  uint32_t port = 0;
  for (char c : port_text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return error("port is not a number");
  }
  if (!absl::SimpleAtoi(port_text, &port) || port > 65535) return error("port out of range");
  return ListenAddress{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace mlab::admin
