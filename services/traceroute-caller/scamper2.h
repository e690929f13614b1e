#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER2_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER2_H_

// A regular traceroute (scamper's trace) as upstream archives it: four jsonl lines, or with
// -output.format=json one object {"Metadata","CycleStart","Trace","CycleStop"} for BigQuery
// autoloading. Fields, Go types and order are upstream's structs (sport, dport, ftime, tcp_flags
// and icmpext are dropped; "name" is always written).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/traceroute-caller/parsed_trace.h"
#include "services/traceroute-caller/scamper_common.h"

namespace mlab::trc {

struct TraceHop {
  std::string addr;
  std::string name;
  int32_t probe_ttl = 0;
  int32_t probe_id = 0;
  int32_t probe_size = 0;
  Timestamp tx;
  double rtt = 0;
  int32_t reply_ttl = 0;
  int32_t reply_tos = 0;
  int32_t reply_ipid = 0;
  int32_t reply_size = 0;
  int32_t icmp_type = 0;
  int32_t icmp_code = 0;
  int32_t icmp_q_ttl = 0;
  int32_t icmp_q_ipl = 0;
  int32_t icmp_q_tos = 0;
};

struct Trace {
  std::string type;
  std::string version;
  int32_t userid = 0;
  std::string method;
  std::string src;
  std::string dst;
  int32_t icmp_sum = 0;
  std::string stop_reason;
  int32_t stop_data = 0;
  Timestamp start;
  int32_t hop_count = 0;
  int32_t attempts = 0;
  int32_t hoplimit = 0;
  int32_t firsthop = 0;
  int32_t wait = 0;
  int32_t wait_probe = 0;
  int32_t tos = 0;
  int32_t probe_size = 0;
  int32_t probe_count = 0;
  std::optional<std::vector<TraceHop>> hops;
};

class Scamper2 : public ParsedTrace {
 public:
  // Four '\n'-terminated lines, or a single json object (optionally followed by '\n').
  static absl::StatusOr<Scamper2> Parse(absl::string_view raw);

  const Metadata& metadata() const override { return lines_.metadata; }
  absl::Time StartTime() const override { return CycleStartTime(lines_.cycle_start); }
  std::vector<std::string> ExtractHops() const override;
  void Anonymize(const IpAnonymizer& anonymizer) override;
  absl::StatusOr<std::string> Marshal(OutputFormat format) const override;

  const CycleStart& cycle_start() const { return lines_.cycle_start; }
  const Trace& trace() const { return lines_.trace; }
  const CycleStop& cycle_stop() const { return lines_.cycle_stop; }

 private:
  TraceLines<Trace> lines_;
};

void DecodeTrace(json::GoDecoder& d, const json::JsonValue& v, Trace* out);
void AppendTrace(const Trace& t, std::string* out);

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER2_H_
