#include "services/pusher/node_name.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mlab::pusher {
namespace {

constexpr absl::string_view kDomain = ".measurement-lab.org";

bool AllOf(absl::string_view s, bool (*pred)(unsigned char)) {
  for (char c : s) {
    if (!pred(static_cast<unsigned char>(c))) return false;
  }
  return true;
}
bool IsLower(unsigned char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsLowerHex(unsigned char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
bool IsLowerAlnum(unsigned char c) { return IsLower(c) || IsDigit(c); }

// mlab1 .. mlab9, optionally with the BMC's trailing "d".
bool IsMachine(absl::string_view s) {
  if (absl::EndsWith(s, "d")) s.remove_suffix(1);
  return s.size() == 5 && absl::StartsWith(s, "mlab") && IsDigit(s[4]);
}
// Three letters, a digit, then a digit or "t" (test sites): lga03, abc0t.
bool IsSite(absl::string_view s) {
  return s.size() == 5 && AllOf(s.substr(0, 3), IsLower) && IsDigit(s[3]) &&
         (IsDigit(s[4]) || s[4] == 't');
}
// v3: IATA code and ASN (1 to 10 digits), then an 8-hex machine id.
bool IsV3Site(absl::string_view s) {
  return s.size() >= 4 && s.size() <= 13 && AllOf(s.substr(0, 3), IsLower) &&
         AllOf(s.substr(3), IsDigit);
}
bool IsV3Machine(absl::string_view s) { return s.size() == 8 && AllOf(s, IsLowerHex); }
bool IsLabel(absl::string_view s) { return !s.empty() && AllOf(s, IsLowerAlnum); }

std::string Node(absl::string_view machine, absl::string_view site) {
  return absl::StrCat(machine, "-", site);
}

}  // namespace

absl::StatusOr<std::string> NodeNameFromHostname(absl::string_view hostname) {
  if (hostname == "third-party") return Node("third", "party");
  absl::string_view name = hostname;
  // A managed-instance-group suffix after the domain, e.g. "...measurement-lab.org-a9b8".
  size_t domain = name.rfind(kDomain);
  if (domain != absl::string_view::npos && domain + kDomain.size() < name.size()) {
    absl::string_view suffix = name.substr(domain + kDomain.size());
    if (suffix.size() == 5 && suffix[0] == '-' && AllOf(suffix.substr(1), IsLowerAlnum)) {
      name = name.substr(0, domain + kDomain.size());
    }
  }
  if (!absl::EndsWith(name, kDomain)) {
    return absl::InvalidArgumentError(
        absl::StrCat("hostname \"", hostname, "\" is not under measurement-lab.org"));
  }
  name.remove_suffix(kDomain.size());
  std::vector<absl::string_view> labels = absl::StrSplit(name, '.');

  // v1, dotted: [service.]...machine.site
  if (labels.size() >= 2 && IsMachine(labels[labels.size() - 2]) && IsSite(labels.back())) {
    bool services_ok = true;
    for (size_t i = 0; i + 2 < labels.size(); ++i) services_ok = services_ok && IsLabel(labels[i]);
    if (services_ok) return Node(labels[labels.size() - 2], labels.back());
  }
  // v1, flat: [service-...-]machine-site
  if (labels.size() == 1) {
    std::vector<absl::string_view> parts = absl::StrSplit(labels[0], '-');
    if (parts.size() >= 2 && IsMachine(parts[parts.size() - 2]) && IsSite(parts.back())) {
      return Node(parts[parts.size() - 2], parts.back());
    }
  }
  // v2: [service-]machine-site.project
  if (labels.size() == 2) {
    std::vector<absl::string_view> parts = absl::StrSplit(labels[0], '-');
    if (parts.size() == 3 && !IsLabel(parts[0])) parts.clear();
    if ((parts.size() == 2 || parts.size() == 3) && IsMachine(parts[parts.size() - 2]) &&
        IsSite(parts.back()) && !labels[1].empty()) {
      return Node(parts[parts.size() - 2], parts.back());
    }
  }
  // v3: [service-]site-machine.org.project
  if (labels.size() == 3 && !labels[1].empty() && !labels[2].empty()) {
    std::vector<absl::string_view> parts = absl::StrSplit(labels[0], '-');
    if (parts.size() == 3 && !IsLabel(parts[0])) parts.clear();
    if ((parts.size() == 2 || parts.size() == 3) && IsV3Site(parts[parts.size() - 2]) &&
        IsV3Machine(parts.back())) {
      return Node(parts.back(), parts[parts.size() - 2]);
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("hostname \"", hostname, "\" is not an M-Lab machine name"));
}

absl::Status CheckUniformName(absl::string_view what, absl::string_view name) {
  if (name.empty() || !IsLower(static_cast<unsigned char>(name[0])) || !AllOf(name, IsLowerAlnum)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " \"", name, "\" must match ^[a-z][a-z0-9]*$"));
  }
  return absl::OkStatus();
}

}  // namespace mlab::pusher
