// Serves a FlowEventPublisher as the FlowEvents gRPC service on a unix socket.
#ifndef MLAB_LIB_EVENTS_SERVER_H_
#define MLAB_LIB_EVENTS_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/events/publisher.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace mlab::events {

class FlowEventService;

// Owns the gRPC server (sync API, one thread per subscriber stream) for one socket path.
//
// Start() and Shutdown() are called from one controlling thread; the publisher may be used from
// any thread throughout, and outlives this server.
class FlowEventServer {
 public:
  struct Options {
    // How long Shutdown() lets blocked writes drain before cancelling them.
    absl::Duration shutdown_deadline = absl::Seconds(1);
    // How often an idle stream checks whether its client went away (frees its thread).
    absl::Duration idle_poll = absl::Milliseconds(100);
  };

  FlowEventServer(FlowEventPublisher* publisher, std::string socket_path);
  FlowEventServer(FlowEventPublisher* publisher, std::string socket_path, Options options);
  ~FlowEventServer();  // Shutdown()

  FlowEventServer(const FlowEventServer&) = delete;
  FlowEventServer& operator=(const FlowEventServer&) = delete;

  // Removes a stale socket file at the path (refusing any other kind of file), then binds and
  // serves. FAILED_PRECONDITION if already started; the server can be started once.
  absl::Status Start();

  // Ends every stream (UNAVAILABLE, so clients reconnect), stops serving within about
  // shutdown_deadline and removes the socket file. Idempotent.
  void Shutdown();

  const std::string& socket_path() const { return socket_path_; }

 private:
  FlowEventPublisher* const publisher_;
  const std::string socket_path_;
  const Options options_;
  std::unique_ptr<FlowEventService> service_;
  std::unique_ptr<grpc::Server> server_;
  bool started_ = false;
};

}  // namespace mlab::events

#endif  // MLAB_LIB_EVENTS_SERVER_H_
