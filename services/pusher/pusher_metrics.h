#ifndef MLAB_SERVICES_PUSHER_PUSHER_METRICS_H_
#define MLAB_SERVICES_PUSHER_PUSHER_METRICS_H_

#include <string>

#include "lib/metrics/metrics.h"

namespace mlab::pusher {

// Upstream's 24 pusher_* metrics (same names, types and labels) plus the ones the issue adds:
// queue depth, oldest pending file age, pending archives, bytes and archives uploaded, and what
// the journal recovers. The retry-runtime "success" label is true on success (upstream inverts it).
struct Metrics {
  static Metrics& Get();

  metrics::CounterFamily& file_events;        // {type}: closewrite, movedto, newdir, journal
  metrics::CounterFamily& file_event_errors;  // {type}: overflow, watch, queue_full
  metrics::Counter& finder_runs;
  metrics::Counter& finder_files_found;
  metrics::Counter& finder_bytes_found;
  metrics::GaugeFamily& finder_mtime_lower_bound;       // {datatype}
  metrics::CounterFamily& tarfiles_upload_calls;        // {datatype, reason}
  metrics::CounterFamily& strange_filenames;            // {datatype}
  metrics::CounterFamily& file_open_errors;             // {datatype}
  metrics::CounterFamily& tarfiles_created;             // {datatype}
  metrics::CounterFamily& tarfiles_successful_uploads;  // {datatype}
  metrics::HistogramFamily& files_per_tarfile;          // {datatype}
  metrics::HistogramFamily& bytes_per_tarfile;          // {datatype}
  metrics::HistogramFamily& bytes_per_file;             // {datatype}
  metrics::CounterFamily& tarfiles_duplicates;          // {datatype, condition}
  metrics::CounterFamily& file_read_errors;             // {datatype}
  metrics::CounterFamily& files_added;                  // {datatype}
  metrics::CounterFamily& files_skipped;                // {datatype}
  metrics::CounterFamily& files_removed;                // {datatype, condition}
  metrics::CounterFamily& file_remove_errors;           // {datatype, condition}
  metrics::CounterFamily& empty_uploads;                // {datatype}
  metrics::GaugeFamily& success_timestamp;              // {datatype}
  metrics::CounterFamily& retries;                      // {function}
  metrics::CounterFamily& max_retries;                  // {function}
  metrics::HistogramFamily& retry_runtime;              // {kind, success}

  metrics::GaugeFamily& queue_depth;                 // {datatype}
  metrics::GaugeFamily& pending_archives;            // {datatype}
  metrics::GaugeFamily& oldest_pending_age;          // {datatype}
  metrics::CounterFamily& bytes_uploaded;            // {datatype}
  metrics::CounterFamily& archives_uploaded;         // {datatype}
  metrics::CounterFamily& upload_errors;             // {datatype, code}
  metrics::CounterFamily& already_uploaded;          // {datatype}
  metrics::CounterFamily& name_conflicts;            // {datatype}
  metrics::CounterFamily& files_changed_after_read;  // {datatype}
  metrics::CounterFamily& journal_errors;            // {datatype, op}
  metrics::CounterFamily& recovered_archives;        // {datatype}
  metrics::CounterFamily& recovered_files;           // {datatype}
  metrics::Counter& inotify_overflows;
};

}  // namespace mlab::pusher

#endif  // MLAB_SERVICES_PUSHER_PUSHER_METRICS_H_
