// M-Lab machine names (v1, v2, v3/autojoin), parsed as m-lab/go's host package does, to find a
// machine's entry in siteinfo.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_MLAB_HOSTNAME_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_MLAB_HOSTNAME_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::uuid_annotator {

struct MlabHostname {
  std::string service;
  std::string machine;
  std::string site;
  std::string project;
  std::string org;
  std::string domain;
  std::string suffix;   // A managed instance group's "-xxxx", dropped from lookups.
  std::string version;  // "v1", "v2" or "v3".

  // host.Name.String(): "mlab1-lga03.mlab-sandbox.measurement-lab.org" (v2).
  std::string String() const;
  // host.Name.StringWithService(): String() with a v1/v2 service prefix kept
  // ("ndt-mlab1-lga03..."); the key of siteinfo's annotations.json.
  std::string StringWithService() const;
};

// host.Parse: accepts
//   v1  mlab1.lga03.measurement-lab.org (and service-prefixed forms)
//   v2  [svc-]mlab1-lga03.<project>.measurement-lab.org[-suffix]
//   v3  [svc-]<iata><asn>-<8 hex>.<org>.<project>.measurement-lab.org
// and "third-party". A trailing newline is not stripped (upstream fails on it too).
absl::StatusOr<MlabHostname> ParseMlabHostname(absl::string_view name);

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_MLAB_HOSTNAME_H_
