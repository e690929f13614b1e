#include "services/ndt-server/server.h"

#include <openssl/ssl.h>

#include <csignal>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/ip/v6_only.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "glog/logging.h"
#include "lib/admin/listen_address.h"
#include "services/ndt-server/tls_stream.h"

namespace mlab::ndt7 {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct Ndt7Server::Listener {
  explicit Listener(asio::io_context& ctx) : acceptor(ctx), backoff(ctx) {}
  tcp::acceptor acceptor;
  asio::steady_timer backoff;  // after an accept error such as EMFILE, instead of spinning
  bool tls = false;
};

namespace {

int SelectHttp11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                 unsigned int inlen, void*) {
  // `in` is a list of length-prefixed protocol names.
  for (unsigned int i = 0; i < inlen;) {
    const unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == 8 && std::memcmp(in + i + 1, "http/1.1", 8) == 0) {
      *out = in + i + 1;
      *outlen = 8;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

absl::StatusOr<std::unique_ptr<asio::ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                                   const std::string& key_file,
                                                                   const std::string& min_version) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::single_dh_use,
                   ec);
  int version = TLS1_2_VERSION;
  if (min_version == "1.3") {
    version = TLS1_3_VERSION;
  } else if (!min_version.empty() && min_version != "1.2") {
    return absl::InvalidArgumentError(
        absl::StrCat("-tls.version must be 1.2 or 1.3, not \"", min_version, "\""));
  }
  SSL_CTX_set_min_proto_version(ctx->native_handle(), version);
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(cert_file, ": ", ec.message()));
  ctx->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(key_file, ": ", ec.message()));
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return absl::InvalidArgumentError("the private key does not match the certificate");
  }
  SSL_CTX_set_alpn_select_cb(ctx->native_handle(), SelectHttp11, nullptr);
  PrepareTlsContext(ctx->native_handle());
  return ctx;
}

Ndt7Server::Ndt7Server(ServerOptions options, const HttpShared* shared)
    : options_(std::move(options)), shared_(shared) {
  int threads = options_.threads;
  if (threads <= 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
  }
}

Ndt7Server::~Ndt7Server() { Stop(); }

asio::io_context& Ndt7Server::NextContext() {
  asio::io_context& ctx = *contexts_[next_context_];
  next_context_ = (next_context_ + 1) % contexts_.size();
  return ctx;
}

absl::Status Ndt7Server::Listen(const std::string& address, bool tls, int* port) {
  absl::StatusOr<admin::ListenAddress> parsed = admin::ParseListenAddress(address);
  if (!parsed.ok()) return parsed.status();
  auto listener = std::make_unique<Listener>(*contexts_[0]);
  listener->tls = tls;
  error_code ec;
  tcp::endpoint endpoint;
  if (parsed->host.empty()) {
    endpoint = tcp::endpoint(tcp::v6(), parsed->port);
  } else {
    const std::string host = parsed->host == "localhost" ? "127.0.0.1" : parsed->host;
    asio::ip::address ip = asio::ip::make_address(host, ec);
    if (ec) return absl::InvalidArgumentError(absl::StrCat("bad host in ", address));
    endpoint = tcp::endpoint(ip, parsed->port);
  }
  tcp::acceptor& a = listener->acceptor;
  a.open(endpoint.protocol(), ec);
  if (ec && parsed->host.empty()) {  // No IPv6 on this machine: all IPv4 interfaces then.
    endpoint = tcp::endpoint(tcp::v4(), parsed->port);
    a.open(endpoint.protocol(), ec);
  }
  if (ec) return absl::InternalError(absl::StrCat("socket for ", address, ": ", ec.message()));
  a.set_option(asio::socket_base::reuse_address(true), ec);
  if (endpoint.address().is_v6() && parsed->host.empty()) {
    a.set_option(asio::ip::v6_only(false), ec);
  }
  a.bind(endpoint, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("listen on ", address, ": ", ec.message()));
  a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("listen on ", address, ": ", ec.message()));
  *port = a.local_endpoint().port();
  LOG(INFO) << "ndt7 " << (tls ? "wss" : "ws") << " on " << address << " (port " << *port << ")";
  listeners_.push_back(std::move(listener));
  return absl::OkStatus();
}

absl::Status Ndt7Server::Start() {
  // sendfile(2) has no MSG_NOSIGNAL: a client gone mid-download must be an EPIPE, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  const bool want_tls = !options_.cert_file.empty() && !options_.key_file.empty();
  if (want_tls && !options_.tls_address.empty()) {
    absl::StatusOr<std::unique_ptr<asio::ssl::context>> ctx =
        MakeTlsContext(options_.cert_file, options_.key_file, options_.tls_min_version);
    if (!ctx.ok()) return ctx.status();
    tls_ = std::move(*ctx);
    if (absl::Status s = Listen(options_.tls_address, true, &tls_port_); !s.ok()) return s;
  }
  if (!options_.cleartext_address.empty()) {
    if (absl::Status s = Listen(options_.cleartext_address, false, &cleartext_port_); !s.ok()) {
      return s;
    }
  }
  for (auto& listener : listeners_) Accept(listener.get());
  for (auto& ctx : contexts_) {
    threads_.emplace_back([ctx = ctx.get()] {
      auto guard = asio::make_work_guard(*ctx);
      ctx->run();
    });
  }
  return absl::OkStatus();
}

void Ndt7Server::Accept(Listener* listener) {
  // The accepting loop hands each connection to the next event loop.
  listener->acceptor.async_accept(
      NextContext(), [this, listener](error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !listener->acceptor.is_open()) return;
        if (ec) {
          // EMFILE and friends: retry shortly; the connection that failed is gone anyway.
          LOG_EVERY_N(WARNING, 100) << "accept: " << ec.message();
          listener->backoff.expires_after(std::chrono::milliseconds(20));
          listener->backoff.async_wait([this, listener](error_code e) {
            if (!e && listener->acceptor.is_open()) Accept(listener);
          });
          return;
        } else {
          error_code ignored;
          socket.set_option(asio::socket_base::keep_alive(true), ignored);
          socket.set_option(tcp::no_delay(true), ignored);
          // Hand the socket to its own loop before touching it further.
          asio::post(socket.get_executor(),
                     [this, tls = listener->tls,
                      s = std::make_shared<tcp::socket>(std::move(socket))]() mutable {
                       if (tls) {
                         StartHttpsSession(std::move(*s), tls_.get(), shared_);
                       } else {
                         StartHttpSession(std::move(*s), shared_);
                       }
                     });
        }
        Accept(listener);
      });
}

void Ndt7Server::StopAccepting() {
  for (auto& listener : listeners_) {
    asio::post(listener->acceptor.get_executor(), [l = listener.get()] {
      error_code ignored;
      l->acceptor.close(ignored);
      l->backoff.cancel();
    });
  }
}

void Ndt7Server::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& ctx : contexts_) ctx->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  listeners_.clear();
}

}  // namespace mlab::ndt7
