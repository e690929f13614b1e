#ifndef MLAB_SERVICES_TCP_INFO_SERVICE_METRICS_H_
#define MLAB_SERVICES_TCP_INFO_SERVICE_METRICS_H_

#include "lib/metrics/metrics.h"

namespace mlab::tcpinfo {

// tcp-info's Prometheus metrics: upstream's tcpinfo_* names and labels (dashboards and alerts
// use them), plus what an operator needs to see the poller's health.
struct ServiceMetrics {
  // Upstream.
  metrics::HistogramFamily& syscall_time;      // {af}: seconds per family dump
  metrics::Histogram& polling_interval;        // seconds between poll starts
  metrics::HistogramFamily& connection_count;  // {af}: sockets per dump
  metrics::Histogram& cache_count;             // flows tracked, per poll
  metrics::CounterFamily& errors;              // {type}
  metrics::Histogram& send_rate;               // bits per second, all flows
  metrics::Histogram& receive_rate;
  metrics::CounterFamily& flow_events;  // {event="open"|"close"}
  // Added.
  metrics::Histogram& poll_duration;        // both dumps plus processing
  metrics::Gauge& flows;                    // flows tracked now
  metrics::CounterFamily& failed_dumps;     // {af}: dumps discarded (their flows kept)
  metrics::Counter& destroy_notifications;  // kernel destroy notifications that closed a flow
};

// The metrics, registered in the default registry on first use.
ServiceMetrics& Metrics();

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_SERVICE_METRICS_H_
