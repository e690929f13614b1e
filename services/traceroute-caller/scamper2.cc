#include "services/traceroute-caller/scamper2.h"

#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/json/go_encoding.h"
#include "services/traceroute-caller/ip_address.h"

namespace mlab::trc {

using json::AppendGoFloat;
using json::AppendGoString;
using json::GoDecoder;
using json::JsonValue;

namespace {

void DecodeHop(GoDecoder& d, const JsonValue& v, TraceHop* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    const std::pair<const char*, int32_t*> ints[] = {
        {"probe_ttl", &out->probe_ttl},   {"probe_id", &out->probe_id},
        {"probe_size", &out->probe_size}, {"reply_ttl", &out->reply_ttl},
        {"reply_tos", &out->reply_tos},   {"reply_ipid", &out->reply_ipid},
        {"reply_size", &out->reply_size}, {"icmp_type", &out->icmp_type},
        {"icmp_code", &out->icmp_code},   {"icmp_q_ttl", &out->icmp_q_ttl},
        {"icmp_q_ipl", &out->icmp_q_ipl}, {"icmp_q_tos", &out->icmp_q_tos},
    };
    if (GoDecoder::KeyIs(k, "addr")) return d.String(val, &out->addr);
    if (GoDecoder::KeyIs(k, "name")) return d.String(val, &out->name);
    if (GoDecoder::KeyIs(k, "tx")) return DecodeTimestamp(d, val, &out->tx);
    if (GoDecoder::KeyIs(k, "rtt")) return d.Float(val, &out->rtt);
    for (const auto& [name, field] : ints) {
      if (GoDecoder::KeyIs(k, name)) return d.Int32(val, field);
    }
  });
}

void AppendHop(const TraceHop& h, std::string* out) {
  out->append("{\"addr\":");
  AppendGoString(h.addr, out);
  out->append(",\"name\":");
  AppendGoString(h.name, out);
  absl::StrAppend(out, ",\"probe_ttl\":", h.probe_ttl, ",\"probe_id\":", h.probe_id,
                  ",\"probe_size\":", h.probe_size, ",\"tx\":");
  AppendTimestamp(h.tx, out);
  out->append(",\"rtt\":");
  AppendGoFloat(h.rtt, out);
  absl::StrAppend(out, ",\"reply_ttl\":", h.reply_ttl, ",\"reply_tos\":", h.reply_tos,
                  ",\"reply_ipid\":", h.reply_ipid, ",\"reply_size\":", h.reply_size,
                  ",\"icmp_type\":", h.icmp_type, ",\"icmp_code\":", h.icmp_code,
                  ",\"icmp_q_ttl\":", h.icmp_q_ttl, ",\"icmp_q_ipl\":", h.icmp_q_ipl,
                  ",\"icmp_q_tos\":", h.icmp_q_tos, "}");
}

// The single-object form: Go field names (matched ignoring case) of upstream's Scamper2.
void DecodeScamper2Object(GoDecoder& d, const JsonValue& v, TraceLines<Trace>* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    if (GoDecoder::KeyIs(k, "Metadata")) {
      DecodeMetadata(d, val, &out->metadata);
    } else if (GoDecoder::KeyIs(k, "CycleStart")) {
      DecodeCycleStart(d, val, &out->cycle_start);
    } else if (GoDecoder::KeyIs(k, "Trace")) {
      DecodeTrace(d, val, &out->trace);
    } else if (GoDecoder::KeyIs(k, "CycleStop")) {
      DecodeCycleStop(d, val, &out->cycle_stop);
    }
  });
}

}  // namespace

void DecodeTrace(GoDecoder& d, const JsonValue& v, Trace* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    const std::pair<const char*, std::string*> strings[] = {
        {"type", &out->type}, {"version", &out->version}, {"method", &out->method},
        {"src", &out->src},   {"dst", &out->dst},         {"stop_reason", &out->stop_reason},
    };
    const std::pair<const char*, int32_t*> ints[] = {
        {"userid", &out->userid},         {"icmp_sum", &out->icmp_sum},
        {"stop_data", &out->stop_data},   {"hop_count", &out->hop_count},
        {"attempts", &out->attempts},     {"hoplimit", &out->hoplimit},
        {"firsthop", &out->firsthop},     {"wait", &out->wait},
        {"wait_probe", &out->wait_probe}, {"tos", &out->tos},
        {"probe_size", &out->probe_size}, {"probe_count", &out->probe_count},
    };
    for (const auto& [name, field] : strings) {
      if (GoDecoder::KeyIs(k, name)) return d.String(val, field);
    }
    for (const auto& [name, field] : ints) {
      if (GoDecoder::KeyIs(k, name)) return d.Int32(val, field);
    }
    if (GoDecoder::KeyIs(k, "start")) return DecodeTimestamp(d, val, &out->start);
    if (GoDecoder::KeyIs(k, "hops")) {
      d.Array(val, &out->hops, [&](const JsonValue& item, TraceHop* h) { DecodeHop(d, item, h); });
    }
  });
}

