#include "services/traceroute-caller/scamper1.h"

#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/json/go_encoding.h"
#include "services/traceroute-caller/ip_address.h"

namespace mlab::trc {

using json::AppendGoFloat;
using json::AppendGoInt;
using json::AppendGoString;
using json::GoDecoder;
using json::JsonValue;

namespace {

void DecodeReply(GoDecoder& d, const JsonValue& v, TracelbReply* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    if (GoDecoder::KeyIs(k, "rx")) {
      DecodeTimestamp(d, val, &out->rx);
    } else if (GoDecoder::KeyIs(k, "ttl")) {
      d.Int(val, &out->ttl);
    } else if (GoDecoder::KeyIs(k, "rtt")) {
      d.Float(val, &out->rtt);
    } else if (GoDecoder::KeyIs(k, "icmp_type")) {
      d.Int(val, &out->icmp_type);
    } else if (GoDecoder::KeyIs(k, "icmp_code")) {
      d.Int(val, &out->icmp_code);
    } else if (GoDecoder::KeyIs(k, "icmp_q_tos")) {
      d.Int(val, &out->icmp_q_tos);
    } else if (GoDecoder::KeyIs(k, "icmp_q_ttl")) {
      d.Int(val, &out->icmp_q_ttl);
    }
  });
}

void DecodeProbe(GoDecoder& d, const JsonValue& v, TracelbProbe* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    if (GoDecoder::KeyIs(k, "tx")) {
      DecodeTimestamp(d, val, &out->tx);
    } else if (GoDecoder::KeyIs(k, "replyc")) {
      d.Int(val, &out->replyc);
    } else if (GoDecoder::KeyIs(k, "ttl")) {
      d.Int(val, &out->ttl);
    } else if (GoDecoder::KeyIs(k, "attempt")) {
      d.Int(val, &out->attempt);
    } else if (GoDecoder::KeyIs(k, "flowid")) {
      d.Int(val, &out->flowid);
    } else if (GoDecoder::KeyIs(k, "replies")) {
      d.Array(val, &out->replies,
              [&](const JsonValue& item, TracelbReply* r) { DecodeReply(d, item, r); });
    }
  });
}

void DecodeLink(GoDecoder& d, const JsonValue& v, TracelbLink* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    if (GoDecoder::KeyIs(k, "addr")) {
      d.String(val, &out->addr);
    } else if (GoDecoder::KeyIs(k, "probes")) {
      d.Array(val, &out->probes,
              [&](const JsonValue& item, TracelbProbe* p) { DecodeProbe(d, item, p); });
    }
  });
}

void DecodeNode(GoDecoder& d, const JsonValue& v, TracelbNode* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    if (GoDecoder::KeyIs(k, "addr")) {
      d.String(val, &out->addr);
    } else if (GoDecoder::KeyIs(k, "name")) {
      d.String(val, &out->name);
    } else if (GoDecoder::KeyIs(k, "q_ttl")) {
      d.Int(val, &out->q_ttl);
    } else if (GoDecoder::KeyIs(k, "linkc")) {
      d.Int(val, &out->linkc);
    } else if (GoDecoder::KeyIs(k, "links")) {
      d.Array(val, &out->links,
              [&](const JsonValue& row, std::optional<std::vector<TracelbLink>>* links) {
                d.Array(row, links,
                        [&](const JsonValue& item, TracelbLink* l) { DecodeLink(d, item, l); });
              });
    }
  });
}

template <typename T, typename AppendFn>
void AppendArray(const std::optional<std::vector<T>>& items, std::string* out, AppendFn append) {
  if (!items.has_value()) {
    out->append("null");
    return;
  }
  out->push_back('[');
  for (size_t i = 0; i < items->size(); ++i) {
    if (i > 0) out->push_back(',');
    append((*items)[i], out);
  }
  out->push_back(']');
}

