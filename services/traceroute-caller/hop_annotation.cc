#include "services/traceroute-caller/hop_annotation.h"

#include "absl/strings/str_cat.h"
#include "lib/annotation/annotation.h"
#include "lib/json/go_writer.h"

namespace mlab::trc {

using json::GoJsonWriter;

std::string HopAnnotationID(absl::Time trace_start, absl::string_view hostname,
                            absl::string_view ip) {
  return absl::StrCat(absl::FormatTime("%Y%m%d", trace_start, absl::UTCTimeZone()), "_", hostname,
                      "_", ip);
}

std::string HopAnnotationFileName(absl::Time trace_start, absl::string_view hostname,
                                  absl::string_view ip) {
  return absl::StrCat(absl::FormatTime("%Y%m%dT%H%M%SZ", trace_start, absl::UTCTimeZone()), "_",
                      hostname, "_", ip, ".json");
}

std::string HopAnnotationJson(absl::string_view id, absl::Time trace_start,
                              const annotation::ClientAnnotations* annotations) {
  std::string out;
  GoJsonWriter w(&out);
  w.BeginObject();
  w.Field("ID", id);
  w.Key("Timestamp");
  w.Time(trace_start);
  w.Key("Annotations");
  if (annotations == nullptr) {
    w.Null();
  } else {
    annotation::Write(*annotations, &w);
  }
  w.EndObject();
  return out;
}

}  // namespace mlab::trc
