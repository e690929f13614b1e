// tcp-info: polls every TCP socket of this network namespace over netlink sock_diag, archives a
// snapshot of each flow whenever it changes as <output>/YYYY/MM/DD/<UUID>.<seq>.jsonl.zst, and
// tells sidecars when flows open and close (FlowEvents over gRPC, and optionally upstream's
// JSON-lines socket). A drop-in replacement for m-lab/tcp-info: same flags, files and metrics.

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <climits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "glog/logging.h"
#include "lib/admin/prometheusx.h"
#include "lib/events/publisher.h"
#include "lib/events/server.h"
#include "lib/flags/flags.h"
#include "lib/metrics/metrics.h"
#include "lib/spool/spool_dir.h"
#include "lib/uuid/prefix.h"
#include "services/tcp-info/archive_repair.h"
#include "services/tcp-info/archive_worker.h"
#include "services/tcp-info/archiver.h"
#include "services/tcp-info/destroy_listener.h"
#include "services/tcp-info/flow_event_relay.h"
#include "services/tcp-info/flow_filter.h"
#include "services/tcp-info/flow_table.h"
#include "services/tcp-info/ip_anonymizer.h"
#include "services/tcp-info/jsonl_event_server.h"
#include "services/tcp-info/poller.h"
#include "services/tcp-info/service_metrics.h"
#include "services/tcp-info/sock_diag_collector.h"
#include "services/tcp-info/traffic_meter.h"

namespace mlab::tcpinfo {
namespace {

using ::mlab::flags::Enum;
using ::mlab::flags::FileBytes;
using ::mlab::flags::Flag;
using ::mlab::flags::StringList;

// Upstream's flags.
Flag<std::string> FLAGS_output("output", "",
                               "Directory of the YYYY/MM/DD archive tree (default: the working "
                               "directory).");
Flag<int64_t> FLAGS_reps("reps", 0, "Polls to run before exiting; 0 means until terminated.");
Flag<bool> FLAGS_trace("trace", false, "Accepted for compatibility (a Go runtime trace); ignored.");
Flag<StringList> FLAGS_exclude_srcport(
    "exclude-srcport", {}, "Local ports whose flows are ignored; repeatable, comma-separated.");
Flag<StringList> FLAGS_exclude_dstip(
    "exclude-dstip", {},
    "Remote IP addresses whose flows are ignored; repeatable, comma-separated.");
Flag<std::string> FLAGS_eventsocket(
    "tcpinfo.eventsocket", "",
    "Unix socket on which to serve FlowEvents (gRPC) to sidecars; empty disables events.");
Flag<FileBytes> FLAGS_uuid_prefix_file(
    "uuid-prefix-file", FileBytes(),
    "The file holding the UUID prefix for sockets created in this network namespace.");
Flag<Enum> FLAGS_anonymize_ip("anonymize.ip", Enum("none", {"none", "netblock"}),
                              "Anonymize remote IP addresses in archives: none or netblock.");
Flag<bool> FLAGS_logx_debug("logx.debug", false, "Log more (verbose level 1).");

// Additions.
Flag<std::string> FLAGS_jsonl_eventsocket(
    "tcpinfo.jsonl-eventsocket", "",
    "Unix socket speaking upstream's JSON-lines event protocol, for upstream Go sidecars; empty "
    "disables it.");
Flag<absl::Duration> FLAGS_poll_interval("tcpinfo.poll-interval", absl::Milliseconds(10),
                                         "Time between polls of the kernel's sockets.");
Flag<absl::Duration> FLAGS_rotation_interval(
    "tcpinfo.rotation-interval", absl::Minutes(10),
    "A flow's archive file is closed and the next sequence started this long after it began.");
Flag<absl::Duration> FLAGS_flush_interval(
    "tcpinfo.flush-interval", absl::Seconds(1),
    "How often open archives are flushed to disk (the most a crash can lose).");
Flag<int64_t> FLAGS_subscriber_queue(
    "tcpinfo.subscriber-queue", 4096,
    "Live FlowEvents (gRPC) that may wait for one subscriber; a subscriber that falls further "
    "behind is disconnected with RESOURCE_EXHAUSTED (it reconnects and gets the replay).");
Flag<bool> FLAGS_destroy_notifications(
    "tcpinfo.destroy-notifications", true,
    "Use the kernel's socket destroy notifications for exact close times and final tcp_info "
    "(polling still closes flows when they are unavailable).");

std::string UuidPrefix() {
  if (!FLAGS_uuid_prefix_file.was_set()) {
    std::string prefix = uuid::UnsafePrefix(uuid::SystemPrefixSources());
    LOG(WARNING) << "no -uuid-prefix-file; using the process-local prefix " << prefix;
    return prefix;
  }
  const std::string& prefix = FLAGS_uuid_prefix_file->content();
  if (prefix.empty() || absl::StripAsciiWhitespace(prefix) != prefix) {
    LOG(WARNING) << "UUID prefix \"" << prefix << "\" from " << FLAGS_uuid_prefix_file->path()
                 << " is empty or has surrounding whitespace; using it as is, as upstream does";
  }
  return prefix;
}

std::string OutputDirectory() {
  if (!FLAGS_output->empty()) return *FLAGS_output;
  char cwd[PATH_MAX];
  PCHECK(getcwd(cwd, sizeof(cwd)) != nullptr) << "getcwd";
  return cwd;
}

// Every open archive holds a file descriptor, one per flow: lift the soft limit on open files to
// the hard one, as Go's runtime does for upstream at startup.
void RaiseOpenFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    PLOG(WARNING) << "cannot raise the open file limit from " << before;
  }
}

