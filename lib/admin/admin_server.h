#ifndef MLAB_LIB_ADMIN_ADMIN_SERVER_H_
#define MLAB_LIB_ADMIN_ADMIN_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/admin/http_handler.h"
#include "lib/metrics/registry.h"

namespace mlab::admin {

// The HTTP endpoint every service runs beside its real work: GET /metrics (Prometheus text
// format), GET /health (200 "ok", or lame_duck_status after SetLameDuck(true) so load balancers
// drain the node), plus endpoints added with Handle(). Unknown paths get 404, other methods on
// the built-in endpoints 405, unparsable requests 400. HTTP/1.1 keep-alive; every read and write
// has a deadline and requests have a size limit, so slow or idle clients cannot pin the server.
//
//   admin::AdminServer::Options options;
//   options.listen_address = absl::GetFlag(FLAGS_prometheusx_listen_address);
//   admin::AdminServer server(options);
//   if (absl::Status s = server.Start(); !s.ok()) { LOG(ERROR) << s; return 1; }
//   ...
//   server.SetLameDuck(true);  // First SIGTERM.
//
// All methods are thread-safe. It also counts its own requests in
// admin_http_requests_total{code,path} in the registry it exposes.
class AdminServer {
 public:
  struct Options {
    // Go "host:port": ":9990" (all interfaces, IPv6 and IPv4), "127.0.0.1:8000", "[::1]:0",
    // "localhost:0". Port 0 picks a free port; see port().
    std::string listen_address = ":9990";
    // Exposed at /metrics; nullptr means metrics::Registry::Default(). Must outlive the server.
    metrics::Registry* registry = nullptr;
    // Deadline for reading one whole request (also the keep-alive idle limit) and for writing
    // one response.
    absl::Duration timeout = absl::Seconds(30);
    // Limit for the request header and, separately, the body.
    size_t max_request_bytes = 64 * 1024;
    // Connections beyond this are closed right after accept.
    int max_connections = 512;
    // I/O threads; one is plenty for scrapes and health checks.
    int threads = 1;
    // /health status in lame duck. Upstream ndt-server answers 500; both read as "unhealthy".
    int lame_duck_status = 503;
  };

  explicit AdminServer(Options options);
  // Stops the server.
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and listens synchronously, so a bad or busy address is reported here, then serves on
  // the server's own thread(s). Call once.
  absl::Status Start();
  // The bound port (useful with port 0); 0 before Start().
  int port() const;
  // Closes the listener and every connection and joins the threads. Idempotent. Must not be
  // called from a handler.
  void Stop();

  void SetLameDuck(bool lame_duck);
  bool lame_duck() const;

  // Serves `path` (exact match, without query) with `handler` for every method; replaces any
  // previous handler for it, including the built-in /metrics and /health. Allowed at any time.
  void Handle(std::string path, HttpHandler handler);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;  // Keeps Boost.Beast out of this header.
};

}  // namespace mlab::admin

#endif  // MLAB_LIB_ADMIN_ADMIN_SERVER_H_