void AppendReply(const TracelbReply& r, std::string* out) {
  out->append("{\"rx\":");
  AppendTimestamp(r.rx, out);
  out->append(",\"ttl\":");
  AppendGoInt(r.ttl, out);
  out->append(",\"rtt\":");
  AppendGoFloat(r.rtt, out);
  out->append(",\"icmp_type\":");
  AppendGoInt(r.icmp_type, out);
  out->append(",\"icmp_code\":");
  AppendGoInt(r.icmp_code, out);
  out->append(",\"icmp_q_tos\":");
  AppendGoInt(r.icmp_q_tos, out);
  out->append(",\"icmp_q_ttl\":");
  AppendGoInt(r.icmp_q_ttl, out);
  out->push_back('}');
}

void AppendProbe(const TracelbProbe& p, std::string* out) {
  out->append("{\"tx\":");
  AppendTimestamp(p.tx, out);
  out->append(",\"replyc\":");
  AppendGoInt(p.replyc, out);
  out->append(",\"ttl\":");
  AppendGoInt(p.ttl, out);
  out->append(",\"attempt\":");
  AppendGoInt(p.attempt, out);
  out->append(",\"flowid\":");
  AppendGoInt(p.flowid, out);
  out->append(",\"replies\":");
  AppendArray(p.replies, out, AppendReply);
  out->push_back('}');
}

void AppendLink(const TracelbLink& l, std::string* out) {
  out->append("{\"addr\":");
  AppendGoString(l.addr, out);
  out->append(",\"probes\":");
  AppendArray(l.probes, out, AppendProbe);
  out->push_back('}');
}

void AppendNode(const TracelbNode& n, std::string* out) {
  out->append("{\"addr\":");
  AppendGoString(n.addr, out);
  out->append(",\"name\":");
  AppendGoString(n.name, out);
  out->append(",\"q_ttl\":");
  AppendGoInt(n.q_ttl, out);
  out->append(",\"linkc\":");
  AppendGoInt(n.linkc, out);
  out->append(",\"links\":");
  AppendArray(n.links, out, [](const std::optional<std::vector<TracelbLink>>& row, std::string* o) {
    AppendArray(row, o, AppendLink);
  });
  out->push_back('}');
}

}  // namespace

void DecodeTracelb(GoDecoder& d, const JsonValue& v, Tracelb* out) {
  d.Object(v, [&](const JsonValue& k, const JsonValue& val) {
    if (GoDecoder::KeyIs(k, "type")) {
      d.String(val, &out->type);
    } else if (GoDecoder::KeyIs(k, "version")) {
      d.String(val, &out->version);
    } else if (GoDecoder::KeyIs(k, "userid")) {
      d.Float(val, &out->userid);
    } else if (GoDecoder::KeyIs(k, "method")) {
      d.String(val, &out->method);
    } else if (GoDecoder::KeyIs(k, "src")) {
      d.String(val, &out->src);
    } else if (GoDecoder::KeyIs(k, "dst")) {
      d.String(val, &out->dst);
    } else if (GoDecoder::KeyIs(k, "start")) {
      DecodeTimestamp(d, val, &out->start);
    } else if (GoDecoder::KeyIs(k, "probe_size")) {
      d.Float(val, &out->probe_size);
    } else if (GoDecoder::KeyIs(k, "firsthop")) {
      d.Float(val, &out->firsthop);
    } else if (GoDecoder::KeyIs(k, "attempts")) {
      d.Float(val, &out->attempts);
    } else if (GoDecoder::KeyIs(k, "confidence")) {
      d.Float(val, &out->confidence);
    } else if (GoDecoder::KeyIs(k, "tos")) {
      d.Float(val, &out->tos);
    } else if (GoDecoder::KeyIs(k, "gaplint")) {
      d.Float(val, &out->gaplint);
    } else if (GoDecoder::KeyIs(k, "wait_timeout")) {
      d.Float(val, &out->wait_timeout);
    } else if (GoDecoder::KeyIs(k, "wait_probe")) {
      d.Float(val, &out->wait_probe);
    } else if (GoDecoder::KeyIs(k, "probec")) {
      d.Float(val, &out->probec);
    } else if (GoDecoder::KeyIs(k, "probec_max")) {
      d.Float(val, &out->probec_max);
    } else if (GoDecoder::KeyIs(k, "nodec")) {
      d.Float(val, &out->nodec);
    } else if (GoDecoder::KeyIs(k, "linkc")) {
      d.Float(val, &out->linkc);
    } else if (GoDecoder::KeyIs(k, "nodes")) {
      d.Array(val, &out->nodes,
              [&](const JsonValue& item, TracelbNode* n) { DecodeNode(d, item, n); });
    }
  });
}

