#ifndef MLAB_SERVICES_PACKET_HEADERS_TESTING_NETNS_HARNESS_H_
#define MLAB_SERVICES_PACKET_HEADERS_TESTING_NETNS_HARNESS_H_

// Integration-test pieces around tests/netns's TestNetwork: the real packet-headers binary in the
// server namespace, real TCP flows from the client namespace, tcp-info's FlowEvents stood in for
// by lib/events' publisher (with the real sockets' 4-tuple and cookie UUID), tcpdump as an
// independent witness of what went over the wire, and tshark to read the archives.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/events/publisher.h"
#include "lib/events/server.h"

namespace mlab::packet_headers::testing {

inline constexpr char kUuidPrefix[] = "phtest_1700000000";

// Polls `done` every 10 ms until it is true or `timeout` passes.
bool WaitFor(const std::function<bool()>& done, absl::Duration timeout);

// A child process (argv run through `ip netns exec ns`), its stderr in `log_path`.
class Process {
 public:
  static absl::StatusOr<std::unique_ptr<Process>> Start(const std::string& ns,
                                                        const std::vector<std::string>& argv,
                                                        const std::string& log_path);
  ~Process();  // SIGKILL if still running

  // Sends `sig` and waits up to `timeout` for the exit; the exit status (128+n for signal n).
  absl::StatusOr<int> Stop(int sig, absl::Duration timeout);
  bool Running();
  pid_t pid() const { return pid_; }
  std::string Log() const;
  // VmRSS in bytes (0 once gone).
  int64_t ResidentBytes() const;

 private:
  Process(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_;
  std::string log_path_;
  bool reaped_ = false;
  int status_ = 0;
};

// The path of a binary built by this package, from the test's runfiles.
std::string RunfilesBinary(const std::string& package_path);

// One TCP connection from the client namespace to a listener in the server namespace.
struct LiveFlow {
  int server_fd = -1;
  int client_fd = -1;
  bool ipv6 = false;
  std::string server_ip;
  std::string client_ip;
  uint16_t server_port = 0;
  uint16_t client_port = 0;
  uint64_t cookie = 0;
  std::string uuid;  // tcp-info's UUID for the server socket: <prefix>_<cookie>
};

// A listening socket in the server namespace.
class Listener {
 public:
  static absl::StatusOr<std::unique_ptr<Listener>> Create(const std::string& server_ns, bool ipv6);
  ~Listener();
  // Connects from `client_ns` and accepts; the flow's sockets have TCP_NODELAY. The UUID is the
  // server socket's under `uuid_prefix`.
  absl::StatusOr<LiveFlow> Connect(const std::string& client_ns,
                                   const std::string& uuid_prefix = kUuidPrefix);
  uint16_t port() const { return port_; }
  bool ipv6() const { return ipv6_; }

 private:
  Listener() = default;
  int fd_ = -1;
  uint16_t port_ = 0;
  bool ipv6_ = false;
};

// `rounds` request/response exchanges (client sends `request_bytes`, server answers
// `response_bytes`), each waiting for the whole answer.
absl::Status Exchange(const LiveFlow& flow, int rounds, size_t request_bytes,
                      size_t response_bytes);
// Closes both ends (client first) and waits until the server has seen the client's FIN.
void CloseFlow(LiveFlow& flow);

// Sends `count` TCP SYNs from spoofed 198.51.100.0/24 sources (each a new 4-tuple) to
// `dst_ip`:`dst_port`, from a raw socket in `client_ns`, paced evenly over 80% of `within` and
// never beyond it. Returns how many were sent.
absl::StatusOr<int64_t> SynFlood(const std::string& client_ns, const std::string& dst_ip,
                                 uint16_t dst_port, int64_t count, absl::Duration within);

// tcp-info's stand-in: a FlowEvents server on a unix socket with the flows' real ids.
class EventSource {
 public:
  static absl::StatusOr<std::unique_ptr<EventSource>> Start(const std::string& socket_path);
  ~EventSource();
  void Open(const LiveFlow& flow);
  void Close(const LiveFlow& flow);
  int64_t subscribers() const { return publisher_.stats().subscribers_current; }
  const std::string& path() const { return path_; }

 private:
  EventSource() = default;
  std::string path_;
  events::FlowEventPublisher publisher_;
  std::unique_ptr<events::FlowEventServer> server_;
};

// tcpdump writing every packet of `filter` on `interface` in `ns` to `path`.
class Tcpdump {
 public:
  static absl::StatusOr<std::unique_ptr<Tcpdump>> Start(const std::string& ns,
                                                        const std::string& interface,
                                                        const std::string& filter,
                                                        const std::string& path);
  // Stops it (flushing the file); fails if it reports kernel drops.
  absl::Status Finish();

 private:
  std::unique_ptr<Process> process_;
  std::string path_;
  std::string log_;
};

// Runs tshark on `file`; packets per client port (the port that is not `server_port`). Fails if
// tshark cannot read the file.
absl::StatusOr<std::map<uint16_t, int>> TsharkCountByPort(const std::string& file,
                                                          uint16_t server_port);

// An HTTP GET of `path` on 127.0.0.1:`port` inside `ns`; the body.
absl::StatusOr<std::string> HttpGet(const std::string& ns, int port, const std::string& path);

// The value of the sample `name{labels}` (exact text) in a Prometheus page; -1 when absent.
double MetricValue(const std::string& page, const std::string& sample);

// Runs a command, returning its stdout; fails on a non-zero exit.
absl::StatusOr<std::string> RunCommand(const std::string& command);

}  // namespace mlab::packet_headers::testing

#endif  // MLAB_SERVICES_PACKET_HEADERS_TESTING_NETNS_HARNESS_H_
