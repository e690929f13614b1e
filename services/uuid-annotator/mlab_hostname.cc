#include "services/uuid-annotator/mlab_hostname.h"

#include <regex>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mlab::uuid_annotator {
namespace {

absl::Status Invalid(absl::string_view what, absl::string_view name) {
  return absl::InvalidArgumentError(absl::StrCat("invalid ", what, ": \"", name, "\""));
}

absl::StatusOr<MlabHostname> ParseV1(const std::string& name) {
  // The v1 pattern of m-lab/go's host package (its '.' in the domain matches any character).
  static const std::regex* const kV1 =
      new std::regex("(?:[-a-z.]+)?(mlab[1-4]d?)[-.]([a-z]{3}[0-9tc]{2})\\.(measurement-lab.org)$");
  std::smatch match;
  if (!std::regex_search(name, match, *kV1)) return Invalid("v1 hostname", name);
  MlabHostname h;
  h.machine = match[1];
  h.site = match[2];
  h.domain = match[3];
  h.version = "v1";
  return h;
}

absl::StatusOr<MlabHostname> ParseV2(const std::vector<std::string>& f, absl::string_view name) {
  std::vector<std::string> sms = absl::StrSplit(f[0], '-');
  MlabHostname h;
  if (sms.size() == 2) {
    h.machine = sms[0];
    h.site = sms[1];
  } else if (sms.size() == 3) {
    h.service = sms[0];
    h.machine = sms[1];
    h.site = sms[2];
  } else {
    return Invalid("v2 hostname", name);
  }
  const std::string& m = h.machine;
  // mlab[1-4] or mlab[1-4]d (DRACs): five characters ending in a digit, or six ending in 'd'.
  if (!((m.size() == 5 && absl::ascii_isdigit(m[4])) || (m.size() == 6 && m[5] == 'd'))) {
    return Invalid("v2 machine name", name);
  }
  const std::string& s = h.site;
  if (s.size() != 5 || !absl::ascii_isdigit(s[3]) || !(absl::ascii_isdigit(s[4]) || s[4] == 't')) {
    return Invalid("v2 site name", name);
  }
  std::vector<std::string> sd = absl::StrSplit(f[3], '-');
  if (sd.size() != 1 && sd.size() != 2) return Invalid("v2 hostname", name);
  h.domain = absl::StrCat(f[2], ".", sd[0]);
  if (sd.size() == 2) h.suffix = absl::StrCat("-", sd[1]);
  if (h.domain != "measurement-lab.org") return Invalid("domain", name);
  h.org = "mlab";
  h.project = f[1];
  h.version = "v2";
  return h;
}

absl::StatusOr<MlabHostname> ParseV3(const std::vector<std::string>& f, absl::string_view name) {
  std::vector<std::string> ssm = absl::StrSplit(f[0], '-');
  MlabHostname h;
  if (ssm.size() == 2) {
    h.site = ssm[0];
    h.machine = ssm[1];
  } else if (ssm.size() == 3) {
    h.service = ssm[0];
    h.site = ssm[1];
    h.machine = ssm[2];
    if (h.service.empty()) return Invalid("v3 service", name);
  } else {
    return Invalid("v3 hostname", name);
  }
  if (h.machine.size() != 8) return Invalid("v3 machine", name);
  if (h.site.size() < 4 || h.site.size() > 13) return Invalid("v3 site", name);
  for (size_t i = 0; i < h.site.size(); ++i) {
    if (i < 3 ? !absl::ascii_isalpha(h.site[i]) : !absl::ascii_isdigit(h.site[i])) {
      return Invalid("v3 site", name);
    }
  }
  h.org = f[1];
  h.project = f[2];
  h.domain = absl::StrCat(f[3], ".", f[4]);
  h.version = "v3";
  return h;
}

}  // namespace

std::string MlabHostname::String() const {
  if (service.empty() && machine.empty() && site.empty() && project.empty() && org.empty() &&
      domain.empty() && suffix.empty() && version.empty()) {
    return "";
  }
  if (version == "v3") {
    return absl::StrCat(service, "-", site, "-", machine, ".", org, ".", project, ".", domain);
  }
  if (version == "v2") return absl::StrCat(machine, "-", site, ".", project, ".", domain);
  return absl::StrCat(machine, ".", site, ".", domain);
}

std::string MlabHostname::StringWithService() const {
  if (version == "v3" || service.empty()) return String();
  return absl::StrCat(service, "-", String());
}

absl::StatusOr<MlabHostname> ParseMlabHostname(absl::string_view name) {
  if (name == "third-party") {
    MlabHostname h;
    h.machine = "third";
    h.site = "party";
    h.version = "v2";
    return h;
  }
  std::vector<std::string> fields = absl::StrSplit(name, '.');
  if (fields.size() < 3 || fields.size() > 6) return Invalid("hostname", name);
  if (fields.size() == 5) return ParseV3(fields, name);
  if (fields.size() == 4 && fields[0].size() > 6) return ParseV2(fields, name);
  return ParseV1(std::string(name));
}

}  // namespace mlab::uuid_annotator
