#include "services/traceroute-caller/scamper_runner.h"

#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/traceroute-caller/subprocess.h"
#include "services/traceroute-caller/trace_metrics.h"

namespace mlab::trc {
namespace {

std::string Command(const ScamperConfig& config) {
  std::string command = config.trace_type == TraceType::kMda ? "tracelb -P icmp-echo -q 3"
                                                             : "trace -P udp-paris -q 3";
  absl::StrAppend(&command, " -W ", config.wait_probe);
  if (config.ptr) command.append(" -O ptr");
  return command;
}

}  // namespace

absl::Status ValidateScamperConfig(const ScamperConfig& config) {
  struct stat st;
  if (stat(config.binary.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      access(config.binary.c_str(), X_OK) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", config.binary, "\": is not an executable file"));
  }
  if (config.timeout < absl::Seconds(1) || config.timeout > absl::Seconds(3600)) {
    return absl::InvalidArgumentError(absl::StrCat(absl::FormatDuration(config.timeout),
                                                   ": invalid timeout value (min: 1s, max 3600s)"));
  }
  if (config.wait_probe < 15 || config.wait_probe > 200) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.wait_probe, ": invalid wait probe value (min 15, max 200)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ScamperRunner>> ScamperRunner::Create(ScamperConfig config) {
  if (absl::Status valid = ValidateScamperConfig(config); !valid.ok()) return valid;
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return absl::ErrnoToStatus(errno, "eventfd");
  return std::unique_ptr<ScamperRunner>(new ScamperRunner(std::move(config), fd));
}

ScamperRunner::ScamperRunner(ScamperConfig config, int cancel_fd)
    : config_(std::move(config)), command_(Command(config_)), cancel_fd_(cancel_fd) {}

ScamperRunner::~ScamperRunner() { close(cancel_fd_); }

std::vector<std::string> ScamperRunner::Argv(absl::string_view ip) const {
  return {config_.binary, "-o-", "-O", "json", "-I", absl::StrCat(command_, " ", ip)};
}

void ScamperRunner::CancelAll() {
  cancelled_.store(true);
  uint64_t one = 1;
  // The eventfd stays readable from now on, so every running and future poll sees it.
  if (write(cancel_fd_, &one, sizeof(one)) < 0) PLOG(ERROR) << "eventfd write";
}

absl::StatusOr<std::string> ScamperRunner::Run(absl::string_view ip) {
  if (cancelled_.load()) return absl::CancelledError("shutting down");
  std::vector<std::string> argv = Argv(ip);
  SubprocessOptions options;
  options.timeout = config_.timeout;
  options.max_output_bytes = config_.max_output_bytes;
  options.cancel_fd = cancel_fd_;
  TraceMetrics& metrics = TraceMetrics::Get();
  options.on_start = [&](pid_t) {
    int now = running_.fetch_add(1) + 1;
    int peak = peak_running_.load();
    while (now > peak && !peak_running_.compare_exchange_weak(peak, now)) {
    }
    metrics.in_progress.Increment();
    metrics.started.Increment();
  };
  absl::StatusOr<SubprocessResult> result = RunSubprocess(argv, options);
  if (!result.ok()) {
    metrics.performed.Increment();
    metrics.crashed.Increment();
    return result.status();
  }
  running_.fetch_sub(1);
  metrics.in_progress.Decrement();
  metrics.performed.Increment();
  double seconds = absl::ToDoubleSeconds(result->elapsed);
  if (!result->Succeeded()) {
    metrics.crashed.Increment();
    metrics.trace_time_error.Observe(seconds);
    std::string why = result->Describe();
    LOG(WARNING) << "scamper " << ip << ": " << why << "; stderr: \""
                 << absl::CHexEscape(result->stderr_data.substr(0, 512)) << "\"";
    if (result->end == SubprocessResult::End::kTimedOut) {
      return absl::DeadlineExceededError(absl::StrCat("scamper ", why));
    }
    if (result->end == SubprocessResult::End::kCancelled) {
      return absl::CancelledError(absl::StrCat("scamper ", why));
    }
    return absl::InternalError(absl::StrCat("scamper ", why));
  }
  metrics.trace_time_success.Observe(seconds);
  if (result->stdout_data.empty()) {
    return absl::InternalError("scamper printed nothing");
  }
  return std::move(result->stdout_data);
}

}  // namespace mlab::trc
