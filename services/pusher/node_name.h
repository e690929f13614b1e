#ifndef MLAB_SERVICES_PUSHER_NODE_NAME_H_
#define MLAB_SERVICES_PUSHER_NODE_NAME_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlab::pusher {

// The "<machine>-<site>" node part of archive names from an M-Lab hostname, as upstream derives
// it with m-lab/go host.Parse: v1 "mlab1.lga03.measurement-lab.org" (also with service labels,
// dotted or flat), v2 "[svc-]mlab1-lga03.<project>.measurement-lab.org[-abcd]", v3
// "[svc-]<iata><asn>-<8 hex>.<org>.<project>.measurement-lab.org" and "third-party".
absl::StatusOr<std::string> NodeNameFromHostname(absl::string_view hostname);

// Experiment and datatype names must be ^[a-z][a-z0-9]*$ (m-lab/go uniformnames), since they
// become object-path components that ETL parses.
absl::Status CheckUniformName(absl::string_view what, absl::string_view name);

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_NODE_NAME_H_
