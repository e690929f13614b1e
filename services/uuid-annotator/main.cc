// uuid-annotator: writes an annotation2 file (client geo and AS, server site) for every TCP flow
// tcp-info reports, and annotates IPs for traceroute-caller over gRPC and upstream's ipservice.
#include <signal.h>

#include <string>

#include "glog/logging.h"
#include "lib/admin/prometheusx.h"
#include "lib/flags/flags.h"
#include "services/uuid-annotator/uuid_annotator.h"

namespace {

using mlab::flags::Flag;

Flag<std::string> FLAGS_datadir("datadir", ".", "The directory to put the data in");
Flag<mlab::flags::StringFile> FLAGS_hostname(
    "hostname", mlab::flags::StringFile(),
    "Server hostname to lookup annotations, may be read from file with @<file>");
Flag<std::string> FLAGS_maxmind_url(
    "maxmind.url", "",
    "The URL for the file containing MaxMind IP metadata (.tar.gz with *GeoLite2-City.mmdb, "
    ".zip, or .mmdb). Accepted: file:path, file:///path, a plain path, http(s)://");
Flag<std::string> FLAGS_routeview_v4_url(
    "routeview-v4.url", "",
    "The URL for the RouteViewIPv4 file containing ASN metadata (gzipped pfx2as).");
Flag<std::string> FLAGS_routeview_v6_url(
    "routeview-v6.url", "",
    "The URL for the RouteViewIPv6 file containing ASN metadata (gzipped pfx2as).");
Flag<std::string> FLAGS_asname_url(
    "asname.url", "",
    "The URL for the ASName CSV file containing a mapping of AS numbers to AS names provided "
    "by IPInfo.io");
Flag<std::string> FLAGS_siteinfo_url(
    "siteinfo.url", "",
    "The URL for the Siteinfo JSON file containing server location and ASN metadata.");
Flag<int> FLAGS_eventbuffersize("eventbuffersize", 1000,
                                "How many events should we buffer before dropping them?");
Flag<absl::Duration> FLAGS_reloadmin("reloadmin", absl::Hours(1),
                                     "Minimum time to wait between reloads of backing data");
Flag<absl::Duration> FLAGS_reloadtime("reloadtime", absl::Hours(5),
                                      "Expected time to wait between reloads of backing data");
Flag<absl::Duration> FLAGS_reloadmax("reloadmax", absl::Hours(24),
                                     "Maximum time to wait between reloads of backing data");
Flag<std::string> FLAGS_eventsocket(
    "tcpinfo.eventsocket", "",
    "The tcp-info FlowEvents socket to subscribe to; empty means stand-alone (no files).");
Flag<std::string> FLAGS_ipservice_sock(
    "ipservice.sock", "",
    "The filename to use as a UNIX domain socket for the local annotation service (upstream's "
    "HTTP /v1/annotate/ips); empty disables it.");
Flag<std::string> FLAGS_annotator_socket(
    "annotator.socket", "/var/local/uuidannotatorsocket/annotator.grpc.sock",
    "The UNIX domain socket of the gRPC Annotator service; empty disables it.");
Flag<bool> FLAGS_logx_debug("logx.debug", false, "Enable debug logging.");

}  // namespace

int main(int argc, char** argv) {
  mlab::flags::ParseOrExit(
      argc, argv,
      "Writes an annotation2 file for every flow tcp-info reports and serves IP annotations.");
  FLAGS_logtostderr = true;
  if (*FLAGS_logx_debug) FLAGS_v = 1;
  google::InitGoogleLogging(argv[0]);

  // Signals are taken by sigwait below; every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  absl::StatusOr<std::unique_ptr<mlab::admin::AdminServer>> admin =
      mlab::admin::StartMetricsServer();
  if (!admin.ok()) LOG(FATAL) << "cannot serve metrics: " << admin.status();

  mlab::uuid_annotator::Config config;
  config.datadir = *FLAGS_datadir;
  config.hostname = FLAGS_hostname->value();
  config.maxmind_url = *FLAGS_maxmind_url;
  config.routeview_v4_url = *FLAGS_routeview_v4_url;
  config.routeview_v6_url = *FLAGS_routeview_v6_url;
  config.asname_url = *FLAGS_asname_url;
  config.siteinfo_url = *FLAGS_siteinfo_url;
  config.event_buffer_size = *FLAGS_eventbuffersize;
  config.reload = {*FLAGS_reloadmin, *FLAGS_reloadtime, *FLAGS_reloadmax};
  config.event_socket = *FLAGS_eventsocket;
  config.ipservice_socket = *FLAGS_ipservice_sock;
  config.annotator_socket = *FLAGS_annotator_socket;

  mlab::uuid_annotator::UuidAnnotator annotator(config);
  if (absl::Status s = annotator.Start(); !s.ok()) LOG(FATAL) << s;
  LOG(INFO) << "uuid-annotator running (SIGHUP reloads the datasets)";

  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      LOG(INFO) << "SIGHUP: reloading datasets";
      annotator.TriggerReload();
      continue;
    }
    LOG(INFO) << "signal " << sig << ": stopping";
    break;
  }
  annotator.Stop();
  (*admin)->Stop();
  return 0;
}
