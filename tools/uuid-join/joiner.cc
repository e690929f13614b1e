#include "tools/uuid-join/joiner.h"

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tools/uuid-join/archive_source.h"

namespace mlab::uuidjoin {
namespace {

using rapidjson::Document;
using rapidjson::Value;

std::string GetString(const Value& object, const char* key) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

int64_t GetInt(const Value& object, const char* key) {
  if (!object.IsObject()) return 0;
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsNumber()) return 0;
  return it->value.IsInt64() ? it->value.GetInt64() : static_cast<int64_t>(it->value.GetDouble());
}

double GetDouble(const Value& object, const char* key) {
  if (!object.IsObject()) return 0;
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsNumber() ? it->value.GetDouble() : 0;
}

bool GetBool(const Value& object, const char* key) {
  if (!object.IsObject()) return false;
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

const Value* GetObject(const Value& object, const char* key) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsObject() ? &it->value : nullptr;
}

enum class Datatype { kNdt7, kTcpInfo, kPcap, kAnnotation, kHopAnnotation, kTrace, kUnknown };

// The datatype from the spool or bucket layout (".../<datatype>/YYYY/MM/DD/...", or
// "...-<datatype>-mlab1-site-exp.tgz:member"), falling back to the file suffix.
Datatype DatatypeOf(const std::string& path) {
  std::string lower = absl::AsciiStrToLower(path);
  struct Named {
    const char* name;
    Datatype type;
  };
  // hopannotation2 before annotation2: one contains the other.
  for (const Named& named :
       {Named{"hopannotation2", Datatype::kHopAnnotation},
        Named{"annotation2", Datatype::kAnnotation}, Named{"tcpinfo", Datatype::kTcpInfo},
        Named{"pcap", Datatype::kPcap}, Named{"scamper1", Datatype::kTrace},
        Named{"scamper2", Datatype::kTrace}, Named{"ndt7", Datatype::kNdt7}}) {
    if (absl::StrContains(lower, absl::StrCat("/", named.name, "/")) ||
        absl::StrContains(lower, absl::StrCat("-", named.name, "-"))) {
      return named.type;
    }
  }
  if (absl::EndsWith(lower, ".jsonl.zst")) return Datatype::kTcpInfo;
  if (absl::EndsWith(lower, ".pcap.gz")) return Datatype::kPcap;
  if (absl::EndsWith(lower, ".jsonl")) return Datatype::kTrace;
  if (absl::StrContains(lower, "ndt7-")) return Datatype::kNdt7;
  return Datatype::kUnknown;
}

std::string BaseName(const std::string& path) {
  size_t cut = path.find_last_of("/:");
  return cut == std::string::npos ? path : path.substr(cut + 1);
}

template <typename T>
T ReadLittleEndian(const std::string& bytes, size_t offset) {
  T value = 0;
  if (offset + sizeof(T) <= bytes.size()) std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

}  // namespace

TestRecord& Joiner::Record(const std::string& uuid) {
  TestRecord& record = records_[uuid];
  record.uuid = uuid;
  return record;
}

absl::Status Joiner::Add(const std::string& path, const std::string& contents) {
  absl::Status status;
  switch (DatatypeOf(path)) {
    case Datatype::kNdt7:
      status = AddNdt7(path, contents);
      break;
    case Datatype::kTcpInfo:
      status = AddTcpInfo(path, contents);
      break;
    case Datatype::kPcap:
      status = AddPcap(path, contents);
      break;
    case Datatype::kAnnotation:
      status = AddAnnotation(contents);
      break;
    case Datatype::kHopAnnotation:
      status = AddHopAnnotation(contents);
      break;
    case Datatype::kTrace:
      status = AddTrace(contents);
      break;
    case Datatype::kUnknown:
      return absl::OkStatus();  // not a datatype we join
  }
  ++files_read_;
  if (!status.ok()) {
    ++files_failed_;
    return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  }
  return status;
}

absl::Status Joiner::AddNdt7(const std::string& path, const std::string& contents) {
  std::string json;
  if (absl::EndsWith(path, ".gz")) {
    if (absl::Status unzipped = Gunzip(contents, &json); !unzipped.ok()) return unzipped;
  } else {
    json = contents;
  }
  Document document;
  if (document.Parse(json.data(), json.size()).HasParseError() || !document.IsObject()) {
    return absl::DataLossError("ndt7 result is not a JSON object");
  }
  Ndt7Summary summary;
  const Value* test = GetObject(document, "Download");
  summary.direction = "download";
  if (test == nullptr) {
    test = GetObject(document, "Upload");
    summary.direction = "upload";
  }
  if (test == nullptr) return absl::DataLossError("ndt7 result has neither Download nor Upload");
  std::string uuid = GetString(*test, "UUID");
  if (uuid.empty()) return absl::DataLossError("ndt7 result without a UUID");
  summary.start_time = GetString(*test, "StartTime");
  summary.client_ip = GetString(document, "ClientIP");
  summary.server_ip = GetString(document, "ServerIP");
  auto measurements = test->FindMember("ServerMeasurements");
  if (measurements != test->MemberEnd() && measurements->value.IsArray() &&
      !measurements->value.Empty()) {
    summary.measurements = static_cast<int>(measurements->value.Size());
    const Value* info = GetObject(measurements->value[measurements->value.Size() - 1], "TCPInfo");
    if (info != nullptr) {
      int64_t elapsed = GetInt(*info, "ElapsedTime");
      int64_t bytes = summary.direction == "download" ? GetInt(*info, "BytesAcked")
                                                      : GetInt(*info, "BytesReceived");
      if (elapsed > 0) summary.mean_throughput_mbps = 8.0 * static_cast<double>(bytes) / elapsed;
      summary.min_rtt_us = GetInt(*info, "MinRTT");
      summary.bytes_sent = GetInt(*info, "BytesSent");
      summary.bytes_retrans = GetInt(*info, "BytesRetrans");
      summary.total_retrans = GetInt(*info, "TotalRetrans");
    }
  }
  TestRecord& record = Record(uuid);
  record.ndt7.push_back(summary);
  record.sources.push_back(path);
  return absl::OkStatus();
}

// tcp_info offsets (struct tcp_info, any length; fields past the end read as zero).
absl::Status Joiner::AddTcpInfo(const std::string& path, const std::string& contents) {
  std::string jsonl;
  if (absl::Status unzipped = Unzstd(contents, &jsonl); !unzipped.ok()) return unzipped;
  std::string uuid;
  TcpInfoSummary file;
  for (absl::string_view line : absl::StrSplit(jsonl, '\n', absl::SkipEmpty())) {
    Document document;
    if (document.Parse(line.data(), line.size()).HasParseError() || !document.IsObject()) {
      return absl::DataLossError("tcpinfo line is not a JSON object");
    }
    if (const Value* metadata = GetObject(document, "Metadata")) {
      uuid = GetString(*metadata, "UUID");
      continue;
    }
    auto attributes = document.FindMember("Attributes");
    if (attributes == document.MemberEnd() || !attributes->value.IsArray()) continue;
    const Value& array = attributes->value;
    ++file.snapshots;
    std::string timestamp = GetString(document, "Timestamp");
    if (file.first_timestamp.empty()) file.first_timestamp = timestamp;
    file.last_timestamp = timestamp;
    if (array.Size() > 2 && array[2].IsString()) {
      std::string info;
      if (!absl::Base64Unescape(absl::string_view(array[2].GetString(), array[2].GetStringLength()),
                                &info)) {
        return absl::DataLossError("tcp_info attribute is not base64");
      }
      file.total_retrans = ReadLittleEndian<uint32_t>(info, 100);
      file.bytes_acked = ReadLittleEndian<uint64_t>(info, 120);
      file.bytes_received = ReadLittleEndian<uint64_t>(info, 128);
      file.min_rtt_us = ReadLittleEndian<uint32_t>(info, 148);
      file.bytes_sent = ReadLittleEndian<uint64_t>(info, 200);
      file.bytes_retrans = ReadLittleEndian<uint64_t>(info, 208);
    }
    if (array.Size() > 4 && array[4].IsString()) {
      std::string cc;
      if (absl::Base64Unescape(absl::string_view(array[4].GetString(), array[4].GetStringLength()),
                               &cc)) {
        file.congestion_control = std::string(cc.c_str());  // NUL-terminated by the kernel
      }
    }
  }
  if (uuid.empty()) return absl::DataLossError("tcpinfo file without a Metadata line");
  TestRecord& record = Record(uuid);
  record.sources.push_back(path);
  if (!record.tcpinfo) {
    file.files = 1;
    record.tcpinfo = file;
    return absl::OkStatus();
  }
  // Continuation files (rotation) extend the same flow; the final counters are the latest file's.
  const TcpInfoSummary& joined = *record.tcpinfo;
  TcpInfoSummary merged = file.last_timestamp > joined.last_timestamp ? file : joined;
  merged.files = joined.files + 1;
  merged.snapshots = joined.snapshots + file.snapshots;
  merged.first_timestamp = file.first_timestamp.empty() || joined.first_timestamp.empty()
                               ? joined.first_timestamp + file.first_timestamp
                               : std::min(joined.first_timestamp, file.first_timestamp);
  record.tcpinfo = merged;
  return absl::OkStatus();
}

absl::Status Joiner::AddPcap(const std::string& path, const std::string& contents) {
  std::string name = BaseName(path);
  if (!absl::EndsWith(name, ".pcap.gz")) return absl::DataLossError("pcap file not named .pcap.gz");
  std::string pcap;
  if (absl::Status unzipped = Gunzip(contents, &pcap); !unzipped.ok()) return unzipped;
  if (pcap.size() < 24) return absl::DataLossError("pcap shorter than its header");
  uint32_t magic = ReadLittleEndian<uint32_t>(pcap, 0);
  if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
    return absl::DataLossError("not a little-endian classic pcap");
  }
  bool nanos = magic == 0xa1b23c4d;
  PcapSummary summary;
  summary.snaplen = ReadLittleEndian<uint32_t>(pcap, 16);
  int64_t first = 0, last = 0;
  size_t offset = 24;
  while (offset + 16 <= pcap.size()) {
    int64_t seconds = ReadLittleEndian<uint32_t>(pcap, offset);
    int64_t fraction = ReadLittleEndian<uint32_t>(pcap, offset + 4);
    uint32_t captured = ReadLittleEndian<uint32_t>(pcap, offset + 8);
    uint32_t original = ReadLittleEndian<uint32_t>(pcap, offset + 12);
    if (offset + 16 + captured > pcap.size()) return absl::DataLossError("truncated pcap record");
    int64_t ns = seconds * 1000000000 + (nanos ? fraction : fraction * 1000);
    if (summary.packets == 0) first = ns;
    last = ns;
    ++summary.packets;
    summary.wire_bytes += original;
    offset += 16 + captured;
  }
  summary.duration_ns = last - first;
  std::string uuid = name.substr(0, name.size() - strlen(".pcap.gz"));
  TestRecord& record = Record(uuid);
  record.pcap = summary;
  record.sources.push_back(path);
  return absl::OkStatus();
}

