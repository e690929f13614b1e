#ifndef MLAB_SERVICES_TCP_INFO_JSONL_EVENT_SERVER_H_
#define MLAB_SERVICES_TCP_INFO_JSONL_EVENT_SERVER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mlab::tcpinfo {

// Serves upstream's one-way JSON-lines event socket (unix SOCK_STREAM) for upstream Go sidecars.
//
// Unlike upstream, a client can never stall tcp-info: Publish() only appends to each client's
// bounded queue, and one thread writes with non-blocking sends. A client whose queue overflows
// (it stopped reading) is disconnected and counted. Clients get live events only, as upstream.
class JsonlEventServer {
 public:
  struct Options {
    // Bytes of events that may wait for one client before it is dropped.
    size_t max_queued_bytes = 1 << 20;
    int max_clients = 64;
  };

  struct Stats {
    int64_t clients = 0;
    int64_t accepted_total = 0;
    int64_t dropped_total = 0;  // fell behind (queue overflow)
    int64_t events_sent_total = 0;
  };

  explicit JsonlEventServer(std::string socket_path);
  JsonlEventServer(std::string socket_path, Options options);
  ~JsonlEventServer();  // Shutdown()

  JsonlEventServer(const JsonlEventServer&) = delete;
  JsonlEventServer& operator=(const JsonlEventServer&) = delete;

  // Removes a stale socket at the path (only a socket), binds, listens and starts serving.
  absl::Status Start();

  // Queues one event line (newline included) for every connected client. Never blocks on I/O.
  void Publish(absl::string_view line);

  // Disconnects everyone, stops the thread and removes the socket file. Idempotent.
  void Shutdown();

  Stats stats() const;
  const std::string& socket_path() const { return socket_path_; }

  // Waits until at least `count` clients are connected; false on timeout.
  bool WaitForClients(int count, absl::Duration timeout) const;

 private:
  struct Client {
    int fd = -1;
    std::string pending;
    size_t events_pending = 0;
    bool drop = false;
  };

  void Serve();
  void Wake();

  const std::string socket_path_;
  const Options options_;
  int listener_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  // Set while a wake-up is pending, so a burst of events costs one eventfd write, not one each.
  std::atomic<bool> wake_pending_{false};

  mutable absl::Mutex mu_;
  std::vector<Client> clients_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mlab::tcpinfo

#endif  // MLAB_SERVICES_TCP_INFO_JSONL_EVENT_SERVER_H_
