#include "services/ndt-server/result.h"

#include "lib/json/go_encoding.h"
#include "lib/json/go_writer.h"

namespace mlab::ndt7 {

using json::GoJsonWriter;

namespace {

void WriteMeasurements(absl::string_view key, const std::vector<Measurement>& list,
                       GoJsonWriter* w) {
  w->Key(key);
  if (list.empty()) {
    w->Null();
    return;
  }
  w->BeginArray();
  for (const Measurement& m : list) WriteMeasurement(m, w);
  w->EndArray();
}

void WriteNameValues(absl::string_view key, const std::vector<NameValue>& list, GoJsonWriter* w) {
  if (list.empty()) return;  // omitempty
  w->Key(key);
  w->BeginArray();
  for (const NameValue& nv : list) {
    w->BeginObject();
    w->Field("Name", nv.name);
    w->Field("Value", nv.value);
    w->EndObject();
  }
  w->EndArray();
}

}  // namespace

std::string GoTimeText(absl::Time t) {
  return json::FormatGoTime(t == absl::InfinitePast() ? json::GoZeroTime() : t);
}

std::string ResultToJson(const Ndt7Result& r) {
  std::string out;
  size_t estimate = 1024;
  for (const Measurement& m : r.data.server_measurements) estimate += m.tcp_info ? 1500 : 300;
  out.reserve(estimate);
  GoJsonWriter w(&out, kUpstreamGoEscapes);
  w.BeginObject();
  w.Field("GitShortCommit", r.git_short_commit);
  w.Field("Version", r.version);
  w.Field("ServerIP", r.server_ip);
  w.FieldInt("ServerPort", r.server_port);
  w.Field("ClientIP", r.client_ip);
  w.FieldInt("ClientPort", r.client_port);
  w.Field("StartTime", GoTimeText(r.start_time));
  w.Field("EndTime", GoTimeText(r.end_time));
  w.Key(r.direction == Direction::kUpload ? "Upload" : "Download");
  const ArchivalData& d = r.data;
  w.BeginObject();
  w.Field("UUID", d.uuid);
  w.Field("StartTime", GoTimeText(d.start_time));
  w.Field("EndTime", GoTimeText(d.end_time));
  WriteMeasurements("ServerMeasurements", d.server_measurements, &w);
  WriteMeasurements("ClientMeasurements", d.client_measurements, &w);
  WriteNameValues("ClientMetadata", d.client_metadata, &w);
  WriteNameValues("ServerMetadata", d.server_metadata, &w);
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace mlab::ndt7
