#include "services/pusher/pusher_metrics.h"

namespace mlab::pusher {
namespace {

using metrics::NewCounter;
using metrics::NewCounterFamily;
using metrics::NewGaugeFamily;
using metrics::NewHistogramFamily;

Metrics* Make() {
  const std::vector<std::string> dt = {"datatype"};
  return new Metrics{
      NewCounterFamily("pusher_file_events_total", "File events seen, by type.", {"type"}),
      NewCounterFamily("pusher_file_event_errors_total",
                       "Watcher problems (queue overflow, watch failures), by type.", {"type"}),
      NewCounter("pusher_finder_runs_total", "Sweeps of the datatype trees for missed files."),
      NewCounter("pusher_finder_files_found_total",
                 "Files older than -max_file_age found by sweeps."),
      NewCounter("pusher_finder_bytes_found_total", "Bytes of the files sweeps found."),
      NewGaugeFamily("pusher_finder_mtime_lower_bound",
                     "The mtime (Unix seconds) before which a sweep takes a file.", dt),
      NewCounterFamily("pusher_tarfiles_upload_calls_total",
                       "Archives sealed for upload, by reason.", {"datatype", "reason"}),
      NewCounterFamily("pusher_strange_filenames_total",
                       "Files with names outside the spool conventions.", dt),
      NewCounterFamily("pusher_file_open_errors_total", "Files that could not be opened.", dt),
      NewCounterFamily("pusher_tarfiles_created_total", "Archives started.", dt),
      NewCounterFamily("pusher_tarfiles_successful_uploads_total", "Archives uploaded.", dt),
      NewHistogramFamily("pusher_files_per_tarfile", "Files per uploaded archive.", dt,
                         {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000}),
      NewHistogramFamily("pusher_bytes_per_tarfile", "Compressed bytes per uploaded archive.", dt,
                         metrics::ExponentialBuckets(1e3, 10, 7)),
      NewHistogramFamily("pusher_bytes_per_file", "Bytes per archived file.", dt,
                         metrics::ExponentialBuckets(10, 10, 9)),
      NewCounterFamily("pusher_tarfiles_duplicates_total",
                       "Files offered again while already pending.", {"datatype", "condition"}),
      NewCounterFamily("pusher_file_read_errors_total", "Files that could not be read.", dt),
      NewCounterFamily("pusher_files_added_total", "Files added to archives.", dt),
      NewCounterFamily("pusher_files_skipped_total",
                       "Files sampled out by the datatype's ratio (deleted, not uploaded).", dt),
      NewCounterFamily("pusher_files_removed_total", "Files deleted after their upload.",
                       {"datatype", "condition"}),
      NewCounterFamily("pusher_file_remove_errors_total", "Files that could not be deleted.",
                       {"datatype", "condition"}),
      NewCounterFamily("pusher_empty_uploads_total",
                       "Archives that held no file (only sampled-out ones).", dt),
      NewGaugeFamily("pusher_success_timestamp", "Unix time of the last successful upload.", dt),
      NewCounterFamily("pusher_retries_total", "Retried calls, by function.", {"function"}),
      NewCounterFamily("pusher_max_retries_total", "Retries that waited the maximum backoff.",
                       {"function"}),
      NewHistogramFamily("pusher_retry_runtime", "Seconds spent in a call including retries.",
                         {"kind", "success"}, {0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000, 6000}),
      NewGaugeFamily("pusher_queue_depth",
                     "Files accepted but not yet in a sealed archive (queued or bundling).", dt),
      NewGaugeFamily("pusher_pending_archives", "Archives sealed but not yet confirmed uploaded.",
                     dt),
      NewGaugeFamily("pusher_oldest_pending_file_age_seconds",
                     "Seconds since pusher accepted its oldest file not yet uploaded.", dt),
      NewCounterFamily("pusher_bytes_uploaded_total", "Archive bytes confirmed uploaded.", dt),
      NewCounterFamily("pusher_archives_uploaded_total", "Archives confirmed uploaded.", dt),
      NewCounterFamily("pusher_upload_errors_total", "Failed upload attempts, by status code.",
                       {"datatype", "code"}),
      NewCounterFamily("pusher_already_uploaded_total",
                       "Archives found already stored with the same content (no duplicate made).",
                       dt),
      NewCounterFamily("pusher_name_conflicts_total",
                       "Archive names taken by different content; renamed and uploaded.", dt),
      NewCounterFamily("pusher_files_changed_after_read_total",
                       "Files changed between archiving and deletion: kept and offered again.", dt),
      NewCounterFamily("pusher_journal_errors_total", "Journal writes that failed.",
                       {"datatype", "op"}),
      NewCounterFamily("pusher_recovered_archives_total",
                       "Archives resumed from the journal at startup.", dt),
      NewCounterFamily("pusher_recovered_files_total",
                       "Accepted files resumed from the journal at startup.", dt),
      NewCounter("pusher_inotify_overflows_total", "inotify queue overflows (a sweep follows)."),
  };
}

}  // namespace

Metrics& Metrics::Get() {
  static Metrics* metrics = Make();
  return *metrics;
}

}  // namespace mlab::pusher
