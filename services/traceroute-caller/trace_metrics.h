#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_METRICS_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_METRICS_H_

// traceroute-caller's Prometheus metrics: upstream's names, types and labels (type="scamper",
// type="hopannotation", ...), plus counters upstream lacks for the trace limiter and the cache.

#include "lib/metrics/metrics.h"

namespace mlab::trc {

struct TraceMetrics {
  // The one instance, registered in metrics::Registry::Default() on first use.
  static TraceMetrics& Get();

  // Upstream (tracer package), all {type="scamper"} unless noted.
  metrics::Histogram& trace_time_success;  // trace_time_seconds{outcome="success"}
  metrics::Histogram& trace_time_error;    // trace_time_seconds{outcome="error"}
  metrics::Counter& performed;             // traces_performed_total: processes run
  metrics::Gauge& in_progress;             // traces_in_progress: processes running
  metrics::Counter& crashed;               // traces_crashed_total: non-zero exit or timeout
  metrics::Counter& skipped;               // traces_skipped_total: a cached error was reused
  metrics::Counter& bad_cache;             // traces_error_caching_total{error="badcache"}
  // Upstream (hopannotation package).
  metrics::Counter& hops_inserted;         // hop_cache_operations_total{hopcache,inserted}
  metrics::Counter& hops_annotated;        // hop_cache_operations_total{hopcache,annotated}
  metrics::Counter& hops_written;          // hop_cache_operations_total{hopannotation,written}
  metrics::CounterFamily& hop_errors;      // hop_annotation_errors_total{type,error}
  metrics::CounterFamily& annotator_rpcs;  // uuid_annotator_client_rpcs_total{status}

  // Ours.
  metrics::Counter& started;             // traces_started_total: scamper processes started
  metrics::Counter& cached;              // traces_cached_total: results served from the cache
  metrics::Gauge& queued;                // traces_queued: waiting for a free scamper slot
  metrics::CounterFamily& rejected;      // traces_rejected_total{type,reason}
  metrics::CounterFamily& trace_errors;  // trace_processing_errors_total{stage}
  metrics::CounterFamily& files;         // traceroute_files_written_total{datatype}
  metrics::CounterFamily& flow_events;   // traceroute_flow_events_total{event}
  metrics::Counter& held;                // traces_held_total: refused by a full disk, kept
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_TRACE_METRICS_H_
