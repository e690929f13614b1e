// TlsStream against asio::ssl's client on loopback: handshake, bulk both ways, WebSocket
// messages with Beast's closing handshake, and the failures a server meets (garbage instead of a
// ClientHello, a peer that disappears, a socket closed under a pending operation).

#include "services/ndt-server/tls_stream.h"

#include <array>
#include <functional>
#include <iostream>
#include <string>
#include <thread>

#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/read.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core/buffers_to_string.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/websocket.hpp"
#include "boost/beast/websocket/ssl.hpp"
#include "gtest/gtest.h"
#include "services/ndt-server/server.h"
#include "services/ndt-server/test_util.h"
#include "services/ndt-server/tls_test_util.h"

namespace mlab::ndt7 {
namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;
using boost::system::error_code;

// The server's own TLS context (MakeTlsContext) on a fresh self-signed certificate.
std::unique_ptr<asio::ssl::context> ServerContext() {
  testing::TempDir dir;
  const testing::PemPair pem = testing::SelfSignedPem();
  testing::WriteFile(dir.path() + "/cert.pem", pem.cert);
  testing::WriteFile(dir.path() + "/key.pem", pem.key);
  absl::StatusOr<std::unique_ptr<asio::ssl::context>> ctx =
      MakeTlsContext(dir.path() + "/cert.pem", dir.path() + "/key.pem", "");
  EXPECT_TRUE(ctx.ok()) << ctx.status();
  return ctx.ok() ? std::move(*ctx) : nullptr;
}

// One accepted connection on loopback, with a client socket connected to it.
struct Pair {
  asio::io_context ioc;
  std::unique_ptr<asio::ssl::context> server_ctx = ServerContext();
  asio::ssl::context client_ctx{asio::ssl::context::tls_client};
  std::unique_ptr<TlsStream> server;
  std::unique_ptr<asio::ssl::stream<tcp::socket>> client;

  Pair() {
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket client_socket(ioc);
    client_socket.connect(acceptor.local_endpoint());
    tcp::socket accepted = acceptor.accept();
    accepted.set_option(tcp::no_delay(true));  // as the server's acceptor does
    server = std::make_unique<TlsStream>(std::move(accepted), server_ctx->native_handle());
    client_ctx.set_verify_mode(asio::ssl::verify_none);  // self-signed, tests only
    client = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(client_socket), client_ctx);
  }

  // Runs both handshakes to the end; returns the server's result.
  error_code Handshake() {
    error_code server_ec = asio::error::would_block;
    error_code client_ec = asio::error::would_block;
    server->async_handshake([&](error_code ec) { server_ec = ec; });
    client->async_handshake(asio::ssl::stream_base::client, [&](error_code ec) { client_ec = ec; });
    ioc.run();
    ioc.restart();
    EXPECT_FALSE(client_ec) << client_ec.message();
    return server_ec;
  }
};

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

TEST(TlsStream, HandshakeThenBulkBothWays) {
  Pair p;
  ASSERT_FALSE(p.Handshake());
  EXPECT_STREQ(p.server->version(), "TLSv1.3");
  // Whatever the kernel offers, the bytes below must arrive intact.
  std::cout << "kTLS send=" << p.server->ktls_send() << " recv=" << p.server->ktls_recv() << "\n";

  // A small send buffer: writes stop at WANT_WRITE with a record held by OpenSSL, or with
  // records left in the write buffer, again and again, and go on from there. (A small receive
  // buffer too would leave loopback's 64 KiB MSS waiting for the persist timer.)
  p.server->next_layer().set_option(asio::socket_base::send_buffer_size(8192));
  // Server to client: 3 MiB behind a 10-byte header, as a WebSocket download message goes.
  const std::string header = "0123456789";
  const std::string payload = Pattern(3 << 20);
  std::array<asio::const_buffer, 2> out{asio::buffer(header), asio::buffer(payload)};
  std::string received(header.size() + payload.size(), '\0');
  size_t written = 0;
  error_code write_ec, read_ec;
  asio::async_write(*p.server, out, [&](error_code ec, size_t n) {
    write_ec = ec;
    written = n;
  });
  asio::async_read(*p.client, asio::buffer(received), [&](error_code ec, size_t) { read_ec = ec; });
  p.ioc.run();
  p.ioc.restart();
  ASSERT_FALSE(write_ec) << write_ec.message();
  ASSERT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(written, received.size());
  EXPECT_TRUE(received == header + payload);

  // Client to server: 2 MiB read back through read_some calls.
  const std::string upload = Pattern(2 << 20).substr(1);
  std::string got;
  std::array<char, size_t{64} * 1024> chunk;
  std::function<void(error_code, size_t)> on_read = [&](error_code ec, size_t n) {
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_GT(n, 0u);
    got.append(chunk.data(), n);
    if (got.size() < upload.size()) p.server->async_read_some(asio::buffer(chunk), on_read);
  };
  p.server->async_read_some(asio::buffer(chunk), on_read);
  asio::async_write(*p.client, asio::buffer(upload),
                    [&](error_code ec, size_t) { EXPECT_FALSE(ec) << ec.message(); });
  p.ioc.run();
  EXPECT_EQ(got.size(), upload.size());
  EXPECT_TRUE(got == upload);
}

