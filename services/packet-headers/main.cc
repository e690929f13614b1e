// packet-headers: captures the TCP/IP headers of every flow tcp-info reports and writes one
// <datadir>/YYYY/MM/DD/<UUID>.pcap.gz per flow, as M-Lab's Go packet-headers does.
#include <signal.h>

#include <string>

#include "absl/time/clock.h"
#include "glog/logging.h"
#include "lib/admin/prometheusx.h"
#include "lib/flags/flags.h"
#include "services/packet-headers/packet_headers.h"

namespace {

using mlab::flags::ByteCount;
using mlab::flags::Flag;

// Upstream's flags (m-lab/packet-headers v0.7.6): same names, defaults and meaning.
Flag<std::string> FLAGS_datadir(
    "datadir", ".", "Root of the archive tree: files go to <datadir>/YYYY/MM/DD/<UUID>.pcap.gz.");
Flag<absl::Duration> FLAGS_captureduration(
    "captureduration", absl::Seconds(30),
    "Longest stretch of a flow that is saved, counted from its first packet or UUID; the file "
    "is written when it runs out.");
Flag<absl::Duration> FLAGS_uuidwaitduration(
    "uuidwaitduration", absl::Seconds(5),
    "How long packets of a flow are held while its UUID has not arrived; then they are "
    "dropped. Must not exceed -captureduration.");
Flag<absl::Duration> FLAGS_flowtimeout(
    "flowtimeout", absl::Seconds(30),
    "A flow without packets for this long is over: its file is written.");
Flag<int> FLAGS_maxheadersize(
    "maxheadersize", 256,
    "Capture snap length in bytes: room for link, IP (with IPv6 extension headers) and TCP "
    "headers. Saved records keep the headers only.");
Flag<absl::Duration> FLAGS_sigtermwait(
    "sigtermwait", absl::Seconds(1),
    "After SIGTERM, keep capturing this long, then write every flow and exit.");
Flag<bool> FLAGS_stream(
    "stream", false,
    "Write each flow's compressed output to disk as it is produced (still published "
    "only when complete) instead of holding it in memory.");
Flag<int> FLAGS_maxflows(
    "maxflows", 0,
    "Most flows saved at once (0: no limit); a flow getting its UUID beyond it is not saved. "
    "Flows still waiting for a UUID are bounded by -maxuuidwaitbytes instead.");
Flag<ByteCount> FLAGS_maxidleram(
    "maxidleram", ByteCount(3 * ByteCount::kGigabyte),
    "Free heap memory tolerated before it is handed back to the OS (checked every "
    "-flowtimeout).");
Flag<ByteCount> FLAGS_maxheap(
    "maxheap", ByteCount(8 * ByteCount::kGigabyte),
    "Memory cap for the whole process: new flows are refused and packets dropped (and counted) "
    "rather than exceed it.");
Flag<mlab::flags::StringList> FLAGS_interface(
    "interface", {},
    "Interface to capture on; repeatable or comma-separated. Default: every interface that "
    "is up.");
Flag<mlab::flags::Enum> FLAGS_anonymize_ip(
    "anonymize.ip", mlab::flags::Enum("none", {"none", "netblock"}),
    "\"none\" keeps addresses; \"netblock\" zeroes the host part of remote addresses "
    "(IPv4 /24, IPv6 /48).");
Flag<std::string> FLAGS_eventsocket(
    "tcpinfo.eventsocket", "",
    "Unix socket of tcp-info's FlowEvents service: the source of every flow's UUID.");

// Ours: the limits upstream lacked and the capture's tuning.
Flag<absl::Duration> FLAGS_closegrace(
    "closegrace", absl::Seconds(1),
    "After tcp-info reports a flow closed, keep saving its packets this long, then write it.");
Flag<ByteCount> FLAGS_maxuuidwaitbytes(
    "maxuuidwaitbytes", ByteCount(64 * ByteCount::kMegabyte),
    "Memory for all flows still waiting for their UUID (e.g. a SYN flood); the oldest is "
    "evicted to make room.");
Flag<ByteCount> FLAGS_maxuuidwaitflowbytes(
    "maxuuidwaitflowbytes", ByteCount(ByteCount::kMegabyte),
    "Memory for one flow waiting for its UUID; its later packets are dropped.");
Flag<ByteCount> FLAGS_pcapbuffersize(
    "pcapbuffersize", ByteCount(32 * ByteCount::kMegabyte),
    "Kernel capture ring per interface; bigger rides out longer bursts without drops.");
Flag<int> FLAGS_writers("writers", 2, "Threads that compress and write flows.");
Flag<bool> FLAGS_pcapimmediate(
    "pcapimmediate", true,
    "Have the kernel deliver each packet as it arrives; false batches them (at most 10 ms), "
    "which costs less CPU at high packet rates.");
Flag<int> FLAGS_compressionlevel(
    "compressionlevel", 6,
    "gzip level of the archives, 2-8 (6 is upstream's; 4 takes a quarter of the CPU for files "
    "a few percent larger).");

}  // namespace

