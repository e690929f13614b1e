#include "services/ndt-server/measurement.h"

#include <cstring>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/json/go_encoding.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace mlab::ndt7 {

using json::GoJsonWriter;

namespace {

enum class Kind { kU8, kU32, kI32, kI64 };

struct Field {
  const char* name;
  Kind kind;
  size_t offset;
};

#define TCP_FIELD(name, kind, member) \
  Field { name, Kind::kind, offsetof(LinuxTcpInfo, member) }

// tcp-info's LinuxTCPInfo, in its order and with its Go types.
constexpr Field kTcpFields[] = {
    TCP_FIELD("State", kU8, state),
    TCP_FIELD("CAState", kU8, ca_state),
    TCP_FIELD("Retransmits", kU8, retransmits),
    TCP_FIELD("Probes", kU8, probes),
    TCP_FIELD("Backoff", kU8, backoff),
    TCP_FIELD("Options", kU8, options),
    TCP_FIELD("WScale", kU8, wscale),
    TCP_FIELD("AppLimited", kU8, app_limited),
    TCP_FIELD("RTO", kU32, rto),
    TCP_FIELD("ATO", kU32, ato),
    TCP_FIELD("SndMSS", kU32, snd_mss),
    TCP_FIELD("RcvMSS", kU32, rcv_mss),
    TCP_FIELD("Unacked", kU32, unacked),
    TCP_FIELD("Sacked", kU32, sacked),
    TCP_FIELD("Lost", kU32, lost),
    TCP_FIELD("Retrans", kU32, retrans),
    TCP_FIELD("Fackets", kU32, fackets),
    TCP_FIELD("LastDataSent", kU32, last_data_sent),
    TCP_FIELD("LastAckSent", kU32, last_ack_sent),
    TCP_FIELD("LastDataRecv", kU32, last_data_recv),
    TCP_FIELD("LastAckRecv", kU32, last_ack_recv),
    TCP_FIELD("PMTU", kU32, pmtu),
    TCP_FIELD("RcvSsThresh", kU32, rcv_ssthresh),
    TCP_FIELD("RTT", kU32, rtt),
    TCP_FIELD("RTTVar", kU32, rttvar),
    TCP_FIELD("SndSsThresh", kU32, snd_ssthresh),
    TCP_FIELD("SndCwnd", kU32, snd_cwnd),
    TCP_FIELD("AdvMSS", kU32, advmss),
    TCP_FIELD("Reordering", kU32, reordering),
    TCP_FIELD("RcvRTT", kU32, rcv_rtt),
    TCP_FIELD("RcvSpace", kU32, rcv_space),
    TCP_FIELD("TotalRetrans", kU32, total_retrans),
    TCP_FIELD("PacingRate", kI64, pacing_rate),
    TCP_FIELD("MaxPacingRate", kI64, max_pacing_rate),
    TCP_FIELD("BytesAcked", kI64, bytes_acked),
    TCP_FIELD("BytesReceived", kI64, bytes_received),
    TCP_FIELD("SegsOut", kI32, segs_out),
    TCP_FIELD("SegsIn", kI32, segs_in),
    TCP_FIELD("NotsentBytes", kU32, notsent_bytes),
    TCP_FIELD("MinRTT", kU32, min_rtt),
    TCP_FIELD("DataSegsIn", kU32, data_segs_in),
    TCP_FIELD("DataSegsOut", kU32, data_segs_out),
    TCP_FIELD("DeliveryRate", kI64, delivery_rate),
    TCP_FIELD("BusyTime", kI64, busy_time),
    TCP_FIELD("RWndLimited", kI64, rwnd_limited),
    TCP_FIELD("SndBufLimited", kI64, sndbuf_limited),
    TCP_FIELD("Delivered", kU32, delivered),
    TCP_FIELD("DeliveredCE", kU32, delivered_ce),
    TCP_FIELD("BytesSent", kI64, bytes_sent),
    TCP_FIELD("BytesRetrans", kI64, bytes_retrans),
    TCP_FIELD("DSackDups", kU32, dsack_dups),
    TCP_FIELD("ReordSeen", kU32, reord_seen),
    TCP_FIELD("RcvOooPack", kU32, rcv_ooopack),
    TCP_FIELD("SndWnd", kU32, snd_wnd),
};
#undef TCP_FIELD
static_assert(sizeof(kTcpFields) / sizeof(kTcpFields[0]) == 54, "LinuxTCPInfo has 54 fields");

void WriteTcpField(const LinuxTcpInfo& info, const Field& f, GoJsonWriter* w) {
  const char* base = reinterpret_cast<const char*>(&info) + f.offset;
  w->Key(f.name);
  switch (f.kind) {
    case Kind::kU8: {
      uint8_t v;
      std::memcpy(&v, base, 1);
      w->Uint(v);
      break;
    }
    case Kind::kU32: {
      uint32_t v;
      std::memcpy(&v, base, 4);
      w->Uint(v);
      break;
    }
    case Kind::kI32: {
      int32_t v;
      std::memcpy(&v, base, 4);
      w->Int(v);
      break;
    }
    case Kind::kI64: {
      int64_t v;
      std::memcpy(&v, base, 8);
      w->Int(v);
      break;
    }
  }
}

using Value = rapidjson::Value;

absl::Status TypeError(absl::string_view field, absl::string_view go_type) {
  return absl::InvalidArgumentError(
      absl::StrCat("json: cannot unmarshal value into field ", field, " of type ", go_type));
}

// Go's json decodes into an integer only from an integer literal in range; null leaves it alone.
absl::Status DecodeInt(const Value& v, absl::string_view field, int64_t min, uint64_t max,
                       const char* go_type, void* dst, size_t size) {
  if (v.IsNull()) return absl::OkStatus();
  int64_t signed_value = 0;
  uint64_t unsigned_value = 0;
  bool negative = false;
  if (v.IsUint64()) {
    unsigned_value = v.GetUint64();
    if (unsigned_value > max) return TypeError(field, go_type);
  } else if (v.IsInt64()) {
    signed_value = v.GetInt64();
    negative = true;
    if (signed_value < min) return TypeError(field, go_type);
  } else {
    return TypeError(field, go_type);
  }
  const uint64_t bits = negative ? static_cast<uint64_t>(signed_value) : unsigned_value;
  switch (size) {
    case 1: {
      uint8_t b = static_cast<uint8_t>(bits);
      std::memcpy(dst, &b, 1);
      break;
    }
    case 4: {
      uint32_t b = static_cast<uint32_t>(bits);
      std::memcpy(dst, &b, 4);
      break;
    }
    default:
      std::memcpy(dst, &bits, 8);
  }
  return absl::OkStatus();
}

absl::Status DecodeInt64(const Value& v, absl::string_view field, int64_t* dst) {
  return DecodeInt(v, field, std::numeric_limits<int64_t>::min(),
                   std::numeric_limits<int64_t>::max(), "int64", dst, 8);
}
absl::Status DecodeUint32(const Value& v, absl::string_view field, uint32_t* dst) {
  return DecodeInt(v, field, 0, std::numeric_limits<uint32_t>::max(), "uint32", dst, 4);
}

absl::Status DecodeString(const Value& v, absl::string_view field, std::string* dst) {
  if (v.IsNull()) return absl::OkStatus();
  if (!v.IsString()) return TypeError(field, "string");
  dst->assign(v.GetString(), v.GetStringLength());
  return absl::OkStatus();
}

absl::string_view KeyOf(const Value::ConstMemberIterator& it) {
  return absl::string_view(it->name.GetString(), it->name.GetStringLength());
}

template <typename Fn>
absl::Status ForEachMember(const Value& v, absl::string_view what, Fn fn) {
  if (!v.IsObject()) return TypeError(what, "object");
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    if (absl::Status s = fn(KeyOf(it), it->value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status DecodeAppInfo(const Value& v, AppInfo* out) {
  return ForEachMember(v, "AppInfo", [&](absl::string_view key, const Value& value) {
    if (absl::EqualsIgnoreCase(key, "NumBytes")) return DecodeInt64(value, key, &out->num_bytes);
    if (absl::EqualsIgnoreCase(key, "ElapsedTime")) {
      return DecodeInt64(value, key, &out->elapsed_time);
    }
    return absl::OkStatus();
  });
}

absl::Status DecodeConnectionInfo(const Value& v, ConnectionInfo* out) {
  return ForEachMember(v, "ConnectionInfo", [&](absl::string_view key, const Value& value) {
    if (absl::EqualsIgnoreCase(key, "Client")) return DecodeString(value, key, &out->client);
    if (absl::EqualsIgnoreCase(key, "Server")) return DecodeString(value, key, &out->server);
    if (absl::EqualsIgnoreCase(key, "UUID")) return DecodeString(value, key, &out->uuid);
    if (absl::EqualsIgnoreCase(key, "StartTime")) {
      if (value.IsNull()) return absl::OkStatus();
      if (!value.IsString()) return TypeError(key, "time.Time");
      absl::Time t;
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, value.GetString(), &t, &err)) {
        return absl::InvalidArgumentError(absl::StrCat("StartTime: ", err));
      }
      out->start_time = json::FormatGoTime(t);
    }
    return absl::OkStatus();
  });
}

absl::Status DecodeBbrInfo(const Value& v, BbrInfo* out) {
  return ForEachMember(v, "BBRInfo", [&](absl::string_view key, const Value& value) {
    if (absl::EqualsIgnoreCase(key, "BW")) return DecodeInt64(value, key, &out->bw);
    if (absl::EqualsIgnoreCase(key, "MinRTT")) return DecodeUint32(value, key, &out->min_rtt);
    if (absl::EqualsIgnoreCase(key, "PacingGain")) {
      return DecodeUint32(value, key, &out->pacing_gain);
    }
    if (absl::EqualsIgnoreCase(key, "CwndGain")) return DecodeUint32(value, key, &out->cwnd_gain);
    if (absl::EqualsIgnoreCase(key, "ElapsedTime")) {
      return DecodeInt64(value, key, &out->elapsed_time);
    }
    return absl::OkStatus();
  });
}

absl::Status DecodeTcpInfo(const Value& v, TcpInfo* out) {
  return ForEachMember(v, "TCPInfo", [&](absl::string_view key, const Value& value) {
    if (absl::EqualsIgnoreCase(key, "ElapsedTime")) {
      return DecodeInt64(value, key, &out->elapsed_time);
    }
    for (const Field& f : kTcpFields) {
      if (!absl::EqualsIgnoreCase(key, f.name)) continue;
      void* dst = reinterpret_cast<char*>(&out->linux) + f.offset;
      switch (f.kind) {
        case Kind::kU8:
          return DecodeInt(value, key, 0, 255, "uint8", dst, 1);
        case Kind::kU32:
          return DecodeInt(value, key, 0, std::numeric_limits<uint32_t>::max(), "uint32", dst, 4);
        case Kind::kI32:
          return DecodeInt(value, key, std::numeric_limits<int32_t>::min(),
                           std::numeric_limits<int32_t>::max(), "int32", dst, 4);
        case Kind::kI64:
          return DecodeInt(value, key, std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max(), "int64", dst, 8);
      }
    }
    return absl::OkStatus();
  });
}

// Decodes an optional struct pointer field: null means nil, anything else must be an object.
template <typename T, typename Decode>
absl::Status DecodeOptional(const Value& v, std::optional<T>* out, Decode decode) {
  if (v.IsNull()) {
    out->reset();
    return absl::OkStatus();
  }
  if (!out->has_value()) out->emplace();
  return decode(v, &**out);
}

}  // namespace

void WriteMeasurement(const Measurement& m, GoJsonWriter* w) {
  w->BeginObject();
  if (m.app_info) {
    w->Key("AppInfo");
    w->BeginObject();
    w->FieldInt("NumBytes", m.app_info->num_bytes);
    w->FieldInt("ElapsedTime", m.app_info->elapsed_time);
    w->EndObject();
  }
  if (m.connection_info) {
    const ConnectionInfo& c = *m.connection_info;
    w->Key("ConnectionInfo");
    w->BeginObject();
    w->Field("Client", c.client);
    w->Field("Server", c.server);
    if (!c.uuid.empty()) w->Field("UUID", c.uuid);
    w->Field("StartTime", c.start_time);
    w->EndObject();
  }
  if (m.bbr_info) {
    const BbrInfo& b = *m.bbr_info;
    w->Key("BBRInfo");
    w->BeginObject();
    w->FieldInt("BW", b.bw);
    w->FieldUint("MinRTT", b.min_rtt);
    w->FieldUint("PacingGain", b.pacing_gain);
    w->FieldUint("CwndGain", b.cwnd_gain);
    w->FieldInt("ElapsedTime", b.elapsed_time);
    w->EndObject();
  }
  if (m.tcp_info) {
    w->Key("TCPInfo");
    w->BeginObject();
    for (const Field& f : kTcpFields) WriteTcpField(m.tcp_info->linux, f, w);
    w->FieldInt("ElapsedTime", m.tcp_info->elapsed_time);
    w->EndObject();
  }
  w->EndObject();
}

std::string MeasurementToJson(const Measurement& m) {
  std::string out;
  out.reserve(2048);
  GoJsonWriter w(&out, kUpstreamGoEscapes);
  WriteMeasurement(m, &w);
  return out;
}

absl::StatusOr<Measurement> ParseMeasurement(absl::string_view json) {
  rapidjson::Document doc;
  // Like Go, only whitespace may follow the value (rapidjson's default).
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON: ", rapidjson::GetParseError_En(doc.GetParseError())));
  }
  Measurement m;
  if (doc.IsNull()) return m;
  absl::Status status =
      ForEachMember(doc, "Measurement", [&](absl::string_view key, const Value& value) {
        if (absl::EqualsIgnoreCase(key, "AppInfo")) {
          return DecodeOptional(value, &m.app_info, DecodeAppInfo);
        }
        if (absl::EqualsIgnoreCase(key, "ConnectionInfo")) {
          return DecodeOptional(value, &m.connection_info, DecodeConnectionInfo);
        }
        if (absl::EqualsIgnoreCase(key, "BBRInfo")) {
          return DecodeOptional(value, &m.bbr_info, DecodeBbrInfo);
        }
        if (absl::EqualsIgnoreCase(key, "TCPInfo")) {
          return DecodeOptional(value, &m.tcp_info, DecodeTcpInfo);
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return m;
}

}  // namespace mlab::ndt7
