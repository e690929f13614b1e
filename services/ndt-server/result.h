#ifndef MLAB_SERVICES_NDT_SERVER_RESULT_H_
#define MLAB_SERVICES_NDT_SERVER_RESULT_H_

// The archived result of one subtest: upstream's data.NDT7Result and model.ArchivalData, which
// M-Lab's ETL and BigQuery schema read.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/ndt-server/measurement.h"
#include "services/ndt-server/spec.h"

namespace mlab::ndt7 {

struct NameValue {
  std::string name;
  std::string value;
};

struct ArchivalData {
  std::string uuid;
  absl::Time start_time = absl::InfinitePast();  // InfinitePast prints as Go's zero time
  absl::Time end_time = absl::InfinitePast();
  std::vector<Measurement> server_measurements;  // null in JSON when empty, as upstream
  std::vector<Measurement> client_measurements;
  std::vector<NameValue> client_metadata;  // omitted when empty
  std::vector<NameValue> server_metadata;  // omitted when empty
};

struct Ndt7Result {
  std::string git_short_commit;
  std::string version;
  std::string server_ip;
  int server_port = 0;
  std::string client_ip;
  int client_port = 0;
  absl::Time start_time = absl::InfinitePast();
  absl::Time end_time = absl::InfinitePast();
  Direction direction = Direction::kDownload;  // which of Upload/Download carries `data`
  ArchivalData data;
};

// The JSON upstream's json.Marshal produces for the result (no trailing newline).
std::string ResultToJson(const Ndt7Result& result);

// Go's time.Time in JSON: RFC 3339 with trimmed nanoseconds; InfinitePast is the zero time.
std::string GoTimeText(absl::Time t);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_RESULT_H_