void AppendTrace(const Trace& t, std::string* out) {
  out->append("{\"type\":");
  AppendGoString(t.type, out);
  out->append(",\"version\":");
  AppendGoString(t.version, out);
  absl::StrAppend(out, ",\"userid\":", t.userid, ",\"method\":");
  AppendGoString(t.method, out);
  out->append(",\"src\":");
  AppendGoString(t.src, out);
  out->append(",\"dst\":");
  AppendGoString(t.dst, out);
  absl::StrAppend(out, ",\"icmp_sum\":", t.icmp_sum, ",\"stop_reason\":");
  AppendGoString(t.stop_reason, out);
  absl::StrAppend(out, ",\"stop_data\":", t.stop_data, ",\"start\":");
  AppendTimestamp(t.start, out);
  absl::StrAppend(out, ",\"hop_count\":", t.hop_count, ",\"attempts\":", t.attempts,
                  ",\"hoplimit\":", t.hoplimit, ",\"firsthop\":", t.firsthop, ",\"wait\":", t.wait,
                  ",\"wait_probe\":", t.wait_probe, ",\"tos\":", t.tos,
                  ",\"probe_size\":", t.probe_size, ",\"probe_count\":", t.probe_count,
                  ",\"hops\":");
  if (!t.hops.has_value()) {
    out->append("null");
  } else {
    out->push_back('[');
    for (size_t i = 0; i < t.hops->size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendHop((*t.hops)[i], out);
    }
    out->push_back(']');
  }
  out->push_back('}');
}

absl::StatusOr<Scamper2> Scamper2::Parse(absl::string_view raw) {
  std::vector<absl::string_view> lines = absl::StrSplit(raw, '\n');
  Scamper2 s;
  TraceLines<Trace>& t = s.lines_;
  if (lines.size() == 1 || (lines.size() == 2 && lines[1].empty())) {
    // Upstream returns whatever the object decoding gives, without further checks.
    rapidjson::Document doc;
    GoDecoder d;
    if (!json::ParseFullPrecision(raw, &doc).ok())
      return absl::InvalidArgumentError("invalid json trace");
    DecodeScamper2Object(d, doc, &t);
    if (!d.ok()) return absl::InvalidArgumentError("invalid json trace");
    return s;
  }
  absl::Status status = ParseTraceLines(lines, DecodeTrace, "trace", "invalid trace line", &t);
  if (!status.ok()) return status;
  return s;
}

std::vector<std::string> Scamper2::ExtractHops() const {
  std::set<std::string> hops;
  const Trace& trace = lines_.trace;
  if (trace.hops.has_value()) {
    for (const TraceHop& hop : *trace.hops) {
      if (IsIpAddress(hop.addr)) hops.insert(hop.addr);
    }
  }
  return {hops.begin(), hops.end()};
}

void Scamper2::Anonymize(const IpAnonymizer& anonymizer) {
  Trace& trace = lines_.trace;
  std::optional<IpAddress> dst = anonymizer.AnonymizeDestination(&trace.dst);
  if (!trace.hops.has_value()) return;
  for (TraceHop& hop : *trace.hops) anonymizer.AnonymizeHop(dst, &hop.addr);
}

absl::StatusOr<std::string> Scamper2::Marshal(OutputFormat format) const {
  std::string out;
  if (format == OutputFormat::kJson) {
    out.append("{\"Metadata\":");
    AppendMetadata(lines_.metadata, &out);
    out.append(",\"CycleStart\":");
    AppendCycleStart(lines_.cycle_start, &out);
    out.append(",\"Trace\":");
    AppendTrace(lines_.trace, &out);
    out.append(",\"CycleStop\":");
    AppendCycleStop(lines_.cycle_stop, &out);
    out.append("}\n");
    return out;
  }
  AppendTraceLines(lines_, AppendTrace, &out);
  return out;
}

}  // namespace mlab::trc
