#include "services/traceroute-caller/service_flags.h"

#include <algorithm>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "lib/flags/flags.h"
#include "services/traceroute-caller/version.h"

namespace mlab::trc {
namespace {

using mlab::flags::Enum;
using mlab::flags::Flag;

Flag<std::string> FLAGS_scamper_bin("scamper.bin", "/usr/bin/scamper",
                                    "The path to the scamper binary.");
Flag<absl::Duration> FLAGS_scamper_timeout(
    "scamper.timeout", absl::Seconds(900),
    "Timeout duration in seconds for scamper to run a traceroute (min 1, max 3600).");
Flag<Enum> FLAGS_scamper_trace_type("scamper.trace-type", Enum("mda", {"mda", "regular"}),
                                    "Specify the type of traceroute (mda or regular) to run.");
Flag<Enum> FLAGS_output_format("output.format", Enum("jsonl", {"jsonl", "json"}),
                               "Specify the output format of traces (jsonl or json).");
Flag<bool> FLAGS_scamper_ptr("scamper.ptr", true,
                             "traceroute option: Look up DNS pointer records for IP addresses.");
Flag<bool> FLAGS_scamper_tracelb_ptr("scamper.tracelb-ptr", true,
                                     "Old name of -scamper.ptr (traceroute-caller v0.11).");
Flag<int> FLAGS_scamper_waitprobe(
    "scamper.waitprobe", 25,
    "traceroute option: Wait time in 1/100ths of seconds between probes (min 15, max 200).");
Flag<int> FLAGS_scamper_tracelb_w("scamper.tracelb-W", 25,
                                  "Old name of -scamper.waitprobe (traceroute-caller v0.11).");
Flag<int> FLAGS_scamper_max_concurrent(
    "scamper.max-concurrent", 50,
    "At most this many scamper processes run at once; further traces wait for a slot.");
Flag<int> FLAGS_scamper_max_queued(
    "scamper.max-queued", 10000,
    "At most this many traces wait for a slot; further ones are dropped (and counted).");
Flag<std::string> FLAGS_traceroute_output("traceroute-output", "/var/spool/scamper1",
                                          "The path to store traceroute output.");
Flag<std::string> FLAGS_hopannotation_output("hopannotation-output", "/var/spool/hopannotation1",
                                             "The path to store hop annotation output.");
Flag<absl::Duration> FLAGS_ip_cache_timeout("IPCacheTimeout", absl::Minutes(10),
                                            "Timeout duration in seconds for an IP cache entry.");
Flag<absl::Duration> FLAGS_ip_cache_update_period("IPCacheUpdatePeriod", absl::Minutes(1),
                                                  "IP cache scanning period in seconds.");
Flag<std::string> FLAGS_eventsocket("tcpinfo.eventsocket", "",
                                    "The tcp-info FlowEvents socket to subscribe to (required).");
Flag<std::string> FLAGS_annotator_socket(
    "annotator.socket", "/var/local/uuidannotatorsocket/annotator.grpc.sock",
    "The uuid-annotator's Annotator gRPC socket, for hop annotations; when empty, "
    "-ipservice.sock is used.");
Flag<absl::Duration> FLAGS_annotator_timeout("annotator.timeout", absl::Seconds(10),
                                             "Deadline of each Annotator call.");
Flag<std::string> FLAGS_ipservice_sock(
    "ipservice.sock", "",
    "The annotation socket of upstream's uuid-annotator (HTTP), used for hop annotations only "
    "when -annotator.socket is empty.");
Flag<Enum> FLAGS_anonymize_ip("anonymize.ip", Enum("none", {"none", "netblock"}),
                              "Valid values are \"none\" and \"netblock\".");
Flag<int> FLAGS_archive_threads("archive-threads", 4,
                                "Threads that parse, write and annotate finished traces.");
Flag<std::string> FLAGS_metadata_dir(
    "metadata-dir", "/metadata",
    "Where loadbalanced, external-ip and external-ipv6 tell a load balancer's addresses.");
Flag<absl::Duration> FLAGS_sigterm_wait(
    "sigterm-wait", absl::Seconds(10),
    "After SIGTERM, how long running traces may finish before they are killed.");

// Picks the value of a renamed flag: either spelling, but not two different values.
template <typename T>
absl::StatusOr<T> Reconcile(const Flag<T>& current, const Flag<T>& old) {
  if (current.was_set() && old.was_set() && *current != *old) {
    return absl::InvalidArgumentError(absl::StrCat("-", current.name(), "=", current.CurrentText(),
                                                   " and -", old.name(), "=", old.CurrentText(),
                                                   " disagree"));
  }
  return old.was_set() ? *old : *current;
}

}  // namespace

absl::StatusOr<ServiceOptions> OptionsFromFlags() {
  ServiceOptions options;
  options.scamper.binary = *FLAGS_scamper_bin;
  options.scamper.timeout = *FLAGS_scamper_timeout;
  options.scamper.trace_type = *ParseTraceType(FLAGS_scamper_trace_type->value());
  absl::StatusOr<bool> ptr = Reconcile(FLAGS_scamper_ptr, FLAGS_scamper_tracelb_ptr);
  if (!ptr.ok()) return ptr.status();
  options.scamper.ptr = *ptr;
  absl::StatusOr<int> wait_probe = Reconcile(FLAGS_scamper_waitprobe, FLAGS_scamper_tracelb_w);
  if (!wait_probe.ok()) return wait_probe.status();
  options.scamper.wait_probe = *wait_probe;
  options.format = *ParseOutputFormat(FLAGS_output_format->value());
  options.traceroute_output = *FLAGS_traceroute_output;
  options.hopannotation_output = *FLAGS_hopannotation_output;
  options.ip_cache_timeout = *FLAGS_ip_cache_timeout;
  options.ip_cache_update_period = *FLAGS_ip_cache_update_period;
  options.eventsocket = *FLAGS_eventsocket;
  options.annotator_socket = *FLAGS_annotator_socket;
  options.annotator_timeout = *FLAGS_annotator_timeout;
  options.anonymize = *IpAnonymizer::ParseMethod(FLAGS_anonymize_ip->value());
  options.max_concurrent = *FLAGS_scamper_max_concurrent;
  options.max_queued = static_cast<size_t>(std::max(0, *FLAGS_scamper_max_queued));
  options.archive_threads = *FLAGS_archive_threads;
  options.metadata_dir = *FLAGS_metadata_dir;
  options.version = kVersion;
  options.ipservice_socket = *FLAGS_ipservice_sock;
  return options;
}

absl::Duration SigtermWait() { return *FLAGS_sigterm_wait; }

}  // namespace mlab::trc
