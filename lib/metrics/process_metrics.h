#ifndef MLAB_LIB_METRICS_PROCESS_METRICS_H_
#define MLAB_LIB_METRICS_PROCESS_METRICS_H_

#include "lib/metrics/registry.h"

namespace mlab::metrics {

// Registers the metrics Go's process collector exports, computed at scrape time from /proc/self:
// process_cpu_seconds_total, process_open_fds, process_max_fds, process_virtual_memory_bytes,
// process_virtual_memory_max_bytes, process_resident_memory_bytes, process_start_time_seconds.
// Registry::Default() already has them; call this only for another Registry. Idempotent.
void RegisterProcessMetrics(Registry& registry);

}  // namespace mlab::metrics

#endif  // MLAB_LIB_METRICS_PROCESS_METRICS_H_
