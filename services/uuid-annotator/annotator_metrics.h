// uuid-annotator's Prometheus metrics: upstream's names and labels, plus lookups, misses, event
// handling and dataset reload status.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATOR_METRICS_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATOR_METRICS_H_

#include "lib/metrics/metrics.h"

namespace mlab::uuid_annotator::metrics {

// Registers every metric (with upstream's label values at zero), so a scrape shows them all from
// the start rather than after their first event.
void RegisterAll();

// Upstream's metrics (ua:metrics/metrics.go).
// reason = pipefull | writefail
mlab::metrics::CounterFamily& MissedUuids();
mlab::metrics::Counter& AnnotationErrors();
// md5 = hex digest of a gs:// dataset: 1 for the one loaded, 0 for the one it replaced.
mlab::metrics::GaugeFamily& GcsHashLoaded();
// status = success | badip_error | bad_request_error | write_error (the HTTP ipservice)
mlab::metrics::CounterFamily& ServerRpcs();
// status = parsed | missing-fields | corrupt-netblock | corrupt-prefix
mlab::metrics::CounterFamily& RouteViewRows();
mlab::metrics::Counter& RouteViewParsed();
// status = ipv4-success | ipv6-success | missing
mlab::metrics::CounterFamily& AsnSearches();

// Beyond upstream.
// dataset = maxmind | routeview | ...; result = found | missing | error
mlab::metrics::CounterFamily& Lookups();
// Annotation files written.
mlab::metrics::Counter& AnnotationsWritten();
// Annotations a full disk refused, held in memory to be written once there is room (those given
// up count as missed_uuids_total{reason="writefail"}).
mlab::metrics::Counter& AnnotationsHeld();
// Open events whose UUID already has a file (e.g. replayed after a restart): not rewritten.
mlab::metrics::Counter& AlreadyAnnotated();
// Events that cannot be annotated as sent; reason = no-uuid | bad-uuid | no-socket-id
mlab::metrics::CounterFamily& MalformedEvents();
// Flows where neither end is a local address (written with empty Server and Client).
mlab::metrics::Counter& UnknownDirection();
// The gRPC Annotator service; status = success | badip_error | bad_request_error
mlab::metrics::CounterFamily& AnnotateRpcs();
// Reload attempts; dataset, result = loaded | unchanged | error
mlab::metrics::CounterFamily& DatasetReloads();
// 1 while the dataset's last reload attempt succeeded (loaded or unchanged), 0 after a failure
// (the last good copy stays in use).
mlab::metrics::GaugeFamily& DatasetUp();
// Unix time of the content in use, by dataset.
mlab::metrics::GaugeFamily& DatasetLoadedTime();
// Rows (RouteViews prefixes, AS names) or 1 (MaxMind, siteinfo) of the content in use.
mlab::metrics::GaugeFamily& DatasetEntries();

}  // namespace mlab::uuid_annotator::metrics

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_ANNOTATOR_METRICS_H_
