#ifndef MLAB_SERVICES_NDT_SERVER_NDT7_METRICS_H_
#define MLAB_SERVICES_NDT_SERVER_NDT7_METRICS_H_

// Upstream ndt-server's Prometheus metrics: same names, labels and buckets, so dashboards and
// alerts keep working.

#include "lib/metrics/metrics.h"

namespace mlab::ndt7::metrics {

// {direction, status}: status is "result", "websocket-error" or "uuid-error".
mlab::metrics::CounterFamily& ClientConnections();
// {protocol, direction, result}: result from ResultLabel().
mlab::metrics::CounterFamily& ClientTestResults();
// {protocol, direction, error}: the sender's exit path.
mlab::metrics::CounterFamily& ClientSenderErrors();
// {protocol, direction, error}: direction is "0" (download) or "1" (upload), as upstream.
mlab::metrics::CounterFamily& ClientReceiverErrors();
// {status, error}
mlab::metrics::CounterFamily& BbrEnabled();
// {protocol, direction, monitoring}, Mbit/s.
mlab::metrics::HistogramFamily& TestRate();
// {protocol}: registered for compatibility; upstream only updates it for ndt5.
mlab::metrics::GaugeFamily& ActiveTests();
mlab::metrics::Gauge& CurrentOpenConns();
mlab::metrics::Gauge& LameDuck();
// {path, request, reason}
mlab::metrics::CounterFamily& TokenRequests();
// {request, protocol}
mlab::metrics::CounterFamily& TxRequests();
// {direction}: results that could not be written (a full disk) and are lost; ours only,
// upstream exits.
mlab::metrics::CounterFamily& ResultWriteErrors();
// {direction}: results a full disk refused at first, held to be written later; ours only.
mlab::metrics::CounterFamily& ResultWritesHeld();
// Sets git_short_commit{commit} to the commit parsed as hex, as prometheusx does.
void SetGitShortCommit(const std::string& commit);

// upstream metrics.GetResultLabel.
const char* ResultLabel(bool error, double rate);

}  // namespace mlab::ndt7::metrics

#endif  // MLAB_SERVICES_NDT_SERVER_NDT7_METRICS_H_
