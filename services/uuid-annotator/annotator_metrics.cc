#include "services/uuid-annotator/annotator_metrics.h"

namespace mlab::uuid_annotator::metrics {

using mlab::metrics::NewCounter;
using mlab::metrics::NewCounterFamily;
using mlab::metrics::NewGaugeFamily;

mlab::metrics::CounterFamily& MissedUuids() {
  static auto& m = NewCounterFamily(
      "uuid_annotator_missed_uuids_total",
      "The number of UUIDs that we received but could not create a file for. Should always be "
      "zero.",
      {"reason"});
  return m;
}

mlab::metrics::Counter& AnnotationErrors() {
  static auto& m = NewCounter("uuid_annotator_annotation_errors_total",
                              "The number of times annotation returned an error");
  return m;
}

mlab::metrics::GaugeFamily& GcsHashLoaded() {
  static auto& m =
      NewGaugeFamily("uuid_annotator_gcs_hash_loaded", "The hash of the loaded GCS file", {"md5"});
  return m;
}

mlab::metrics::CounterFamily& ServerRpcs() {
  static auto& m = NewCounterFamily(
      "uuid_annotator_server_rpcs_total",
      "The number of times the server-side of the RPC service has been called, and whether it "
      "was success or not",
      {"status"});
  return m;
}

mlab::metrics::CounterFamily& RouteViewRows() {
  static auto& m = NewCounterFamily("uuid_annotator_routeview_rows_total",
                                    "The number of routeview rows parsed or skipped", {"status"});
  return m;
}

mlab::metrics::Counter& RouteViewParsed() {
  static auto& m = NewCounter("uuid_annotator_routeview_parsed_total",
                              "The number of times a routeview file has been parsed");
  return m;
}

mlab::metrics::CounterFamily& AsnSearches() {
  static auto& m = NewCounterFamily("uuid_annotator_asn_search_total",
                                    "The number of ASN annotator searches", {"status"});
  return m;
}

mlab::metrics::CounterFamily& Lookups() {
  static auto& m = NewCounterFamily("uuid_annotator_lookups_total",
                                    "IP lookups by dataset and result (found, missing, error).",
                                    {"dataset", "result"});
  return m;
}

mlab::metrics::Counter& AnnotationsWritten() {
  static auto& m =
      NewCounter("uuid_annotator_annotations_written_total", "Annotation files written.");
  return m;
}

mlab::metrics::Counter& AnnotationsHeld() {
  static auto& m = NewCounter("uuid_annotator_annotations_held_total",
                              "Annotations a full disk refused, held in memory to be written once "
                              "there is room.");
  return m;
}

mlab::metrics::Counter& AlreadyAnnotated() {
  static auto& m = NewCounter(
      "uuid_annotator_already_annotated_total",
      "Open events for a UUID whose annotation file already exists (kept, never rewritten).");
  return m;
}

mlab::metrics::CounterFamily& MalformedEvents() {
  static auto& m =
      NewCounterFamily("uuid_annotator_malformed_events_total",
                       "Flow events that could not be annotated as sent, by reason.", {"reason"});
  return m;
}

mlab::metrics::Counter& UnknownDirection() {
  static auto& m =
      NewCounter("uuid_annotator_unknown_direction_total",
                 "Flows where neither address is local (annotated with empty Server and Client).");
  return m;
}

mlab::metrics::CounterFamily& AnnotateRpcs() {
  static auto& m = NewCounterFamily(
      "uuid_annotator_annotate_rpcs_total",
      "Calls of the gRPC Annotator service (success, badip_error per address, bad_request_error).",
      {"status"});
  return m;
}

mlab::metrics::CounterFamily& DatasetReloads() {
  static auto& m = NewCounterFamily("uuid_annotator_dataset_reloads_total",
                                    "Dataset load attempts by dataset and result (loaded, "
                                    "unchanged, error).",
                                    {"dataset", "result"});
  return m;
}

mlab::metrics::GaugeFamily& DatasetUp() {
  static auto& m = NewGaugeFamily(
      "uuid_annotator_dataset_up",
      "1 if the dataset's last load attempt succeeded, 0 if it failed (the last good copy stays "
      "in use).",
      {"dataset"});
  return m;
}

mlab::metrics::GaugeFamily& DatasetLoadedTime() {
  static auto& m = NewGaugeFamily("uuid_annotator_dataset_loaded_timestamp_seconds",
                                  "When the dataset in use was loaded (Unix time).", {"dataset"});
  return m;
}

mlab::metrics::GaugeFamily& DatasetEntries() {
  static auto& m = NewGaugeFamily("uuid_annotator_dataset_entries",
                                  "Entries in the dataset in use (prefixes, AS names; 1 for "
                                  "MaxMind and siteinfo).",
                                  {"dataset"});
  return m;
}

void RegisterAll() {
  for (const char* reason : {"pipefull", "writefail"}) MissedUuids().WithLabels({reason});
  AnnotationErrors();
  for (const char* status : {"success", "badip_error", "bad_request_error", "write_error"}) {
    ServerRpcs().WithLabels({status});
  }
  for (const char* status : {"parsed", "missing-fields", "corrupt-netblock", "corrupt-prefix"}) {
    RouteViewRows().WithLabels({status});
  }
  RouteViewParsed();
  for (const char* status : {"ipv4-success", "ipv6-success", "missing"}) {
    AsnSearches().WithLabels({status});
  }
  for (const char* result : {"found", "missing", "error"}) {
    Lookups().WithLabels({"maxmind", result});
  }
  for (const char* result : {"found", "missing"}) Lookups().WithLabels({"routeview", result});
  AnnotationsWritten();
  AnnotationsHeld();
  AlreadyAnnotated();
  for (const char* reason : {"no-uuid", "bad-uuid", "no-socket-id", "no-timestamp"}) {
    MalformedEvents().WithLabels({reason});
  }
  UnknownDirection();
  for (const char* status : {"success", "badip_error", "bad_request_error"}) {
    AnnotateRpcs().WithLabels({status});
  }
}

}  // namespace mlab::uuid_annotator::metrics
