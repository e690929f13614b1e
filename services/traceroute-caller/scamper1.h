#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER1_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER1_H_

// scamper1: an MDA traceroute (scamper's tracelb) as upstream archives it. Fields, their Go types
// and their order are upstream's parser structs, which fix the archived bytes: scamper's "gaplimit"
// is lost and written as "gaplint":0, "ftime", reply "ipid" and other keys are dropped, and
// missing arrays become null.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/traceroute-caller/parsed_trace.h"
#include "services/traceroute-caller/scamper_common.h"

namespace mlab::trc {

struct TracelbReply {
  Timestamp rx;
  int64_t ttl = 0;
  double rtt = 0;
  int64_t icmp_type = 0;
  int64_t icmp_code = 0;
  int64_t icmp_q_tos = 0;
  int64_t icmp_q_ttl = 0;
};

struct TracelbProbe {
  Timestamp tx;
  int64_t replyc = 0;
  int64_t ttl = 0;
  int64_t attempt = 0;
  int64_t flowid = 0;
  std::optional<std::vector<TracelbReply>> replies;
};

struct TracelbLink {
  std::string addr;
  std::optional<std::vector<TracelbProbe>> probes;
};

struct TracelbNode {
  std::string addr;
  std::string name;
  int64_t q_ttl = 0;
  int64_t linkc = 0;
  std::optional<std::vector<std::optional<std::vector<TracelbLink>>>> links;
};

struct Tracelb {
  std::string type;
  std::string version;
  double userid = 0;
  std::string method;
  std::string src;
  std::string dst;
  Timestamp start;
  double probe_size = 0;
  double firsthop = 0;
  double attempts = 0;
  double confidence = 0;
  double tos = 0;
  double gaplint = 0;  // Upstream's tag; scamper's "gaplimit" never fills it.
  double wait_timeout = 0;
  double wait_probe = 0;
  double probec = 0;
  double probec_max = 0;
  double nodec = 0;
  double linkc = 0;
  std::optional<std::vector<TracelbNode>> nodes;
};

class Scamper1 : public ParsedTrace {
 public:
  // The four '\n'-terminated lines, nothing else.
  static absl::StatusOr<Scamper1> Parse(absl::string_view raw);

  const Metadata& metadata() const override { return lines_.metadata; }
  absl::Time StartTime() const override { return CycleStartTime(lines_.cycle_start); }
  std::vector<std::string> ExtractHops() const override;
  void Anonymize(const IpAnonymizer& anonymizer) override;
  absl::StatusOr<std::string> Marshal(OutputFormat format) const override;

  const CycleStart& cycle_start() const { return lines_.cycle_start; }
  const Tracelb& tracelb() const { return lines_.trace; }
  const CycleStop& cycle_stop() const { return lines_.cycle_stop; }

 private:
  TraceLines<Tracelb> lines_;
};

void DecodeTracelb(json::GoDecoder& d, const json::JsonValue& v, Tracelb* out);
void AppendTracelb(const Tracelb& t, std::string* out);

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER1_H_
