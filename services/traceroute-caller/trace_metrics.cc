#include "services/traceroute-caller/trace_metrics.h"

#include <string>
#include <vector>

namespace mlab::trc {
namespace {

const std::string kScamper = "scamper";

// Upstream's buckets: 1 s to 6810 s, six per decade.
std::vector<double> TraceTimeBuckets() {
  return {1,   1.47, 2.15, 3.16, 4.64, 6.81, 10,   14.7, 21.5, 31.6, 46.4, 68.1,
          100, 147,  215,  316,  464,  681,  1000, 1470, 2150, 3160, 4640, 6810};
}

TraceMetrics* Build() {
  auto& trace_time = metrics::NewHistogramFamily(
      "trace_time_seconds", "scamper trace time in seconds", {"outcome"}, TraceTimeBuckets());
  auto& hop_ops = metrics::NewCounterFamily(
      "hop_cache_operations_total", "The number of hop cache operations", {"type", "operation"});
  return new TraceMetrics{
      trace_time.WithLabels({"success"}),
      trace_time.WithLabels({"error"}),
      metrics::NewCounterFamily("traces_performed_total",
                                "The number of calls to the external trace routine", {"type"})
          .WithLabels({kScamper}),
      metrics::NewGaugeFamily("traces_in_progress", "The number of traces currently being run",
                              {"type"})
          .WithLabels({kScamper}),
      metrics::NewCounterFamily("traces_crashed_total", "The number of traces that have crashed",
                                {"type"})
          .WithLabels({kScamper}),
      metrics::NewCounterFamily(
          "traces_skipped_total",
          "The number of traces that have not been performed because there was an error cached",
          {"type"})
          .WithLabels({kScamper}),
      metrics::NewCounterFamily("traces_error_caching_total",
                                "The number of traces that were supposed to be gotten from the "
                                "cache but could not be",
                                {"type", "error"})
          .WithLabels({kScamper, "badcache"}),
      hop_ops.WithLabels({"hopcache", "inserted"}),
      hop_ops.WithLabels({"hopcache", "annotated"}),
      hop_ops.WithLabels({"hopannotation", "written"}),
      metrics::NewCounterFamily("hop_annotation_errors_total",
                                "The number of errors hop annotations errors", {"type", "error"}),
      metrics::NewCounterFamily("uuid_annotator_client_rpcs_total",
                                "Number of RPCs made by the uuid-annotator client", {"status"}),
      metrics::NewCounterFamily("traces_started_total", "The number of scamper processes started",
                                {"type"})
          .WithLabels({kScamper}),
      metrics::NewCounterFamily("traces_cached_total",
                                "The number of traces answered from the trace cache", {"type"})
          .WithLabels({kScamper}),
      metrics::NewGaugeFamily("traces_queued",
                              "The number of traces waiting for a free scamper slot", {"type"})
          .WithLabels({kScamper}),
      metrics::NewCounterFamily("traces_rejected_total",
                                "The number of traces not run: queue full or shutting down",
                                {"type", "reason"}),
      metrics::NewCounterFamily("trace_processing_errors_total",
                                "Traces that could not be archived, by stage", {"stage"}),
      metrics::NewCounterFamily("traceroute_files_written_total",
                                "Archive files written, by datatype", {"datatype"}),
      metrics::NewCounterFamily("traceroute_flow_events_total",
                                "Flow events received from tcp-info, by outcome", {"event"}),
      metrics::NewCounter("traces_held_total",
                          "Trace files a full disk refused, held in memory to be written once "
                          "there is room (those given up count as "
                          "trace_processing_errors_total{stage=\"write\"})"),
  };
}

}  // namespace

TraceMetrics& TraceMetrics::Get() {
  static TraceMetrics* metrics = Build();
  return *metrics;
}

}  // namespace mlab::trc
