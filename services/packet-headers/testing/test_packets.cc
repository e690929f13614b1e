#include "services/packet-headers/testing/test_packets.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mlab::packet_headers::testing {
namespace {

void Put16(std::string* s, size_t at, uint16_t v) {
  (*s)[at] = static_cast<char>(v >> 8);
  (*s)[at + 1] = static_cast<char>(v);
}

uint32_t Le32(const std::string& s, size_t at) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data() + at);
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

}  // namespace

std::string BuildFrame(const FrameSpec& spec) {
  std::string tcp(20 + spec.tcp_options, '\0');
  Put16(&tcp, 0, spec.src_port);
  Put16(&tcp, 2, spec.dst_port);
  tcp[4] = 0x12;  // a sequence number
  tcp[12] = static_cast<char>(((20 + spec.tcp_options) / 4) << 4);
  tcp[13] = static_cast<char>(spec.tcp_flags);
  Put16(&tcp, 14, 65535);
  for (int i = 20; i < 20 + spec.tcp_options; ++i) tcp[i] = 1;  // NOP
  tcp += spec.payload;

  std::string ip;
  if (!spec.ipv6) {
    ip.assign(20, '\0');
    ip[0] = 0x45;
    Put16(&ip, 2, static_cast<uint16_t>(20 + tcp.size()));
    ip[8] = 64;
    ip[9] = 6;
    inet_pton(AF_INET, spec.src.c_str(), &ip[12]);
    inet_pton(AF_INET, spec.dst.c_str(), &ip[16]);
  } else {
    ip.assign(40, '\0');
    ip[0] = 0x60;
    Put16(&ip, 4, static_cast<uint16_t>(tcp.size()));
    ip[6] = 6;
    ip[7] = 64;
    inet_pton(AF_INET6, spec.src.c_str(), &ip[8]);
    inet_pton(AF_INET6, spec.dst.c_str(), &ip[24]);
  }
  const uint16_t ethertype = spec.ipv6 ? 0x86DD : 0x0800;
  std::string link;
  if (spec.link_type == 1) {
    link.assign(14, '\0');
    for (int i = 0; i < 6; ++i) link[i] = static_cast<char>(0x02 + i);   // dst MAC
    for (int i = 6; i < 12; ++i) link[i] = static_cast<char>(0x10 + i);  // src MAC
    Put16(&link, 12, ethertype);
  } else if (spec.link_type == 113) {  // Linux cooked v1
    link.assign(16, '\0');
    Put16(&link, 14, ethertype);
  }
  return link + ip + tcp;
}

CapturedPacket Captured(const std::string& frame, absl::Time ts, uint32_t snaplen, int link_type) {
  CapturedPacket p;
  p.timestamp_ns = absl::ToUnixNanos(ts);
  p.data = reinterpret_cast<const uint8_t*>(frame.data());
  p.wirelen = static_cast<uint32_t>(frame.size());
  p.caplen = std::min<uint32_t>(p.wirelen, snaplen);
  p.link_type = link_type;
  return p;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<std::string> Gunzip(const std::string& gz) {
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) return absl::InternalError("inflateInit2");
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  s.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[65536];
  int rc;
  do {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof(buf);
    rc = inflate(&s, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - s.avail_out);
  } while (rc == Z_OK);
  const size_t left = s.avail_in;
  inflateEnd(&s);
  if (rc != Z_STREAM_END) return absl::DataLossError(absl::StrCat("gunzip failed: ", rc));
  if (left != 0) return absl::DataLossError("bytes after the gzip member");
  return out;
}

absl::StatusOr<PcapFile> ParsePcap(const std::string& raw) {
  PcapFile f;
  f.raw = raw;
  if (raw.size() < 24) return absl::DataLossError("short pcap header");
  f.magic = Le32(raw, 0);
  f.version_major = static_cast<uint16_t>(Le32(raw, 4) & 0xFFFF);
  f.version_minor = static_cast<uint16_t>(Le32(raw, 4) >> 16);
  f.snaplen = Le32(raw, 16);
  f.link_type = Le32(raw, 20);
  size_t at = 24;
  while (at < raw.size()) {
    if (raw.size() - at < 16) return absl::DataLossError("short record header");
    PcapRecord r;
    r.ts_sec = Le32(raw, at);
    r.ts_frac = Le32(raw, at + 4);
    r.incl_len = Le32(raw, at + 8);
    r.orig_len = Le32(raw, at + 12);
    at += 16;
    if (raw.size() - at < r.incl_len) return absl::DataLossError("short record");
    r.data = raw.substr(at, r.incl_len);
    at += r.incl_len;
    f.records.push_back(std::move(r));
  }
  return f;
}

absl::StatusOr<PcapFile> ReadPcapGz(const std::string& path) {
  absl::StatusOr<std::string> gz = ReadFile(path);
  if (!gz.ok()) return gz.status();
  absl::StatusOr<std::string> raw = Gunzip(*gz);
  if (!raw.ok()) return raw.status();
  absl::StatusOr<PcapFile> file = ParsePcap(*raw);
  if (file.ok()) file->gzip_header = gz->substr(0, 10);
  return file;
}

int64_t NonZeroPayloadBytes(const PcapFile& file) {
  int64_t nonzero = 0;
  for (const PcapRecord& r : file.records) {
    const auto* d = reinterpret_cast<const uint8_t*>(r.data.data());
    size_t ip = 14;
    if (r.data.size() < ip + 1) continue;
    size_t tcp;
    if ((d[ip] >> 4) == 4) {
      tcp = ip + (d[ip] & 0x0F) * 4u;
    } else {
      tcp = ip + 40;  // the tests' IPv6 packets carry no extension headers
    }
    if (r.data.size() < tcp + 13) continue;
    const size_t payload = tcp + (d[tcp + 12] >> 4) * 4u;
    for (size_t i = payload; i < r.data.size(); ++i) nonzero += d[i] != 0;
  }
  return nonzero;
}

absl::Status RunEtlCheck(const std::vector<std::string>& files) {
  const char* peers = std::getenv("MLAB_PEERS");
  const std::string bin =
      absl::StrCat(peers != nullptr ? peers : "/usr/local/lib/mlab-peers", "/bin/etl-check");
  if (!std::filesystem::exists(bin)) {
    return absl::NotFoundError(absl::StrCat(bin, " is not installed (run tools/setup)"));
  }
  const std::string command =
      absl::StrCat(bin, " -type=pcap -pcap-zero-payload ", absl::StrJoin(files, " "), " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("popen etl-check");
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  const int status = pclose(pipe);
  if (status != 0) return absl::InternalError(absl::StrCat("etl-check failed:\n", output));
  return absl::OkStatus();
}

std::string SharedTestData(const std::string& relative) {
  std::vector<std::string> candidates;
  if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
    candidates.push_back(absl::StrCat(srcdir, "/shared_testdata/", relative));
    candidates.push_back(absl::StrCat(srcdir, "/mlab_node/external/shared_testdata/", relative));
  }
  candidates.push_back(absl::StrCat("../shared_testdata/", relative));
  candidates.push_back(absl::StrCat("external/shared_testdata/", relative));
  for (const std::string& c : candidates) {
    if (std::filesystem::exists(c)) return c;
  }
  return candidates.front();
}

std::vector<std::string> ListFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file()) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mlab::packet_headers::testing
