// ndt-server: M-Lab's ndt7 speed-test server (download and upload over ws and wss), writing one
// NDT7Result archive per subtest into the spool. A drop-in for m-lab/ndt-server's ndt7 part.

#include <signal.h>
#include <sys/resource.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/thread_pool.hpp"
#include "glog/logging.h"
#include "lib/admin/admin_server.h"
#include "lib/admin/prometheusx.h"
#include "lib/flags/flags.h"
#include "lib/uuid/process_prefix.h"
#include "services/ndt-server/access_control.h"
#include "services/ndt-server/ndt7_handler.h"
#include "services/ndt-server/ndt7_metrics.h"
#include "services/ndt-server/payload.h"
#include "services/ndt-server/result_writer.h"
#include "services/ndt-server/server.h"
#include "services/ndt-server/session_env.h"
#include "services/ndt-server/static_files.h"
#include "services/ndt-server/version.h"

namespace {

using mlab::flags::FileBytesList;
using mlab::flags::Flag;
using mlab::flags::KeyValues;
using mlab::flags::StringFile;

Flag<std::string> FLAGS_ndt7_addr("ndt7_addr", ":443",
                                  "The address and port to use for the ndt7 test (wss)");
Flag<std::string> FLAGS_ndt7_addr_cleartext(
    "ndt7_addr_cleartext", ":80", "The address and port to use for the ndt7 cleartext test (ws)");
Flag<std::string> FLAGS_health_addr("health_addr", "127.0.0.1:8000",
                                    "The address and port for the /health endpoint");
Flag<std::string> FLAGS_cert("cert", "", "The file with server certificates in PEM format.");
Flag<std::string> FLAGS_key("key", "", "The file with server key in PEM format.");
Flag<std::string> FLAGS_tls_version("tls.version", "",
                                    "Minimum TLS version. Valid values: 1.2 or 1.3");
Flag<std::string> FLAGS_datadir("datadir", "/var/spool/ndt",
                                "The directory in which to write data files");
Flag<std::string> FLAGS_htmldir("htmldir", "html",
                                "The directory from which to serve static web content.");
Flag<bool> FLAGS_compress_results("compress-results", true, "Whether to compress the results.");
Flag<KeyValues> FLAGS_label("label", {},
                            "Labels to identify the type of deployment (key=value, repeatable); "
                            "archived as ServerMetadata.");
Flag<FileBytesList> FLAGS_token_verify_key("token.verify-key", {},
                                           "Public JWK files for JWT access token verification.");
Flag<bool> FLAGS_ndt7_token_required("ndt7.token.required", false,
                                     "Require access token in NDT7 requests");
Flag<StringFile> FLAGS_token_machine(
    "token.machine", StringFile(),
    "The machine name to expect in the JWT claims (the audience); @file allowed.");
Flag<std::string> FLAGS_txcontroller_device("txcontroller.device", "",
                                            "Calculate bytes transmitted from this device.");
Flag<uint64_t> FLAGS_txcontroller_max_rate(
    "txcontroller.max-rate", 0,
    "The max rate (in bit/s) beyond which, the TxController will reject new clients");
Flag<absl::Duration> FLAGS_lameduck_grace(
    "lameduck.grace-period", absl::Seconds(30),
    "After the first SIGTERM, how long to serve in lame duck before draining and exiting (a second "
    "SIGTERM or SIGINT skips the wait).");
Flag<int> FLAGS_threads("threads", 0, "Event loops serving connections (0: one per core).");
Flag<std::string> FLAGS_ndt7_sendfile(
    "ndt7.sendfile", "auto",
    "How cleartext downloads reach the kernel: 'always' sendfile(2) from one shared, sealed "
    "memfd (no copy on the send path; the NIC gathers the pages), 'never' send(2) of the same "
    "prepared frames (the kernel copies), 'auto' sendfile except to peers on this host, whose "
    "receive is cheaper from the large buffers a copy fills.");

// Upstream flags for features this server does not have: accepted so manifests keep working.
Flag<std::string> FLAGS_ndt5_addr("ndt5_addr", ":3001",
                                  "ndt5 is not supported by this server (ignored).");
Flag<std::string> FLAGS_ndt5_ws_addr("ndt5_ws_addr", "127.0.0.1:3002",
                                     "ndt5 is not supported by this server (ignored).");
Flag<std::string> FLAGS_ndt5_wss_addr("ndt5_wss_addr", ":3010",
                                      "ndt5 is not supported by this server (ignored).");
Flag<bool> FLAGS_ndt5_token_required("ndt5.token.required", false,
                                     "ndt5 is not supported by this server (ignored).");
Flag<bool> FLAGS_ndt5_protocol_verbose("ndt5.protocol.verbose", false,
                                       "ndt5 is not supported by this server (ignored).");
Flag<bool> FLAGS_autocert_enabled(
    "autocert.enabled", false,
    "Let's Encrypt is not supported by this server; use -cert and -key.");
Flag<StringFile> FLAGS_autocert_hostname("autocert.hostname", StringFile(),
                                         "Not supported (ignored).");
Flag<std::string> FLAGS_autocert_dir("autocert.dir", "autocert", "Not supported (ignored).");
Flag<std::string> FLAGS_tcpinfo_eventsocket(
    "tcpinfo.eventsocket", "", "Not supported: tcp-info serves flow events (ignored).");

void RaiseFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Waits for SIGTERM or SIGINT (blocked in every thread) until `deadline`; returns the signal
// or 0 on timeout.
int WaitForSignal(const sigset_t& set, absl::Time deadline) {
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return 0;
    timespec ts = absl::ToTimespec(std::min(left, absl::Hours(24)));
    const int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) return sig;
  }
}

}  // namespace

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  mlab::flags::ParseOrExit(argc, argv,
                           "ndt-server: the ndt7 speed-test server (ws and wss), archiving "
                           "results for M-Lab's pipeline.");
  namespace ndt7 = mlab::ndt7;

  // Signals are taken by sigtimedwait on the main thread only.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  RaiseFileLimit();

  if (*FLAGS_autocert_enabled) {
    LOG(ERROR) << "-autocert.enabled is not supported; provide -cert and -key";
    return 1;
  }
  if (FLAGS_ndt5_addr.was_set() || FLAGS_ndt5_ws_addr.was_set() || FLAGS_ndt5_wss_addr.was_set()) {
    LOG(WARNING) << "ndt5 is not supported: the ndt5 flags are ignored";
  }
  if (!FLAGS_tcpinfo_eventsocket->empty()) {
    LOG(WARNING) << "-tcpinfo.eventsocket is ignored: tcp-info publishes flow events";
  }

  ndt7::metrics::SetGitShortCommit(ndt7::kGitShortCommit);
  ndt7::metrics::LameDuck().Set(0);
  ndt7::metrics::CurrentOpenConns().Set(0);
  // Zero from the start, so an alert on its rate sees the first failure.
  for (const char* direction : {"download", "upload"}) {
    ndt7::metrics::ResultWriteErrors().WithLabels({direction});
    ndt7::metrics::ResultWritesHeld().WithLabels({direction});
  }
  (void)ndt7::FramedPayload::Get();  // Generated once, before the first test.
  ndt7::FrameWritePolicy frame_write;
  if (*FLAGS_ndt7_sendfile == "auto") {
    frame_write = ndt7::FrameWritePolicy::kAuto;
  } else if (*FLAGS_ndt7_sendfile == "always") {
    frame_write = ndt7::FrameWritePolicy::kAlways;
  } else if (*FLAGS_ndt7_sendfile == "never") {
    frame_write = ndt7::FrameWritePolicy::kNever;
  } else {
    LOG(ERROR) << "-ndt7.sendfile must be auto, always or never, not '" << *FLAGS_ndt7_sendfile
               << "'";
    return 2;
  }
  LOG(INFO) << "uuid prefix " << mlab::uuid::ProcessPrefix();

  // Access control: keys are loaded whenever given; failure is fatal only when tokens are
  // required (upstream's rule), otherwise the token controller is left out.
  std::unique_ptr<ndt7::TokenVerifier> verifier;
  {
    std::vector<std::string> keys;
    for (const auto& file : *FLAGS_token_verify_key) keys.push_back(file.content());
    absl::StatusOr<std::unique_ptr<ndt7::TokenVerifier>> v = ndt7::TokenVerifier::FromJwks(keys);
    if (v.ok()) {
      verifier = std::move(*v);
    } else if (*FLAGS_ndt7_token_required) {
      LOG(ERROR) << "-ndt7.token.required needs valid -token.verify-key: " << v.status();
      return 1;
    } else {
      LOG(WARNING) << "WARNING: token controller is disabled: " << v.status();
    }
  }
  if (verifier != nullptr && FLAGS_token_machine->value().empty()) {
    LOG(ERROR) << "token verification needs -token.machine (the expected audience)";
    return 1;
  }
  std::unique_ptr<ndt7::TxController> tx;
  if (!FLAGS_txcontroller_device->empty()) {
    absl::StatusOr<std::unique_ptr<ndt7::TxController>> t =
        ndt7::TxController::Create(*FLAGS_txcontroller_device, *FLAGS_txcontroller_max_rate);
    if (!t.ok()) {
      LOG(ERROR) << "txcontroller: " << t.status();
      return 1;
    }
    tx = std::move(*t);
  }
  ndt7::AccessControl access(std::move(verifier), *FLAGS_ndt7_token_required,
                             FLAGS_token_machine->value(), std::move(tx));
  ndt7::Ndt7Handler handler(&access);

  ndt7::ResultWriter writer(*FLAGS_datadir, *FLAGS_compress_results);
  if (absl::Status s = writer.Init(); !s.ok()) {
    LOG(ERROR) << "datadir: " << s;
    return 1;
  }
  boost::asio::thread_pool result_pool(1);
  ndt7::SessionEnv env;
  env.writer = &writer;
  env.git_short_commit = ndt7::kGitShortCommit;
  env.version = ndt7::kVersion;
  for (const auto& [k, v] : FLAGS_label->pairs()) {
    env.server_metadata.push_back(ndt7::NameValue{k, v});
    if (k == "deployment" && v == "canary") env.version += "-canary";
  }
  env.result_pool = &result_pool;
  env.frame_write = frame_write;

  ndt7::StaticFiles files(*FLAGS_htmldir);
  ndt7::HttpShared shared;
  shared.env = &env;
  shared.handler = &handler;
  shared.files = &files;

  absl::StatusOr<std::unique_ptr<mlab::admin::AdminServer>> metrics_server =
      mlab::admin::StartMetricsServer();
  if (!metrics_server.ok()) {
    LOG(ERROR) << "metrics: " << metrics_server.status();
    return 1;
  }
  ndt7::ServerOptions options;
  options.cleartext_address = *FLAGS_ndt7_addr_cleartext;
  options.tls_address = *FLAGS_ndt7_addr;
  options.cert_file = *FLAGS_cert;
  options.key_file = *FLAGS_key;
  options.tls_min_version = *FLAGS_tls_version;
  options.threads = *FLAGS_threads;
  ndt7::Ndt7Server server(options, &shared);
  if (absl::Status s = server.Start(); !s.ok()) {
    LOG(ERROR) << s;
    return 1;
  }
  // Healthy only once the ndt7 ports accept: a probe must never send clients to a server that
  // cannot take them yet.
  mlab::admin::AdminServer::Options health_options;
  health_options.listen_address = *FLAGS_health_addr;
  health_options.lame_duck_status = 500;  // upstream's /health answer in lame duck
  mlab::admin::AdminServer health(health_options);
  if (absl::Status s = health.Start(); !s.ok()) {
    LOG(ERROR) << "health: " << s;
    return 1;
  }
  LOG(INFO) << "health on " << *FLAGS_health_addr << " (port " << health.port() << ")";

  // First SIGTERM: lame duck (health fails so Locate drains us) while tests go on; after the
  // grace period, or at a second signal, stop accepting and let running tests finish.
  int sig = WaitForSignal(signals, absl::InfiniteFuture());
  if (sig == SIGTERM) {
    LOG(INFO) << "SIGTERM: lame duck for " << absl::FormatDuration(*FLAGS_lameduck_grace);
    ndt7::metrics::LameDuck().Set(1);
    health.SetLameDuck(true);
    (*metrics_server)->SetLameDuck(true);
    sig = WaitForSignal(signals, absl::Now() + *FLAGS_lameduck_grace);
  }
  LOG(INFO) << (sig != 0 ? "second signal" : "grace period over") << ": draining";
  server.StopAccepting();
  const absl::Time drain_deadline = absl::Now() + ndt7::kMaxRuntime + absl::Seconds(1);
  while (env.active_tests.load() > 0 && absl::Now() < drain_deadline) {
    if (WaitForSignal(signals, absl::Now() + absl::Milliseconds(100)) != 0) break;
  }
  server.Stop();
  result_pool.join();  // Every result of a finished test is on disk (or held) before we exit.
  if (size_t held = writer.retrier().stats().held_now; held > 0) {
    LOG(WARNING) << held << " results held for want of disk space: one last attempt";
  }
  writer.Stop();
  health.Stop();
  (*metrics_server)->Stop();
  LOG(INFO) << "ndt-server stopped";
  return 0;
}
