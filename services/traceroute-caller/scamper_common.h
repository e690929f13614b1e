#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER_COMMON_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER_COMMON_H_

// The lines every archived trace shares (metadata, scamper's cycle-start and cycle-stop) and the
// timestamp type, with Go-compatible decoding and encoding. Field types follow upstream's structs,
// since they decide what parses and how numbers print (e.g. ids and times are float64).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/json/full_precision.h"
#include "lib/json/go_decoder.h"

namespace mlab::trc {

// {"sec":..,"usec":..}; scamper's "ftime" is dropped.
struct Timestamp {
  int64_t sec = 0;
  int64_t usec = 0;
};

// Line 1 of a scamper1 file (Go struct field names, no json tags).
struct Metadata {
  std::string uuid;
  std::string traceroute_caller_version;
  bool cached_result = false;
  std::string cached_uuid;
};

struct CycleStart {
  std::string type;
  std::string list_name;
  double id = 0;
  std::string hostname;
  double start_time = 0;
};

struct CycleStop {
  std::string type;
  std::string list_name;
  double id = 0;
  std::string hostname;
  double stop_time = 0;
};

void DecodeTimestamp(json::GoDecoder& d, const json::JsonValue& v, Timestamp* out);
void DecodeMetadata(json::GoDecoder& d, const json::JsonValue& v, Metadata* out);
void DecodeCycleStart(json::GoDecoder& d, const json::JsonValue& v, CycleStart* out);
void DecodeCycleStop(json::GoDecoder& d, const json::JsonValue& v, CycleStop* out);

void AppendTimestamp(const Timestamp& ts, std::string* out);
void AppendMetadata(const Metadata& m, std::string* out);
void AppendCycleStart(const CycleStart& c, std::string* out);
void AppendCycleStop(const CycleStop& c, std::string* out);

// The metadata line upstream puts before scamper's output, with its newline.
std::string MetadataLine(absl::string_view uuid, absl::string_view version, bool cached,
                         absl::string_view cached_uuid);

// The UUID of a metadata line, or "" when it does not parse (as upstream's extractUUID).
std::string MetadataUUID(absl::string_view line);

// time.Unix(int64(start_time), 0).UTC(): whole seconds, truncated toward zero.
absl::Time CycleStartTime(const CycleStart& c);

// Decodes one line as `decode` does, or fails with `error` (upstream's sentinel wording).
template <typename T, typename DecodeFn>
absl::Status DecodeLine(absl::string_view line, DecodeFn decode, T* out, absl::string_view error) {
  rapidjson::Document doc;
  json::GoDecoder d;
  if (!json::ParseFullPrecision(line, &doc).ok()) return absl::InvalidArgumentError(error);
  decode(d, doc, out);
  if (!d.ok()) return absl::InvalidArgumentError(error);
  return absl::OkStatus();
}

// The four lines both formats archive, '\n'-terminated: metadata, cycle-start, the trace
// (scamper1's tracelb, scamper2's trace), cycle-stop.
template <typename Trace>
struct TraceLines {
  Metadata metadata;
  CycleStart cycle_start;
  Trace trace;
  CycleStop cycle_stop;
};

// `lines` (the file split at '\n') into `out`, with upstream's checks and error texts; `decode`
// reads the trace line, whose "type" must be `trace_type`, or fails with `trace_error`.
template <typename Trace, typename DecodeFn>
absl::Status ParseTraceLines(const std::vector<absl::string_view>& lines, DecodeFn decode,
                             absl::string_view trace_type, absl::string_view trace_error,
                             TraceLines<Trace>* out) {
  if (lines.size() != 5 || !lines[4].empty()) {
    return absl::InvalidArgumentError("invalid traceroute file");
  }
  absl::Status status = DecodeLine(lines[0], DecodeMetadata, &out->metadata, "invalid metadata");
  if (!status.ok()) return status;
  if (out->metadata.uuid.empty()) return absl::InvalidArgumentError("invalid UUID (empty): ");
  status = DecodeLine(lines[1], DecodeCycleStart, &out->cycle_start, "invalid cycle-start");
  if (!status.ok()) return status;
  if (out->cycle_start.type != "cycle-start") {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid cycle-start type: ", out->cycle_start.type));
  }
  status = DecodeLine(lines[2], decode, &out->trace, trace_error);
  if (!status.ok()) return status;
  if (out->trace.type != trace_type) {
    return absl::InvalidArgumentError(absl::StrCat("invalid traceroute type: ", out->trace.type));
  }
  status = DecodeLine(lines[3], DecodeCycleStop, &out->cycle_stop, "invalid cycle-stop");
  if (!status.ok()) return status;
  if (out->cycle_stop.type != "cycle-stop") {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid cycle-stop type: ", out->cycle_stop.type));
  }
  return absl::OkStatus();
}

// The four lines as upstream writes them; `append` renders the trace line.
template <typename Trace, typename AppendFn>
void AppendTraceLines(const TraceLines<Trace>& t, AppendFn append, std::string* out) {
  AppendMetadata(t.metadata, out);
  out->push_back('\n');
  AppendCycleStart(t.cycle_start, out);
  out->push_back('\n');
  append(t.trace, out);
  out->push_back('\n');
  AppendCycleStop(t.cycle_stop, out);
  out->push_back('\n');
}

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER_COMMON_H_
