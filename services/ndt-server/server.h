#ifndef MLAB_SERVICES_NDT_SERVER_SERVER_H_
#define MLAB_SERVICES_NDT_SERVER_SERVER_H_

// The ndt7 listeners: ws (cleartext) and wss (TLS) on their addresses, served by one event loop
// per core; accepted connections are spread over the loops.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl/context.hpp"
#include "services/ndt-server/http_session.h"

namespace mlab::ndt7 {

struct ServerOptions {
  std::string cleartext_address = ":80";  // "" disables ws
  std::string tls_address = ":443";       // used only with cert and key
  std::string cert_file;
  std::string key_file;
  std::string tls_min_version;  // "", "1.2" or "1.3"
  int threads = 0;              // 0: one per core
};

class Ndt7Server {
 public:
  // `shared` must outlive the server.
  Ndt7Server(ServerOptions options, const HttpShared* shared);
  ~Ndt7Server();
  Ndt7Server(const Ndt7Server&) = delete;
  Ndt7Server& operator=(const Ndt7Server&) = delete;

  // Loads TLS material, binds every listener (errors are reported here), starts the loops.
  absl::Status Start();

  // Bound ports (useful with port 0); 0 when that listener is off.
  int cleartext_port() const { return cleartext_port_; }
  int tls_port() const { return tls_port_; }

  // Closes the listeners; running connections go on.
  void StopAccepting();
  // Stops the loops (every connection is dropped) and joins the threads. Idempotent.
  void Stop();

 private:
  struct Listener;
  absl::Status Listen(const std::string& address, bool tls, int* port);
  void Accept(Listener* listener);
  boost::asio::io_context& NextContext();

  ServerOptions options_;
  const HttpShared* shared_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::thread> threads_;
  size_t next_context_ = 0;
  int cleartext_port_ = 0;
  int tls_port_ = 0;
  bool stopped_ = false;
};

// A TLS server context from PEM files: TLS >= 1.2 (or 1.3), ALPN limited to http/1.1 (upstream
// disabled HTTP/2 because browsers then could not open WebSockets).
absl::StatusOr<std::unique_ptr<boost::asio::ssl::context>> MakeTlsContext(
    const std::string& cert_file, const std::string& key_file, const std::string& min_version);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_SERVER_H_
