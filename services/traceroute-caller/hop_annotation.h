#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_HOP_ANNOTATION_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_HOP_ANNOTATION_H_

// One hopannotation2 record, byte for byte as upstream's json.Marshal(HopAnnotation2{ID,
// Timestamp, Annotations}) writes it (no trailing newline), with uuid-annotator's Go field names
// and omitempty rules for Geo and Network:
//   {"ID":"20210818_host_91.189.88.152","Timestamp":"2021-08-18T17:44:32Z",
//    "Annotations":{"Geo":{"ContinentCode":"EU",...},"Network":{"CIDR":"91.189.88.0/21",...}}}

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/annotation/annotation.h"

namespace mlab::trc {

// `<YYYYMMDD>_<hostname>_<ip>` of the trace start (UTC): what ETL joins trace hops on.
std::string HopAnnotationID(absl::Time trace_start, absl::string_view hostname,
                            absl::string_view ip);

// `<YYYYMMDD>T<HHMMSS>Z_<hostname>_<ip>.json`; an IPv6 address keeps its colons.
std::string HopAnnotationFileName(absl::Time trace_start, absl::string_view hostname,
                                  absl::string_view ip);

// The file's contents; `annotations` null gives "Annotations":null.
std::string HopAnnotationJson(absl::string_view id, absl::Time trace_start,
                              const annotation::ClientAnnotations* annotations);

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_HOP_ANNOTATION_H_
