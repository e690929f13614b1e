// traceroute-caller: a scamper traceroute to the remote end of every TCP flow tcp-info reports
// closed, archived as scamper1 jsonl (or regular-trace json), with hop annotations from the
// uuid-annotator's Annotator service. Drop-in for M-Lab's Go traceroute-caller (same flags).
#include <pthread.h>
#include <signal.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "glog/logging.h"
#include "lib/admin/prometheusx.h"
#include "lib/flags/flags.h"
#include "lib/metrics/metrics.h"
#include "lib/uuid/process_prefix.h"
#include "services/traceroute-caller/service_flags.h"
#include "services/traceroute-caller/traceroute_caller.h"
#include "services/traceroute-caller/version.h"

namespace {

// Like Go's log.Fatal: the reason, then exit status 1.
int Fail(const absl::Status& status) {
  LOG(ERROR) << status;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  mlab::flags::ParseOrExit(argc, argv,
                           "Runs a scamper traceroute to the remote end of every TCP flow that "
                           "tcp-info reports closed, and archives it with hop annotations.");
  // Threads started from here on inherit the mask, so only sigwait below receives these.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // UUIDs come from the flow events; -uuid-prefix-file is accepted (and linked in) because node
  // runners pass it to every sidecar.
  VLOG(1) << "uuid prefix: " << mlab::uuid::ProcessPrefix();
  absl::StatusOr<mlab::trc::ServiceOptions> options = mlab::trc::OptionsFromFlags();
  if (!options.ok()) return Fail(options.status());
  mlab::metrics::NewGaugeFamily("git_short_commit", "The git commit of this build.", {"commit"})
      .WithLabels({mlab::trc::kVersion})
      .Set(1);
  auto metrics_server = mlab::admin::StartMetricsServer();
  if (!metrics_server.ok()) return Fail(metrics_server.status());
  auto service = mlab::trc::TracerouteCaller::Create(*options);
  if (!service.ok()) return Fail(service.status());
  if (absl::Status started = (*service)->Start(); !started.ok()) return Fail(started);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LOG(INFO) << "signal " << signal_number << ": letting running traces finish for up to "
            << absl::FormatDuration(mlab::trc::SigtermWait());
  (*service)->Shutdown(mlab::trc::SigtermWait());
  (*metrics_server)->Stop();
  return 0;
}
