#include "services/tcp-info/service_metrics.h"

#include <vector>

namespace mlab::tcpinfo {
namespace {

std::vector<double> SecondsBuckets() {
  return {0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015,
          0.02,   0.03,  0.05,  0.075, 0.1,   0.15,  0.2,    0.5,  1};
}

std::vector<double> RateBuckets() {
  std::vector<double> bounds = {0};
  for (double decade = 1e3; decade < 1e10; decade *= 10) {
    bounds.push_back(decade);
    bounds.push_back(2 * decade);
    bounds.push_back(5 * decade);
  }
  bounds.push_back(1e10);
  return bounds;
}

}  // namespace

ServiceMetrics& Metrics() {
  static ServiceMetrics* metrics = new ServiceMetrics{
      metrics::NewHistogramFamily("tcpinfo_syscall_time_histogram",
                                  "Seconds to dump all sockets of one address family.", {"af"},
                                  SecondsBuckets()),
      metrics::NewHistogram("tcpinfo_polling_interval_histogram",
                            "Seconds between the starts of consecutive polls.",
                            metrics::LinearBuckets(0, 0.001, 30)),
      metrics::NewHistogramFamily("tcpinfo_connection_count_histogram",
                                  "Sockets listed by one dump, excluded ones included.", {"af"},
                                  metrics::ExponentialBuckets(1, 2, 18)),
      metrics::NewHistogram("tcpinfo_cache_count_histogram", "Flows tracked after each poll.",
                            metrics::ExponentialBuckets(1, 2, 18)),
      metrics::NewCounterFamily("tcpinfo_error_total", "Errors, by type.", {"type"}),
      metrics::NewHistogram("tcpinfo_send_rate_histogram",
                            "Bits sent per second by all tracked flows.", RateBuckets()),
      metrics::NewHistogram("tcpinfo_receive_rate_histogram",
                            "Bits received per second by all tracked flows.", RateBuckets()),
      metrics::NewCounterFamily("tcpinfo_flow_events_total", "Flow events, by event.", {"event"}),
      metrics::NewHistogram("tcpinfo_poll_duration_seconds",
                            "Seconds one poll took: both dumps, change detection and archiving.",
                            SecondsBuckets()),
      metrics::NewGauge("tcpinfo_flows", "Flows tracked now."),
      metrics::NewCounterFamily("tcpinfo_failed_dumps_total",
                                "Dumps that failed and were discarded, their flows kept as they "
                                "were.",
                                {"af"}),
      metrics::NewCounter("tcpinfo_destroy_notifications_total",
                          "Flows closed by a kernel socket destroy notification."),
  };
  return *metrics;
}

}  // namespace mlab::tcpinfo
