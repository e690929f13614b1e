#include "services/packet-headers/ph_metrics.h"

namespace mlab::packet_headers {

Metrics& GetMetrics() {
  static Metrics* m = new Metrics{
      metrics::NewCounterFamily("pcap_missed_packets_total",
                                "How many packets were dropped instead of saved, by saver state.",
                                {"saverstate"}),
      metrics::NewCounterFamily("pcap_missed_uuids_total",
                                "How many UUIDs arrived for a flow that already had one.",
                                {"saverstate"}),
      metrics::NewCounter("pcap_saver_starts_total", "How many savers (flows) were started."),
      metrics::NewCounter("pcap_saver_stops_total", "How many savers (flows) were stopped."),
      metrics::NewCounterFamily("pcap_saver_errors_total",
                                "How many flows ended without a file, or with an error, by reason.",
                                {"reason"}),
      metrics::NewGaugeFamily("pcap_saver_states", "How many flows are in each state.", {"state"}),
      metrics::NewCounter("pcap_saver_skipped_total",
                          "How many flows were refused because memory was at -maxheap."),
      metrics::NewCounter("pcap_demuxer_bad_packets_total",
                          "How many captured packets were not TCP/IP and were ignored."),
      metrics::NewHistogram("pcap_demuxer_gc_latency_seconds",
                            "How long each sweep for ended flows took.",
                            metrics::ExponentialBuckets(1e-6, 2, 20)),
      metrics::NewCounter("pcap_demuxer_uuids_total", "How many flow UUIDs were received."),
      metrics::NewCounter("pcap_demuxer_savers_garbage_collected_total",
                          "How many flows were ended because they were idle."),
      metrics::NewGauge("pcap_demuxer_savers_active",
                        "How many flows (with or without a UUID) are tracked."),
      metrics::NewCounter("pcap_demuxer_ignored_total",
                          "How many packets or UUIDs were ignored due to the configured flow "
                          "limit (-maxflows)."),
      metrics::NewCounterFamily("pcap_tcpinfohandler_bad_events_total",
                                "How many flow events could not be used, by reason.", {"reason"}),
      metrics::NewGauge("pcap_muxer_interfaces_with_captures",
                        "How many interfaces are being captured."),

      metrics::NewCounterFamily("pcap_capture_received_total",
                                "Packets the kernel passed to the capture (pcap_stats ps_recv).",
                                {"interface"}),
      metrics::NewCounterFamily(
          "pcap_capture_kernel_drops_total",
          "Packets the kernel dropped because the capture ring was full (pcap_stats ps_drop).",
          {"interface"}),
      metrics::NewCounterFamily("pcap_capture_interface_drops_total",
                                "Packets the interface dropped (pcap_stats ps_ifdrop).",
                                {"interface"}),
      metrics::NewCounter("pcap_packets_total", "TCP packets captured."),
      metrics::NewCounter("pcap_bytes_total", "Wire bytes of the TCP packets captured."),
      metrics::NewCounter("pcap_flows_total", "Flows seen (by first packet or UUID)."),
      metrics::NewCounterFamily(
          "pcap_flows_refused_total",
          "Flows not saved because of a limit: maxflows, maxheap, or uuidwaitbytes (evicted "
          "while waiting for their UUID).",
          {"reason"}),
      metrics::NewCounter("pcap_files_total", "Archive files written."),
      metrics::NewCounter("pcap_file_packets_total", "Packets written into archive files."),
      metrics::NewCounter("pcap_file_bytes_total", "Compressed bytes written to archive files."),
      metrics::NewGauge("pcap_memory_bytes",
                        "Bytes held for flows by our own accounting (limited by -maxheap)."),
      metrics::NewGauge("pcap_uuidwait_bytes",
                        "Bytes held for flows still waiting for their UUID."),
  };
  return *m;
}

}  // namespace mlab::packet_headers
