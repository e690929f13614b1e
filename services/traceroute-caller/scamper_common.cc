#include "services/traceroute-caller/scamper_common.h"

#include <cmath>

#include "lib/json/go_encoding.h"

namespace mlab::trc {

using json::AppendGoBool;
using json::AppendGoFloat;
using json::AppendGoInt;
using json::AppendGoString;
using json::GoDecoder;
using json::JsonValue;

void DecodeTimestamp(GoDecoder& d, const JsonValue& v, Timestamp* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    if (GoDecoder::KeyIs(k, "sec")) {
      d.Int(val, &out->sec);
    } else if (GoDecoder::KeyIs(k, "usec")) {
      d.Int(val, &out->usec);
    }
  });
}

void DecodeMetadata(GoDecoder& d, const JsonValue& v, Metadata* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    if (GoDecoder::KeyIs(k, "UUID")) {
      d.String(val, &out->uuid);
    } else if (GoDecoder::KeyIs(k, "TracerouteCallerVersion")) {
      d.String(val, &out->traceroute_caller_version);
    } else if (GoDecoder::KeyIs(k, "CachedResult")) {
      d.Bool(val, &out->cached_result);
    } else if (GoDecoder::KeyIs(k, "CachedUUID")) {
      d.String(val, &out->cached_uuid);
    }
  });
}

namespace {

// cycle-start and cycle-stop differ only in their time's key ("start_time", "stop_time").
template <typename Cycle>
void DecodeCycle(GoDecoder& d, const JsonValue& v, const char* time_key, double Cycle::*time,
                 Cycle* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    if (GoDecoder::KeyIs(k, "type")) {
      d.String(val, &out->type);
    } else if (GoDecoder::KeyIs(k, "list_name")) {
      d.String(val, &out->list_name);
    } else if (GoDecoder::KeyIs(k, "id")) {
      d.Float(val, &out->id);
    } else if (GoDecoder::KeyIs(k, "hostname")) {
      d.String(val, &out->hostname);
    } else if (GoDecoder::KeyIs(k, time_key)) {
      d.Float(val, &(out->*time));
    }
  });
}

template <typename Cycle>
void AppendCycle(const Cycle& c, const char* time_key, double Cycle::*time, std::string* out) {
  out->append("{\"type\":");
  AppendGoString(c.type, out);
  out->append(",\"list_name\":");
  AppendGoString(c.list_name, out);
  out->append(",\"id\":");
  AppendGoFloat(c.id, out);
  out->append(",\"hostname\":");
  AppendGoString(c.hostname, out);
  absl::StrAppend(out, ",\"", time_key, "\":");
  AppendGoFloat(c.*time, out);
  out->push_back('}');
}

}  // namespace

void DecodeCycleStart(GoDecoder& d, const JsonValue& v, CycleStart* out) {
  DecodeCycle(d, v, "start_time", &CycleStart::start_time, out);
}

void DecodeCycleStop(GoDecoder& d, const JsonValue& v, CycleStop* out) {
  DecodeCycle(d, v, "stop_time", &CycleStop::stop_time, out);
}

void AppendTimestamp(const Timestamp& ts, std::string* out) {
  out->append("{\"sec\":");
  AppendGoInt(ts.sec, out);
  out->append(",\"usec\":");
  AppendGoInt(ts.usec, out);
  out->push_back('}');
}

void AppendMetadata(const Metadata& m, std::string* out) {
  out->append("{\"UUID\":");
  AppendGoString(m.uuid, out);
  out->append(",\"TracerouteCallerVersion\":");
  AppendGoString(m.traceroute_caller_version, out);
  out->append(",\"CachedResult\":");
  AppendGoBool(m.cached_result, out);
  out->append(",\"CachedUUID\":");
  AppendGoString(m.cached_uuid, out);
  out->push_back('}');
}

void AppendCycleStart(const CycleStart& c, std::string* out) {
  AppendCycle(c, "start_time", &CycleStart::start_time, out);
}

void AppendCycleStop(const CycleStop& c, std::string* out) {
  AppendCycle(c, "stop_time", &CycleStop::stop_time, out);
}

std::string MetadataLine(absl::string_view uuid, absl::string_view version, bool cached,
                         absl::string_view cached_uuid) {
  Metadata m{std::string(uuid), std::string(version), cached, std::string(cached_uuid)};
  std::string out;
  AppendMetadata(m, &out);
  out.push_back('\n');
  return out;
}

std::string MetadataUUID(absl::string_view line) {
  Metadata m;
  if (!DecodeLine(line, DecodeMetadata, &m, "").ok()) return "";
  return m.uuid;
}

absl::Time CycleStartTime(const CycleStart& c) {
  double t = std::trunc(c.start_time);
  // Outside int64 Go's conversion is undefined; clamp instead.
  if (!(t > -9.2e18 && t < 9.2e18)) return absl::UnixEpoch();
  return absl::FromUnixSeconds(static_cast<int64_t>(t));
}

}  // namespace mlab::trc