absl::Status Joiner::AddAnnotation(const std::string& contents) {
  Document document;
  if (document.Parse(contents.data(), contents.size()).HasParseError() || !document.IsObject()) {
    return absl::DataLossError("annotation2 file is not a JSON object");
  }
  std::string uuid = GetString(document, "UUID");
  if (uuid.empty()) return absl::DataLossError("annotation2 file without a UUID");
  ClientAnnotation annotation;
  if (const Value* client = GetObject(document, "Client")) {
    if (const Value* geo = GetObject(*client, "Geo")) {
      annotation.country_code = GetString(*geo, "CountryCode");
      annotation.city = GetString(*geo, "City");
      annotation.latitude = GetDouble(*geo, "Latitude");
      annotation.longitude = GetDouble(*geo, "Longitude");
      annotation.geo_missing = GetBool(*geo, "Missing");
    }
    if (const Value* network = GetObject(*client, "Network")) {
      annotation.as_number = static_cast<uint32_t>(GetInt(*network, "ASNumber"));
      annotation.as_name = GetString(*network, "ASName");
      annotation.cidr = GetString(*network, "CIDR");
      annotation.network_missing = GetBool(*network, "Missing");
    }
  }
  if (const Value* server = GetObject(document, "Server")) {
    annotation.server_site = GetString(*server, "Site");
    annotation.server_machine = GetString(*server, "Machine");
  }
  TestRecord& record = Record(uuid);
  record.annotation = annotation;
  record.sources.push_back(uuid + ".json");
  return absl::OkStatus();
}

