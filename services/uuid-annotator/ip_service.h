// Upstream's ipservice, for upstream's traceroute-caller: HTTP/1.1 over a unix socket,
// `GET /v1/annotate/ips?ip=A&ip=B...` answered with a JSON object keyed by each query string,
// byte for byte as upstream (Go's net/http and encoding/json) answers.
#ifndef MLAB_SERVICES_UUID_ANNOTATOR_IP_SERVICE_H_
#define MLAB_SERVICES_UUID_ANNOTATOR_IP_SERVICE_H_

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/uuid-annotator/datasets.h"

namespace mlab::uuid_annotator {

struct IpServiceAnswer {
  int status = 200;  // 200, 400 or 404.
  std::string body;  // JSON for 200; "" for 400; Go's "404 page not found\n".
};

// The answer to a request for `target` ("/v1/annotate/ips?ip=..."), any method: 400 with an
// empty body when no ip parses, 404 for any other path. Counts uuid_annotator_server_rpcs_total.
IpServiceAnswer AnswerIpRequest(const Datasets& data, absl::string_view target);

class IpService {
 public:
  struct Options {
    // Connections beyond this are closed at once.
    int max_connections = 256;
    // A connection idle (or stalled mid-request) this long is closed.
    absl::Duration idle_timeout = absl::Minutes(10);
  };

  // `store` must outlive the service.
  IpService(const DatasetStore* store, std::string socket_path);
  IpService(const DatasetStore* store, std::string socket_path, Options options);
  ~IpService();  // Shutdown()

  // Removes a stale socket (as upstream), binds and serves on a thread per connection.
  absl::Status Start();
  // Closes the listener and every connection, waits for their threads, removes the socket.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void AcceptLoop();
  void Serve(int fd);

  const DatasetStore* const store_;
  const std::string socket_path_;
  const Options options_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  std::thread acceptor_;

  absl::Mutex mu_;
  std::vector<int> connections_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace mlab::uuid_annotator

#endif  // MLAB_SERVICES_UUID_ANNOTATOR_IP_SERVICE_H_
