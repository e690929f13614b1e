#ifndef MLAB_SERVICES_NDT_SERVER_HTTP_SESSION_H_
#define MLAB_SERVICES_NDT_SERVER_HTTP_SESSION_H_

// An accepted connection before it becomes a test: the TLS handshake (wss), then HTTP/1.1
// requests read under a deadline; ndt7 paths go through Ndt7Handler and are upgraded, other
// paths are served from -htmldir (keep-alive).

#include "absl/time/time.h"
#include "boost/asio/ssl/context.hpp"
#include "services/ndt-server/ndt7_handler.h"
#include "services/ndt-server/ndt7_session.h"
#include "services/ndt-server/open_conn.h"
#include "services/ndt-server/session_env.h"
#include "services/ndt-server/static_files.h"

namespace mlab::ndt7 {

// What every connection of one server shares; owned by the server.
struct HttpShared {
  SessionEnv* env = nullptr;
  const Ndt7Handler* handler = nullptr;
  const StaticFiles* files = nullptr;  // null: every other path is 404
  // Limit for the TLS handshake and for reading each request (also the keep-alive idle limit),
  // and for writing a response: upstream's ReadTimeout/WriteTimeout.
  absl::Duration http_timeout = absl::Minutes(1);
};

void StartHttpSession(TcpSocket socket, const HttpShared* shared);
void StartHttpsSession(TcpSocket socket, boost::asio::ssl::context* tls, const HttpShared* shared);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_HTTP_SESSION_H_
