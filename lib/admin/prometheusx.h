#ifndef MLAB_LIB_ADMIN_PROMETHEUSX_H_
#define MLAB_LIB_ADMIN_PROMETHEUSX_H_

#include <memory>

#include "absl/status/statusor.h"
#include "lib/admin/admin_server.h"

namespace mlab::admin {

// Starts the metrics server on -prometheusx.listen-address (default ":9990"), the flag every
// upstream M-Lab service registers through m-lab/go/prometheusx.
absl::StatusOr<std::unique_ptr<AdminServer>> StartMetricsServer();

}  // namespace mlab::admin

#endif  // MLAB_LIB_ADMIN_PROMETHEUSX_H_