absl::Status Joiner::AddHopAnnotation(const std::string& contents) {
  Document document;
  if (document.Parse(contents.data(), contents.size()).HasParseError() || !document.IsObject()) {
    return absl::DataLossError("hopannotation2 file is not a JSON object");
  }
  // ID is <YYYYMMDD>_<machine>_<hop address>.
  std::string id = GetString(document, "ID");
  size_t cut = id.rfind('_');
  if (cut == std::string::npos) return absl::DataLossError("hopannotation2 ID without an address");
  HopAnnotation annotation;
  if (const Value* annotations = GetObject(document, "Annotations")) {
    if (const Value* geo = GetObject(*annotations, "Geo")) {
      annotation.country_code = GetString(*geo, "CountryCode");
    }
    if (const Value* network = GetObject(*annotations, "Network")) {
      annotation.as_number = static_cast<uint32_t>(GetInt(*network, "ASNumber"));
      annotation.as_name = GetString(*network, "ASName");
    }
  }
  hop_annotations_[id.substr(cut + 1)] = annotation;
  return absl::OkStatus();
}

// scamper1: a metadata line, then scamper's own lines; the trace is a "tracelb" (MDA) object
// with nodes, or a "trace" object with hops.
absl::Status Joiner::AddTrace(const std::string& contents) {
  std::string uuid;
  TraceSummary trace;
  bool found = false;
  for (absl::string_view line : absl::StrSplit(contents, '\n', absl::SkipEmpty())) {
    Document document;
    if (document.Parse(line.data(), line.size()).HasParseError() || !document.IsObject()) {
      return absl::DataLossError("trace line is not a JSON object");
    }
    if (document.HasMember("UUID")) {
      uuid = GetString(document, "UUID");
      trace.cached = GetBool(document, "CachedResult");
      trace.cached_uuid = GetString(document, "CachedUUID");
      continue;
    }
    std::string type = GetString(document, "type");
    if (type == "tracelb") {
      found = true;
      trace.destination = GetString(document, "dst");
      auto nodes = document.FindMember("nodes");
      if (nodes != document.MemberEnd() && nodes->value.IsArray()) {
        for (const Value& node : nodes->value.GetArray()) {
          std::string address = GetString(node, "addr");
          if (!address.empty()) trace.hops.push_back(Hop{address, 0});
        }
      }
    } else if (type == "trace") {
      found = true;
      trace.destination = GetString(document, "dst");
      auto hops = document.FindMember("hops");
      if (hops != document.MemberEnd() && hops->value.IsArray()) {
        for (const Value& hop : hops->value.GetArray()) {
          trace.hops.push_back(
              Hop{GetString(hop, "addr"), static_cast<int>(GetInt(hop, "probe_ttl"))});
        }
      }
    }
  }
  if (uuid.empty()) return absl::DataLossError("trace without a metadata line");
  if (!found) return absl::DataLossError("trace file has no tracelb or trace line");
  TestRecord& record = Record(uuid);
  record.traceroute = trace;
  record.sources.push_back(uuid + " trace");
  return absl::OkStatus();
}

