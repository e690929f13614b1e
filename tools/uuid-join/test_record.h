#ifndef MLAB_TOOLS_UUID_JOIN_TEST_RECORD_H_
#define MLAB_TOOLS_UUID_JOIN_TEST_RECORD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlab::uuidjoin {

// What each archive says about one test, keyed by its socket UUID.
struct Ndt7Summary {
  std::string direction;  // "download" or "upload"
  std::string start_time;
  std::string client_ip;
  std::string server_ip;
  double mean_throughput_mbps = 0;  // ETL's formula: 8 * bytes / elapsed µs
  int64_t min_rtt_us = 0;
  int64_t bytes_sent = 0;
  int64_t bytes_retrans = 0;
  int64_t total_retrans = 0;
  int measurements = 0;
};

struct TcpInfoSummary {
  int files = 0;
  int snapshots = 0;
  std::string first_timestamp;
  std::string last_timestamp;
  uint64_t bytes_acked = 0;
  uint64_t bytes_received = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_retrans = 0;
  uint32_t min_rtt_us = 0;
  uint32_t total_retrans = 0;
  std::string congestion_control;
};

struct PcapSummary {
  uint64_t packets = 0;
  uint64_t wire_bytes = 0;  // sum of original lengths
  int64_t duration_ns = 0;
  uint32_t snaplen = 0;
};

struct ClientAnnotation {
  std::string country_code;
  std::string city;
  double latitude = 0;
  double longitude = 0;
  bool geo_missing = false;
  uint32_t as_number = 0;
  std::string as_name;
  std::string cidr;
  bool network_missing = false;
  std::string server_site;
  std::string server_machine;
};

struct Hop {
  std::string ip;
  int ttl = 0;  // 0 when the trace type does not record it
};

struct TraceSummary {
  bool cached = false;
  std::string cached_uuid;
  std::string destination;
  std::vector<Hop> hops;
};

// A hop's annotation from hopannotation2 files, joined by address.
struct HopAnnotation {
  std::string country_code;
  uint32_t as_number = 0;
  std::string as_name;
};

struct TestRecord {
  std::string uuid;
  std::vector<Ndt7Summary> ndt7;
  std::optional<TcpInfoSummary> tcpinfo;
  std::optional<PcapSummary> pcap;
  std::optional<ClientAnnotation> annotation;
  std::optional<TraceSummary> traceroute;
  std::vector<std::string> sources;  // the files that contributed
};

}  // namespace mlab::uuidjoin

#endif  // MLAB_TOOLS_UUID_JOIN_TEST_RECORD_H_