void AppendTracelb(const Tracelb& t, std::string* out) {
  out->append("{\"type\":");
  AppendGoString(t.type, out);
  out->append(",\"version\":");
  AppendGoString(t.version, out);
  out->append(",\"userid\":");
  AppendGoFloat(t.userid, out);
  out->append(",\"method\":");
  AppendGoString(t.method, out);
  out->append(",\"src\":");
  AppendGoString(t.src, out);
  out->append(",\"dst\":");
  AppendGoString(t.dst, out);
  out->append(",\"start\":");
  AppendTimestamp(t.start, out);
  const std::pair<const char*, double> numbers[] = {
      {"probe_size", t.probe_size},
      {"firsthop", t.firsthop},
      {"attempts", t.attempts},
      {"confidence", t.confidence},
      {"tos", t.tos},
      {"gaplint", t.gaplint},
      {"wait_timeout", t.wait_timeout},
      {"wait_probe", t.wait_probe},
      {"probec", t.probec},
      {"probec_max", t.probec_max},
      {"nodec", t.nodec},
      {"linkc", t.linkc},
  };
  for (const auto& [name, value] : numbers) {
    absl::StrAppend(out, ",\"", name, "\":");
    AppendGoFloat(value, out);
  }
  out->append(",\"nodes\":");
  AppendArray(t.nodes, out, AppendNode);
  out->push_back('}');
}

absl::StatusOr<Scamper1> Scamper1::Parse(absl::string_view raw) {
  Scamper1 s;
  absl::Status status = ParseTraceLines(absl::StrSplit(raw, '\n'), DecodeTracelb, "tracelb",
                                        "invalid tracelb line", &s.lines_);
  if (!status.ok()) return status;
  return s;
}

std::vector<std::string> Scamper1::ExtractHops() const {
  std::set<std::string> hops;
  const Tracelb& tracelb = lines_.trace;
  if (!tracelb.nodes.has_value()) return {};
  for (const TracelbNode& node : *tracelb.nodes) {
    if (IsIpAddress(node.addr)) hops.insert(node.addr);
    if (!node.links.has_value()) continue;
    for (const auto& row : *node.links) {
      if (!row.has_value()) continue;
      for (const TracelbLink& link : *row) {
        if (IsIpAddress(link.addr)) hops.insert(link.addr);
      }
    }
  }
  return {hops.begin(), hops.end()};
}

void Scamper1::Anonymize(const IpAnonymizer& anonymizer) {
  Tracelb& tracelb = lines_.trace;
  std::optional<IpAddress> dst = anonymizer.AnonymizeDestination(&tracelb.dst);
  if (!tracelb.nodes.has_value()) return;
  for (TracelbNode& node : *tracelb.nodes) {
    anonymizer.AnonymizeHop(dst, &node.addr);
    if (!node.links.has_value()) continue;
    for (auto& row : *node.links) {
      if (!row.has_value()) continue;
      for (TracelbLink& link : *row) anonymizer.AnonymizeHop(dst, &link.addr);
    }
  }
}

absl::StatusOr<std::string> Scamper1::Marshal(OutputFormat format) const {
  if (format != OutputFormat::kJsonl) {
    return absl::UnimplementedError("unsupported marshal format");
  }
  std::string out;
  AppendTraceLines(lines_, AppendTracelb, &out);
  return out;
}

}  // namespace mlab::trc
