#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER_RUNNER_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER_RUNNER_H_

// Runs one scamper process per trace with upstream's exact command line:
//   <bin> -o- -O json -I "tracelb -P icmp-echo -q 3 -W <waitprobe> [-O ptr] <ip>"   (mda)
//   <bin> -o- -O json -I "trace -P udp-paris -q 3 -W <waitprobe> [-O ptr] <ip>"     (regular)
// A run that fails, times out or prints nothing yields an error and its output is dropped. Counts
// upstream's process metrics (traces_performed_total, traces_crashed_total, trace_time_seconds,
// traces_in_progress) plus traces_started_total.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/traceroute-caller/parsed_trace.h"

namespace mlab::trc {

struct ScamperConfig {
  std::string binary = "/usr/bin/scamper";
  TraceType trace_type = TraceType::kMda;
  // scamper -W, in 1/100 s: 15..200.
  int wait_probe = 25;
  // scamper -O ptr: reverse DNS of every hop.
  bool ptr = true;
  // 1s..3600s; the process group is SIGKILLed when it is over.
  absl::Duration timeout = absl::Seconds(900);
  size_t max_output_bytes = 64 << 20;
};

// Upstream's checks: an executable regular file, timeout and wait_probe in range.
absl::Status ValidateScamperConfig(const ScamperConfig& config);

class ScamperRunner {
 public:
  // Fails when ValidateScamperConfig does.
  static absl::StatusOr<std::unique_ptr<ScamperRunner>> Create(ScamperConfig config);
  ~ScamperRunner();

  ScamperRunner(const ScamperRunner&) = delete;
  ScamperRunner& operator=(const ScamperRunner&) = delete;

  // The full argv for a trace to `ip`.
  std::vector<std::string> Argv(absl::string_view ip) const;

  // Runs scamper to `ip` and returns its stdout (scamper's three JSON lines).
  absl::StatusOr<std::string> Run(absl::string_view ip);

  // Kills every running scamper and makes later Runs fail at once (for shutdown).
  void CancelAll();

  // Scamper processes running right now (from spawn to reap), and the most there ever were.
  int running() const { return running_.load(); }
  int peak_running() const { return peak_running_.load(); }

  const ScamperConfig& config() const { return config_; }

 private:
  ScamperRunner(ScamperConfig config, int cancel_fd);

  const ScamperConfig config_;
  const std::string command_;  // "tracelb -P icmp-echo -q 3 -W 25 -O ptr"
  const int cancel_fd_;        // eventfd, readable once CancelAll ran.
  std::atomic<bool> cancelled_{false};
  std::atomic<int> running_{0};
  std::atomic<int> peak_running_{0};
};

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_SCAMPER_RUNNER_H_