std::vector<std::string> Joiner::MissingParts(const TestRecord& record) {
  std::vector<std::string> missing;
  if (record.ndt7.empty()) missing.push_back("ndt7");
  if (!record.tcpinfo) missing.push_back("tcpinfo");
  if (!record.pcap) missing.push_back("pcap");
  if (!record.annotation) missing.push_back("annotation2");
  if (!record.traceroute) missing.push_back("traceroute");
  return missing;
}

std::string Joiner::ToJson(const TestRecord& record) const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> out(buffer);
  out.StartObject();
  out.Key("UUID");
  out.String(record.uuid.c_str());
  out.Key("ndt7");
  out.StartArray();
  for (const Ndt7Summary& test : record.ndt7) {
    out.StartObject();
    out.Key("Direction");
    out.String(test.direction.c_str());
    out.Key("StartTime");
    out.String(test.start_time.c_str());
    out.Key("ClientIP");
    out.String(test.client_ip.c_str());
    out.Key("ServerIP");
    out.String(test.server_ip.c_str());
    out.Key("MeanThroughputMbps");
    out.Double(test.mean_throughput_mbps);
    out.Key("MinRTTMicros");
    out.Int64(test.min_rtt_us);
    out.Key("BytesSent");
    out.Int64(test.bytes_sent);
    out.Key("BytesRetrans");
    out.Int64(test.bytes_retrans);
    out.Key("TotalRetrans");
    out.Int64(test.total_retrans);
    out.Key("Measurements");
    out.Int(test.measurements);
    out.EndObject();
  }
  out.EndArray();
  if (record.tcpinfo) {
    const TcpInfoSummary& t = *record.tcpinfo;
    out.Key("tcpinfo");
    out.StartObject();
    out.Key("Files");
    out.Int(t.files);
    out.Key("Snapshots");
    out.Int(t.snapshots);
    out.Key("FirstTimestamp");
    out.String(t.first_timestamp.c_str());
    out.Key("LastTimestamp");
    out.String(t.last_timestamp.c_str());
    out.Key("BytesAcked");
    out.Uint64(t.bytes_acked);
    out.Key("BytesReceived");
    out.Uint64(t.bytes_received);
    out.Key("BytesSent");
    out.Uint64(t.bytes_sent);
    out.Key("BytesRetrans");
    out.Uint64(t.bytes_retrans);
    out.Key("MinRTTMicros");
    out.Uint(t.min_rtt_us);
    out.Key("TotalRetrans");
    out.Uint(t.total_retrans);
    out.Key("CongestionControl");
    out.String(t.congestion_control.c_str());
    out.EndObject();
  }
  if (record.pcap) {
    out.Key("pcap");
    out.StartObject();
    out.Key("Packets");
    out.Uint64(record.pcap->packets);
    out.Key("WireBytes");
    out.Uint64(record.pcap->wire_bytes);
    out.Key("DurationNanos");
    out.Int64(record.pcap->duration_ns);
    out.Key("SnapLen");
    out.Uint(record.pcap->snaplen);
    out.EndObject();
  }
  if (record.annotation) {
    const ClientAnnotation& a = *record.annotation;
    out.Key("client");
    out.StartObject();
    out.Key("CountryCode");
    out.String(a.country_code.c_str());
    out.Key("City");
    out.String(a.city.c_str());
    out.Key("Latitude");
    out.Double(a.latitude);
    out.Key("Longitude");
    out.Double(a.longitude);
    out.Key("GeoMissing");
    out.Bool(a.geo_missing);
    out.Key("ASNumber");
    out.Uint(a.as_number);
    out.Key("ASName");
    out.String(a.as_name.c_str());
    out.Key("CIDR");
    out.String(a.cidr.c_str());
    out.Key("NetworkMissing");
    out.Bool(a.network_missing);
    out.EndObject();
    out.Key("server");
    out.StartObject();
    out.Key("Site");
    out.String(a.server_site.c_str());
    out.Key("Machine");
    out.String(a.server_machine.c_str());
    out.EndObject();
  }
  if (record.traceroute) {
    const TraceSummary& trace = *record.traceroute;
    out.Key("traceroute");
    out.StartObject();
    out.Key("Destination");
    out.String(trace.destination.c_str());
    out.Key("CachedResult");
    out.Bool(trace.cached);
    out.Key("CachedUUID");
    out.String(trace.cached_uuid.c_str());
    out.Key("Hops");
    out.StartArray();
    for (const Hop& hop : trace.hops) {
      out.StartObject();
      out.Key("IP");
      out.String(hop.ip.c_str());
      if (hop.ttl > 0) {
        out.Key("TTL");
        out.Int(hop.ttl);
      }
      auto annotated = hop_annotations_.find(hop.ip);
      if (annotated != hop_annotations_.end()) {
        out.Key("CountryCode");
        out.String(annotated->second.country_code.c_str());
        out.Key("ASNumber");
        out.Uint(annotated->second.as_number);
        out.Key("ASName");
        out.String(annotated->second.as_name.c_str());
      }
      out.EndObject();
    }
    out.EndArray();
    out.EndObject();
  }
  out.Key("Missing");
  out.StartArray();
  for (const std::string& part : MissingParts(record)) out.String(part.c_str());
  out.EndArray();
  out.EndObject();
  return buffer.GetString();
}

}  // namespace mlab::uuidjoin
