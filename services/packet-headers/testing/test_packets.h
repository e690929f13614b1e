#ifndef MLAB_SERVICES_PACKET_HEADERS_TESTING_TEST_PACKETS_H_
#define MLAB_SERVICES_PACKET_HEADERS_TESTING_TEST_PACKETS_H_

// Test helpers: synthetic TCP/IP frames, and a reader for the .pcap.gz files we write (zlib and
// a hand-written pcap parser, independent of the code under test).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/testing/temp_dir.h"
#include "services/packet-headers/packet_parser.h"

namespace mlab::packet_headers::testing {

struct FrameSpec {
  bool ipv6 = false;
  std::string src = "192.0.2.1";
  std::string dst = "198.51.100.7";
  uint16_t src_port = 443;
  uint16_t dst_port = 51234;
  uint8_t tcp_flags = 0x10;  // ACK
  int tcp_options = 12;      // bytes of TCP options (NOP padded), multiple of 4
  std::string payload;       // application bytes
  int link_type = 1;         // DLT_EN10MB; also DLT_RAW (12), DLT_LINUX_SLL (113)
};

// A complete frame (link header, IP, TCP, payload) as a NIC would capture it.
std::string BuildFrame(const FrameSpec& spec);

// A captured packet over `frame` (which must outlive it): caplen = min(frame, snaplen).
CapturedPacket Captured(const std::string& frame, absl::Time ts, uint32_t snaplen = 256,
                        int link_type = 1);

struct PcapRecord {
  uint32_t ts_sec = 0;
  uint32_t ts_frac = 0;
  uint32_t incl_len = 0;
  uint32_t orig_len = 0;
  std::string data;
};

struct PcapFile {
  std::string raw;          // the whole decompressed pcap
  std::string gzip_header;  // the first 10 bytes of the gzip member
  uint32_t magic = 0;
  uint16_t version_major = 0;
  uint16_t version_minor = 0;
  uint32_t snaplen = 0;
  uint32_t link_type = 0;
  std::vector<PcapRecord> records;
};

// Gunzips (checking CRC and length) and parses a classic little-endian pcap.
absl::StatusOr<PcapFile> ReadPcapGz(const std::string& path);
absl::StatusOr<PcapFile> ParsePcap(const std::string& raw);
absl::StatusOr<std::string> Gunzip(const std::string& gz);
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Counts non-zero bytes after the TCP header in every record (Ethernet framing).
int64_t NonZeroPayloadBytes(const PcapFile& file);

// Runs M-Lab's ETL pcap parsing (etl-check, built by tools/setup) on `files`; its output on
// failure. NotFound when etl-check is not installed.
absl::Status RunEtlCheck(const std::vector<std::string>& files);

// The path of `relative` (e.g. "etl/parser/testdata/PCAP/x.pcap.gz") in @shared_testdata.
std::string SharedTestData(const std::string& relative);

// A fresh directory (under $TEST_TMPDIR, or a given base such as "/tmp" for unix socket paths,
// which must stay under 108 bytes), removed with its contents on destruction.
using ::mlab::testing::TempDir;

// Every regular file under `dir`, recursively, sorted.
std::vector<std::string> ListFiles(const std::string& dir);

}  // namespace mlab::packet_headers::testing

#endif  // MLAB_SERVICES_PACKET_HEADERS_TESTING_TEST_PACKETS_H_