int main(int argc, char** argv) {
  mlab::flags::ParseOrExit(argc, argv,
                           "Captures the packet headers of every TCP flow tcp-info reports.");
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);

  if (*FLAGS_uuidwaitduration > *FLAGS_captureduration) {
    LOG(FATAL) << "-uuidwaitduration must not exceed -captureduration";
  }
  if (*FLAGS_maxheadersize <= 0) LOG(FATAL) << "-maxheadersize must be positive";
  // Outside 2-8 zlib marks the gzip header differently from Go's writer.
  if (*FLAGS_compressionlevel < 2 || *FLAGS_compressionlevel > 8) {
    LOG(FATAL) << "-compressionlevel must be between 2 and 8";
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // threads started later inherit the mask
  signal(SIGPIPE, SIG_IGN);

  absl::StatusOr<std::unique_ptr<mlab::admin::AdminServer>> admin =
      mlab::admin::StartMetricsServer();
  if (!admin.ok()) LOG(FATAL) << "cannot serve metrics: " << admin.status();

  mlab::packet_headers::ServiceConfig config;
  config.datadir = *FLAGS_datadir;
  config.interfaces = *FLAGS_interface;
  config.max_header_size = *FLAGS_maxheadersize;
  config.capture_buffer_bytes = static_cast<int>(FLAGS_pcapbuffersize->bytes());
  config.capture_immediate = *FLAGS_pcapimmediate;
  config.anonymize = FLAGS_anonymize_ip->value() == "netblock"
                         ? mlab::packet_headers::Anonymizer::Mode::kNetblock
                         : mlab::packet_headers::Anonymizer::Mode::kNone;
  config.event_socket = *FLAGS_eventsocket;
  config.max_heap = FLAGS_maxheap->bytes();
  config.max_idle_ram = FLAGS_maxidleram->bytes();
  config.writer_threads = *FLAGS_writers;
  config.demuxer.capture_duration = *FLAGS_captureduration;
  config.demuxer.uuid_wait = *FLAGS_uuidwaitduration;
  config.demuxer.flow_timeout = *FLAGS_flowtimeout;
  config.demuxer.close_grace = *FLAGS_closegrace;
  config.demuxer.max_flows = *FLAGS_maxflows;
  config.demuxer.max_uuidwait_bytes = FLAGS_maxuuidwaitbytes->bytes();
  config.demuxer.max_uuidwait_flow_bytes = FLAGS_maxuuidwaitflowbytes->bytes();
  config.demuxer.stream = *FLAGS_stream;
  config.demuxer.compression_level = *FLAGS_compressionlevel;

  mlab::packet_headers::PacketHeaders service(config);
  if (absl::Status s = service.Start(); !s.ok()) LOG(FATAL) << s;
  LOG(INFO) << "packet-headers running";

  int exit_code = 0;
  while (true) {
    const timespec poll = {1, 0};
    const int sig = sigtimedwait(&signals, nullptr, &poll);
    if (sig > 0) {
      // Upstream keeps capturing for -sigtermwait so the last packets of open flows get in.
      LOG(INFO) << "signal " << sig << ": saving flows in " << *FLAGS_sigtermwait;
      absl::SleepFor(*FLAGS_sigtermwait);
      break;
    }
    if (!service.capturing()) {
      LOG(ERROR) << "every capture has ended; exiting";
      exit_code = 1;
      break;
    }
  }
  service.Stop();
  (*admin)->Stop();
  return exit_code;
}