int Main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  std::vector<std::string> args = flags::ParseOrExit(
      argc, argv, "Archives the kernel's TCP statistics of every flow and publishes flow events.");
  if (!args.empty()) {
    LOG(ERROR) << "unexpected arguments: " << args.front() << " ...";
    return 2;
  }
  if (*FLAGS_logx_debug) google::SetVLOGLevel("*", 1);
  RaiseOpenFileLimit();
  if (*FLAGS_trace) LOG(WARNING) << "-trace is accepted for compatibility and ignored";
  if (*FLAGS_poll_interval <= absl::ZeroDuration() ||
      *FLAGS_rotation_interval <= absl::ZeroDuration() ||
      *FLAGS_flush_interval <= absl::ZeroDuration()) {
    LOG(ERROR) << "intervals must be positive";
    return 2;
  }
  if (*FLAGS_subscriber_queue < 1) {
    LOG(ERROR) << "-tcpinfo.subscriber-queue must be at least 1";
    return 2;
  }

  // Signals go to one thread that asks the poller to stop; every other thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ServiceMetrics& metrics = Metrics();

  FlowFilter filter;
  if (absl::Status s = filter.ExcludeSrcPorts(*FLAGS_exclude_srcport); !s.ok()) {
    LOG(ERROR) << s;
    return 2;
  }
  if (absl::Status s = filter.ExcludeDstIps(*FLAGS_exclude_dstip); !s.ok()) {
    LOG(ERROR) << s;
    return 2;
  }
  absl::StatusOr<IpAnonymizer::Mode> mode = IpAnonymizer::ParseMode(FLAGS_anonymize_ip->value());
  if (!mode.ok()) {
    LOG(ERROR) << mode.status();
    return 2;
  }
  IpAnonymizer anonymizer(*mode, IpAnonymizer::LocalAddresses());

  spool::SpoolDir spool(OutputDirectory());
  if (absl::Status s = spool.Init(); !s.ok()) {
    LOG(ERROR) << "cannot prepare the output directory: " << s;
    return 1;
  }
  if (absl::StatusOr<RepairReport> report = RepairLeftovers(spool); !report.ok()) {
    LOG(ERROR) << "cannot list unfinished archives: " << report.status();
  } else if (report->repaired + report->renamed + report->discarded + report->failed > 0) {
    LOG(INFO) << "unfinished archives of a previous run: " << report->repaired << " completed, "
              << report->renamed << " completed under the next sequence, " << report->discarded
              << " empty ones dropped, " << report->failed << " failed (" << report->lines
              << " lines recovered)";
  }

  SockDiagCollector::Options collector_options;
  collector_options.on_error = [&metrics](absl::string_view kind) {
    metrics.errors.WithLabels({std::string(kind)}).Increment();
  };
  SockDiagCollector collector(collector_options);
  if (absl::Status s = collector.Open(); !s.ok()) {
    LOG(ERROR) << "cannot open the sock_diag netlink socket: " << s;
    return 1;
  }

  std::unique_ptr<events::FlowEventPublisher> publisher;
  std::unique_ptr<events::FlowEventServer> event_server;
  if (!FLAGS_eventsocket->empty()) {
    events::FlowEventPublisher::Options publisher_options;
    publisher_options.queue_capacity = static_cast<size_t>(*FLAGS_subscriber_queue);
    publisher = std::make_unique<events::FlowEventPublisher>(publisher_options);
    event_server = std::make_unique<events::FlowEventServer>(publisher.get(), *FLAGS_eventsocket);
    if (absl::Status s = event_server->Start(); !s.ok()) {
      LOG(ERROR) << "cannot serve events on " << *FLAGS_eventsocket << ": " << s;
      return 1;
    }
    LOG(INFO) << "FlowEvents on " << *FLAGS_eventsocket;
  }
  std::unique_ptr<JsonlEventServer> jsonl_server;
  if (!FLAGS_jsonl_eventsocket->empty()) {
    jsonl_server = std::make_unique<JsonlEventServer>(*FLAGS_jsonl_eventsocket);
    if (absl::Status s = jsonl_server->Start(); !s.ok()) {
      LOG(ERROR) << "cannot serve JSON-lines events on " << *FLAGS_jsonl_eventsocket << ": " << s;
      return 1;
    }
    LOG(INFO) << "JSON-lines events on " << *FLAGS_jsonl_eventsocket;
  }

  FlowTable table(UuidPrefix(), &filter);
  // Order matters: a flow's Open is announced before its archive file exists, as upstream.
  FlowEventRelay relay(publisher.get(), jsonl_server.get());
  table.AddObserver(&relay);
  Archiver::Options archiver_options;
  archiver_options.rotation = *FLAGS_rotation_interval;
  archiver_options.flush_interval = *FLAGS_flush_interval;
  if (anonymizer.enabled()) {
    archiver_options.rewrite_idm = [&anonymizer](std::string* idm) {
      anonymizer.AnonymizeIdm(idm);
    };
  }
  Archiver archiver(&spool, archiver_options);
  ArchiveWorker archive_worker(&archiver);  // file I/O off the polling thread
  table.AddObserver(&archive_worker);
  TrafficMeter meter(
      TrafficMeter::Callbacks{[&metrics](double bits) { metrics.send_rate.Observe(bits); },
                              [&metrics](double bits) { metrics.receive_rate.Observe(bits); },
                              [&metrics](absl::string_view kind) {
                                metrics.errors.WithLabels({std::string(kind)}).Increment();
                              }});
  table.AddObserver(&meter);

  std::unique_ptr<DestroyListener> destroy;
  if (*FLAGS_destroy_notifications) {
    destroy = std::make_unique<DestroyListener>();
    if (absl::Status s = destroy->Open(); !s.ok()) {
      LOG(WARNING) << "no socket destroy notifications (" << s << "); closes come from polling";
      destroy.reset();
    }
  }

  namespace m = ::mlab::metrics;
  m::NewCounterFunc("tcpinfo_new_file_total", "Archive files opened.",
                    [&archiver] { return static_cast<double>(archiver.stats().files_opened); });
  m::NewCounterFunc("tcpinfo_snapshot_total", "Snapshots archived.", [&archiver] {
    return static_cast<double>(archiver.stats().snapshots_written);
  });
  m::NewCounterFunc("tcpinfo_archive_bytes_total", "Compressed bytes written to archives.",
                    [&archiver] { return static_cast<double>(archiver.stats().bytes_written); });
  m::NewCounterFunc("tcpinfo_archive_errors_total",
                    "Archive files that failed to open, write or commit.",
                    [&archiver] { return static_cast<double>(archiver.stats().errors); });
  m::NewGaugeFunc("tcpinfo_archive_files_open", "Archive files being written.",
                  [&archiver] { return static_cast<double>(archiver.stats().open_files); });
  m::NewGaugeFunc("tcpinfo_archive_queue_length", "Notifications waiting for the archive writer.",
                  [&archive_worker] { return static_cast<double>(archive_worker.queued()); });
  m::NewCounterFunc("tcpinfo_archive_queue_full_total",
                    "Times polling waited because the archive writer was that far behind.",
                    [&archive_worker] { return static_cast<double>(archive_worker.full_waits()); });
  m::NewCounterFunc("tcpinfo_events_sent_total",
                    "Events written to subscribers (gRPC, replays included, and JSON-lines).",
                    [&publisher, &jsonl_server] {
                      double sent = 0;
                      if (publisher) sent += publisher->stats().events_sent_total;
                      if (jsonl_server) sent += jsonl_server->stats().events_sent_total;
                      return sent;
                    });
  m::NewGaugeFunc("tcpinfo_event_subscribers", "Event subscribers connected now.",
                  [&publisher, &jsonl_server] {
                    double clients = 0;
                    if (publisher) clients += publisher->stats().subscribers_current;
                    if (jsonl_server) clients += jsonl_server->stats().clients;
                    return clients;
                  });
  m::NewCounterFunc("tcpinfo_event_subscribers_dropped_total",
                    "Event subscribers disconnected because they fell behind.",
                    [&publisher, &jsonl_server] {
                      double dropped = 0;
                      if (publisher) dropped += publisher->stats().subscribers_dropped_total;
                      if (jsonl_server) dropped += jsonl_server->stats().dropped_total;
                      return dropped;
                    });

  absl::StatusOr<std::unique_ptr<admin::AdminServer>> admin = admin::StartMetricsServer();
  if (!admin.ok()) {
    LOG(ERROR) << "cannot serve metrics: " << admin.status();
    return 1;
  }

  Poller::Options poller_options;
  poller_options.interval = *FLAGS_poll_interval;
  poller_options.reps = *FLAGS_reps;
  poller_options.after_poll = [&archive_worker, &meter](absl::Time now) {
    archive_worker.Tick(now);
    meter.Report(now);
  };
  // Never destroyed: the signal thread may use it until the process is gone. Held by a static so
  // LeakSanitizer sees it is still reachable at exit.
  static Poller* const process_poller =
      new Poller(&collector, &table, destroy.get(), poller_options);
  Poller& poller = *process_poller;
  std::thread([&poller, stop_signals] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    LOG(INFO) << "signal " << signal_number << ": finishing";
    poller.Stop();
  }).detach();

  LOG(INFO) << "polling every " << absl::FormatDuration(*FLAGS_poll_interval) << " into "
            << spool.datadir();
  poller.Run().IgnoreError();

  // Every open archive becomes complete and visible; flows still open continue in the next
  // sequence after a restart.
  archive_worker.Shutdown();
  const ArchiverStats stats = archiver.stats();
  LOG(INFO) << "committed " << stats.files_committed << " archives, " << stats.errors << " errors; "
            << poller.polls() << " polls";
  if (jsonl_server) jsonl_server->Shutdown();
  if (event_server) event_server->Shutdown();
  (*admin)->Stop();
  return 0;
}

}  // namespace
}  // namespace mlab::tcpinfo

int main(int argc, char** argv) { return mlab::tcpinfo::Main(argc, argv); }
