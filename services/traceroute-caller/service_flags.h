#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_SERVICE_FLAGS_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_SERVICE_FLAGS_H_

// traceroute-caller's command-line flags: upstream's (both v0.11.3 and v0.12.0 spellings of the
// renamed ones) plus the limiter and shutdown settings upstream lacks.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/traceroute-caller/traceroute_caller.h"

namespace mlab::trc {

// The service options the parsed flags describe. Fails when the two spellings of a renamed flag
// (-scamper.waitprobe / -scamper.tracelb-W, -scamper.ptr / -scamper.tracelb-ptr) disagree.
absl::StatusOr<ServiceOptions> OptionsFromFlags();

// -sigterm-wait: how long running traces may finish after SIGTERM.
absl::Duration SigtermWait();

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_SERVICE_FLAGS_H_
