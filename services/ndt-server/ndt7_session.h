#ifndef MLAB_SERVICES_NDT_SERVER_NDT7_SESSION_H_
#define MLAB_SERVICES_NDT_SERVER_NDT7_SESSION_H_

// One ndt7 subtest on an upgraded connection: the WebSocket handshake, then the sender
// (download: binary messages scaled 8 KiB..1 MiB; both: measurements, each followed by a Ping),
// the receiver (client text messages kept, upload binary discarded), the 10 s test, the 15 s
// hard limit, and the archived result.

#include <memory>

#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/http/message.hpp"
#include "boost/beast/http/string_body.hpp"
#include "services/ndt-server/ndt7_handler.h"
#include "services/ndt-server/open_conn.h"
#include "services/ndt-server/session_env.h"
#include "services/ndt-server/tls_stream.h"

namespace mlab::ndt7 {

using TcpSocket = boost::asio::ip::tcp::socket;
using TlsSocket = TlsStream;
using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Takes over `stream` (TcpSocket or TlsSocket) after the HTTP request was read and admitted,
// and runs the test to its end on the stream's executor. Keeps itself alive until then.
template <class Stream>
void StartNdt7Session(Stream stream, HttpRequest request, HandshakeDecision decision,
                      SessionEnv* env, OpenConn conn);

extern template void StartNdt7Session<TcpSocket>(TcpSocket, HttpRequest, HandshakeDecision,
                                                 SessionEnv*, OpenConn);
extern template void StartNdt7Session<TlsSocket>(TlsSocket, HttpRequest, HandshakeDecision,
                                                 SessionEnv*, OpenConn);

}  // namespace mlab::ndt7

#endif  // MLAB_SERVICES_NDT_SERVER_NDT7_SESSION_H_
