#ifndef MLAB_SERVICES_PACKET_HEADERS_PH_METRICS_H_
#define MLAB_SERVICES_PACKET_HEADERS_PH_METRICS_H_

#include "lib/metrics/metrics.h"

namespace mlab::packet_headers {

// Every metric packet-headers exports: upstream's names, types and labels (so dashboards keep
// working), plus what upstream lacked: kernel drops, flows, packets, bytes, files, refusals.
struct Metrics {
  // Upstream.
  metrics::CounterFamily& missed_packets;  // {saverstate}
  metrics::CounterFamily& missed_uuids;    // {saverstate}
  metrics::Counter& saver_starts;
  metrics::Counter& saver_stops;
  metrics::CounterFamily& saver_errors;  // {reason}
  metrics::GaugeFamily& saver_states;    // {state}
  metrics::Counter& saver_skipped;       // refused by -maxheap
  metrics::Counter& bad_packets;
  metrics::Histogram& gc_latency;
  metrics::Counter& uuids;
  metrics::Counter& savers_garbage_collected;
  metrics::Gauge& savers_active;
  metrics::Counter& ignored;           // packets and UUIDs of flows refused by -maxflows
  metrics::CounterFamily& bad_events;  // {reason}
  metrics::Gauge& interfaces_with_captures;

  // New.
  metrics::CounterFamily& capture_received;  // {interface}: pcap_stats ps_recv
  metrics::CounterFamily& kernel_drops;      // {interface}: ps_drop (ring full)
  metrics::CounterFamily& interface_drops;   // {interface}: ps_ifdrop
  metrics::Counter& packets;                 // TCP packets captured
  metrics::Counter& bytes;                   // their wire bytes
  metrics::Counter& flows;                   // flows seen
  metrics::CounterFamily& flows_refused;     // {reason}: maxflows, maxheap, uuidwaitbytes
  metrics::Counter& files;                   // archives written
  metrics::Counter& file_packets;            // packets in them
  metrics::Counter& file_bytes;              // compressed bytes written
  metrics::Gauge& memory_bytes;              // our accounted bytes
  metrics::Gauge& uuidwait_bytes;            // of which held for flows without a UUID yet
};

// The process-wide metrics (created on first use).
Metrics& GetMetrics();

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_PH_METRICS_H_