TEST(TlsStream, HandlersNeverRunInsideTheCallThatStartsThem) {
  Pair p;
  ASSERT_FALSE(p.Handshake());
  bool inside = true;
  bool called = false;
  // A write of a few bytes completes at once; its handler must still wait for the loop.
  p.server->async_write_some(asio::buffer(std::string("hello")), [&](error_code ec, size_t n) {
    EXPECT_FALSE(inside);
    EXPECT_FALSE(ec);
    EXPECT_EQ(n, 5u);
    called = true;
  });
  inside = false;
  p.ioc.run();
  EXPECT_TRUE(called);
}

TEST(TlsStream, WebSocketMessagesAndClosingHandshake) {
  Pair p;
  ASSERT_FALSE(p.Handshake());
  websocket::stream<TlsStream> server(std::move(*p.server));
  websocket::stream<asio::ssl::stream<tcp::socket>&> client(*p.client);
  boost::beast::flat_buffer server_buf, client_buf;
  const std::string big = Pattern(1 << 20);
  error_code close_ec = asio::error::would_block;
  std::string server_got;

  server.async_accept([&](error_code ec) {
    ASSERT_FALSE(ec) << ec.message();
    server.binary(true);
    server.async_write(asio::buffer(big), [&](error_code ec, size_t) {
      ASSERT_FALSE(ec) << ec.message();
      server.async_read(server_buf, [&](error_code ec, size_t) {
        ASSERT_FALSE(ec) << ec.message();
        server_got = boost::beast::buffers_to_string(server_buf.data());
        server.async_close(websocket::close_code::normal, [&](error_code ec) { close_ec = ec; });
      });
    });
  });
  std::thread client_thread([&] {
    client.handshake("localhost", "/");
    client.read(client_buf);
    EXPECT_TRUE(boost::beast::buffers_to_string(client_buf.data()) == big);
    client.text(true);
    client.write(asio::buffer(std::string("{\"AppInfo\":{}}")));
    error_code ec;
    client.read(client_buf, ec);  // the server's close
    EXPECT_EQ(ec, websocket::error::closed);
  });
  p.ioc.run();
  client_thread.join();
  EXPECT_EQ(server_got, "{\"AppInfo\":{}}");
  EXPECT_FALSE(close_ec) << close_ec.message();
}

TEST(TlsStream, GarbageInsteadOfAClientHelloFailsTheHandshake) {
  Pair p;
  asio::write(p.client->next_layer(), asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
  error_code server_ec;
  p.server->async_handshake([&](error_code ec) { server_ec = ec; });
  p.ioc.run();
  EXPECT_TRUE(server_ec);
}

TEST(TlsStream, PeerGoneEndsAPendingRead) {
  Pair p;
  ASSERT_FALSE(p.Handshake());
  error_code read_ec;
  std::array<char, 1024> chunk;
  p.server->async_read_some(asio::buffer(chunk), [&](error_code ec, size_t) { read_ec = ec; });
  p.client->next_layer().close();  // no close_notify
  p.ioc.run();
  EXPECT_TRUE(read_ec);
}

TEST(TlsStream, ClosingTheSocketAbortsAPendingHandshake) {
  Pair p;
  error_code server_ec;
  p.server->async_handshake([&](error_code ec) { server_ec = ec; });
  asio::post(p.ioc, [&] { p.server->next_layer().close(); });  // as the handshake deadline does
  p.ioc.run();
  EXPECT_EQ(server_ec, asio::error::operation_aborted);
}

TEST(TlsStream, WithoutAnSslObjectTheHandshakeFails) {
  // OpenSSL could not make the connection's SSL object: an error, not a crash.
  asio::io_context ioc;
  tcp::socket s(ioc);
  TlsStream broken(std::move(s), nullptr);
  error_code ec;
  broken.async_handshake([&](error_code e) { ec = e; });
  ioc.run();
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace mlab::ndt7
